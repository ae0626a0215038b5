"""`learn release`: the student bundle, and the proof that no instructor material leaked into it.

The bundle is the course's ``exercises/`` tree (YAML, stubs, instructions, hints, course.yaml)
and nothing from ``solutions/``. Copying only that tree is the first line of defence; the
second is a check of the written bundle against every instructor file, because an author can
paste a reference into a stub or an expected value into the instructions without noticing:

- no file named like instructor material (``solutions/``, ``mistakes.py``, ``test_*.py``);
- no file equal to, or containing, an instructor file;
- no file containing a piece of instructor code: the body of a function the student must
  write (as the reference writes it), of a hidden test or of a mistake, or a module-level
  statement of a test file (expected values live there). Docstrings are left out (stub and
  reference share them on purpose), as are pieces too short to mean anything.
"""
from __future__ import annotations

import ast
import hashlib
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from grader.course import Course
from grader.errors import LearnError
from grader.notebook.layout import SUFFIX
from grader.scaffold import PLACEHOLDER

MIN_FRAGMENT = 24            # characters (whitespace collapsed): shorter code is not evidence
SKIPPED = ("__pycache__", ".pyc", ".pyo", ".DS_Store")
INSTRUCTOR_NAMES = re.compile(r"(^|/)(solutions/|mistakes\.py$|test_[^/]*\.py$|conftest\.py$)")


@dataclass(frozen=True)
class Bundle:
    root: Path
    files: tuple[Path, ...]
    instructor_files: int
    leaks: tuple[str, ...]


def _normal(text: str) -> str:
    return " ".join(text.split())


def _skipped(path: Path) -> bool:
    return any(part.startswith(".") or part == "__pycache__" for part in path.parts) or path.name.endswith(SKIPPED)


def write_bundle(course: Course, out: Path) -> Bundle:
    """Copy COURSE's exercises/ into OUT/exercises/, then look for leaks in what was written.

    The copy is made and checked in a hidden staging folder and moved into OUT only when no leak
    was found: a bundle that failed the check never sits where it could be handed out.
    """
    out = out.resolve()
    if out.exists() and any(out.iterdir()):
        raise LearnError(f"{out} is not empty: release into a new or empty folder")
    if out == course.root or course.root in out.parents:
        raise LearnError(f"{out} is inside the course itself: release somewhere else")
    # on OUT's file system, for the rename: inside OUT if it exists (it may be a mount point)
    anchor = next(p for p in (out, *out.parents) if p.exists())
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.release-", dir=anchor))
    except OSError as exc:  # the user's path: name it, not the staging folder
        raise LearnError(f"cannot write {out}: {exc.strerror} ({anchor})") from None
    try:
        source = course.root / "exercises"
        (staging / "exercises").mkdir()
        written = []
        for path in sorted(source.rglob("*")):
            relative = path.relative_to(course.root)
            if path.is_dir() or _skipped(relative) or path.is_symlink():
                continue
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            written.append(relative)
        instructor = instructor_files(course)
        leaks = tuple(find_leaks(staging, course, instructor))
        if not leaks:
            out.mkdir(parents=True, exist_ok=True)  # OUT itself stays: it was new or empty
            os.replace(staging / "exercises", out / "exercises")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Bundle(out, tuple(out / r for r in written), len(instructor), leaks)


def unfinished_texts(course: Course) -> list[str]:
    """Where `learn new`'s TODO placeholders are still in what students read: the YAML's texts and
    the stubs' docstrings (a `# TODO` comment in a stub is for the student, and stays)."""
    found = []
    for exercise in course.exercises:
        places = [label for label, text in exercise.student_texts() if PLACEHOLDER.search(text)]
        try:
            tree = ast.parse(exercise.stub_path.read_text(encoding="utf-8"))
        except (OSError, SyntaxError, ValueError):
            tree = None  # the course loader already read it; validate says what is wrong
        for node in ast.walk(tree) if tree else ():
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Module)):
                if PLACEHOLDER.search(ast.get_docstring(node) or ""):
                    places.append(f"the docstring of {getattr(node, 'name', 'the module')}() in {exercise.file}"
                                  if not isinstance(node, ast.Module) else f"the docstring of {exercise.file}")
        if places:
            found.append(f"{exercise.id}: TODO placeholders in {', '.join(places)}")
    return found


def instructor_files(course: Course) -> list[Path]:
    solutions = course.root / "solutions"
    if not solutions.is_dir():
        return []
    return [p for p in sorted(solutions.rglob("*")) if p.is_file() and not _skipped(p.relative_to(solutions))]


def _code_fragments(path: Path, own_functions: set[str]) -> list[tuple[str, str]]:
    """(what, normalized source) for every piece of PATH that must not reach a student."""
    source = path.read_text(encoding="utf-8", errors="replace")
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    is_test = path.name.startswith("test_")
    fragments = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if path.name != "mistakes.py" and not is_test and node.name not in own_functions:
                continue  # a helper of the reference; the stub may give it to the student
            body = node.body[1:] if ast.get_docstring(node) is not None else node.body
            if not body:
                continue
            first, last = body[0], body[-1]
            lines = source.splitlines()[first.lineno - 1:last.end_lineno]
            fragments.append((f"the body of {node.name}()", _normal("\n".join(lines))))
        elif is_test and isinstance(node, (ast.Assign, ast.AnnAssign)):
            fragments.append((f"line {node.lineno}", _normal(ast.get_source_segment(source, node) or "")))
    return [(what, text) for what, text in fragments if len(text) >= MIN_FRAGMENT]


def _readable(path: Path, raw: bytes) -> str:
    """What a student reads in PATH: a notebook's cells as well as its JSON, which escapes code
    (quotes, newlines) and would hide a pasted reference from the comparison."""
    text = raw.decode("utf-8", errors="replace")
    if path.suffix == SUFFIX:
        from grader.notebook.document import NotebookProblem, parse
        try:
            text += "\n" + "\n".join(str(c.get("source", "")) for c in parse(raw, path.name).cells)
        except NotebookProblem:
            pass  # not a notebook after all: its bytes are compared as they are
    return text


def find_leaks(bundle: Path, course: Course, instructor: list[Path] | None = None) -> list[str]:
    """Every way BUNDLE holds instructor material of COURSE, as readable sentences."""
    instructor = instructor_files(course) if instructor is None else instructor
    functions = {name for e in course.exercises for name in e.functions}
    files = [p for p in sorted(bundle.rglob("*")) if p.is_file()]
    texts = {p: p.read_bytes() for p in files}
    normal = {p: _normal(_readable(p, raw)) for p, raw in texts.items()}
    leaks = []
    for path in files:
        relative = path.relative_to(bundle).as_posix()
        if INSTRUCTOR_NAMES.search(relative):
            leaks.append(f"{relative}: is named like instructor material (hidden tests, mistakes, solutions)")
    digests = {hashlib.sha256(raw).digest(): p for p, raw in texts.items()}
    for secret in instructor:
        where = secret.relative_to(course.root).as_posix()
        raw = secret.read_bytes()
        twin = digests.get(hashlib.sha256(raw).digest())
        if twin is not None:
            leaks.append(f"{twin.relative_to(bundle).as_posix()}: is a copy of {where}")
            continue
        whole = _normal(raw.decode("utf-8", errors="replace"))
        pieces = [("the whole file", whole)] if len(whole) >= MIN_FRAGMENT else []
        if secret.suffix == ".py":
            pieces += _code_fragments(secret, functions)
        for path, text in normal.items():
            for what, piece in pieces:
                if piece in text:
                    leaks.append(f"{path.relative_to(bundle).as_posix()}: contains {what} from {where}")
                    break
    return leaks
