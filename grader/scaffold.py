"""`learn new`: a fresh exercise (YAML, stub, reference, hidden test, mistakes) from templates.

The templates in ``grader/templates/new/`` teach the format in their comments and leave TODO
markers that `learn validate` rejects, and their reference raises NotImplementedError: a
scaffold fails validation until its author has filled it in. They are rendered with
``string.Template`` (``$name``), which needs nothing from the renderer's jinja2.
"""
from __future__ import annotations

import keyword
import re
import shutil
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from grader.course import ID_PATTERN, MODULE_PATTERN, load_course
from grader.errors import CourseError
from grader.exercise_format import FILE_NAME
from grader.storage import write_atomic

# What a scaffold leaves for the author to replace; never shown to a student (validate and release check).
PLACEHOLDER = re.compile(r"\bTODO\b")

TEMPLATES = Path(__file__).parent / "templates" / "new"
DEFAULT_MODULE = "01-new"


@dataclass(frozen=True)
class Scaffold:
    exercise_dir: Path
    solution_dir: Path
    files: tuple[Path, ...]
    course_index: Path | None     # exercises/course.yaml, when the id was added to it
    new_module: bool = False      # the module folder did not exist before (a typo shows here)


def _render(name: str, **context: str) -> str:
    return string.Template((TEMPLATES / name).read_text(encoding="utf-8")).substitute(context)


def _pad(text: str, width: int = 30) -> str:
    """Spaces that line the YAML's comments up after a value of any length."""
    return " " * max(1, width - len(text))


def _default_module(course_root: Path) -> str:
    modules = sorted(p.name for p in (course_root / "exercises").glob("*/") if p.is_dir())
    return modules[-1] if modules else DEFAULT_MODULE


def create(course_root: Path, exercise_id: str, module: str | None = None) -> Scaffold:
    """Write the five files of EXERCISE_ID into COURSE_ROOT; refuse to overwrite anything."""
    if not ID_PATTERN.match(exercise_id):
        raise CourseError(f"{exercise_id!r} is not a valid exercise id: use lowercase words joined "
                          "by hyphens, like dot-product")
    module = module or _default_module(course_root)
    if not MODULE_PATTERN.match(module):
        raise CourseError(f"{module!r} is not a valid module name: use lowercase words and digits "
                          "joined by hyphens, like 01-projection")
    existing = list((course_root / "exercises").glob(f"*/{exercise_id}")) + \
        [p for p in [course_root / "solutions" / exercise_id] if p.exists()]
    if existing:
        raise CourseError(f"an exercise named {exercise_id!r} already exists at {existing[0]}")
    stem = exercise_id.replace("-", "_")
    _check_stem(exercise_id, stem)
    names = {"id": exercise_id, "module": module, "file": f"{stem}.py", "stem": stem,
             "function": stem, "course_flag": ""}
    pads = {f"{k}_pad": _pad(v) for k, v in (("id", exercise_id), ("module", module),
                                             ("file", names["file"]), ("functions", f"[{stem}]"))}
    context = {**names, **pads}
    exercise_dir = course_root / "exercises" / module / exercise_id
    solution_dir = course_root / "solutions" / exercise_id
    plan = {
        exercise_dir / "exercise.yaml": "exercise.yaml.tmpl",
        exercise_dir / names["file"]: "stub.py.tmpl",
        solution_dir / names["file"]: "reference.py.tmpl",
        solution_dir / f"test_{stem}.py": "test.py.tmpl",
        solution_dir / "mistakes.py": "mistakes.py.tmpl",
    }
    new_module = not (course_root / "exercises" / module).is_dir()
    siblings = [p.parent.name for p in sorted((course_root / "exercises" / module).glob("*/exercise.yaml"))]
    index = course_root / "exercises" / "course.yaml"
    index_before = index.read_text(encoding="utf-8") if index.is_file() else None
    # edited in memory first: a list it cannot find is refused before any file is written
    index_after = _add_to_index(index, index_before, exercise_id, siblings) if index_before is not None else None
    # the outermost folder each file creates (module, solutions/, the exercise's own): removed on failure
    created = list(dict.fromkeys(_first_missing(path.parent) for path in plan))
    edited = False
    try:
        for path, template in plan.items():
            write_atomic(path, _render(template, **context))
        if index_after is not None:
            write_atomic(index, index_after)
            edited = True
        load_course(course_root)  # what every later command does: a scaffold that breaks it is undone
    except BaseException:
        # leave the course as it was: a half-made exercise makes every later command fail
        if edited and index_before is not None:
            write_atomic(index, index_before)
        for folder in created:
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)
        raise
    return Scaffold(exercise_dir, solution_dir, tuple(plan), index if index_after is not None else None,
                    new_module)


def _check_stem(exercise_id: str, stem: str) -> None:
    """The id names the file and the function: refuse, before anything is written, one that makes
    no Python name (the course loader would reject the file) or a file named like instructor
    material (`learn release` would call it a leak)."""
    if not re.match(FILE_NAME, f"{stem}.py"):
        raise CourseError(f"{exercise_id!r} cannot name an exercise: its file and function would be "
                          f"{stem}.py and {stem}(), and a Python name cannot start with a digit; start "
                          "the id with a letter, like norm-2d")
    if keyword.iskeyword(stem):
        raise CourseError(f"{exercise_id!r} cannot name an exercise: its function would be {stem}(), "
                          "and that is a Python keyword; choose another id")
    if stem in ("mistakes", "conftest") or stem.startswith("test_"):
        raise CourseError(f"{exercise_id!r} cannot name an exercise: its file {stem}.py would be taken "
                          "for instructor material (mistakes.py, conftest.py, test_*.py); choose another id")


def _first_missing(folder: Path) -> Path | None:
    """The outermost of FOLDER and its parents that does not exist yet (None if FOLDER exists)."""
    missing = None
    while not folder.exists():
        missing, folder = folder, folder.parent
    return missing


def _add_to_index(index: Path, before: str, exercise_id: str, siblings: Sequence[str] = ()) -> str:
    """BEFORE (the text of INDEX, course.yaml) with EXERCISE_ID added to its exercises list, keeping
    the file's own layout: after the last of SIBLINGS (the other exercises of its module) the list
    holds, else at its end.

    A text edit, not a YAML round trip: comments and order survive. The caller loads the course
    again afterwards and undoes the edit (and the new files) if it went wrong.
    """
    flow = re.search(r"^(exercises:\s*\[)([^\]]*)(\])", before, re.MULTILINE)
    if flow:
        items = [i.strip() for i in flow.group(2).split(",") if i.strip()]
        place = max((n + 1 for n, item in enumerate(items) if item in siblings), default=len(items))
        items.insert(place, exercise_id)
        after = before[:flow.start(2)] + ", ".join(items) + before[flow.end(2):]
    else:
        block = re.search(r"^exercises:[ \t]*\n((?:[ \t]*-[^\n]*\n?|[ \t]*#[^\n]*\n?|[ \t]*\n)*)",
                          before, re.MULTILINE)
        if not block:
            raise CourseError("cannot find the `exercises:` list to add the new id to (write it as "
                              "`exercises: [a, b]` or one `- id` per line under `exercises:`); nothing "
                              "was written", path=str(index))
        items = [m for m in re.finditer(r"^([ \t]*)-[ \t]*([^\s#]*)[^\n]*\n?", block.group(1), re.MULTILINE)]
        mine = [m for m in items if m.group(2) in siblings]
        last = (mine or items)[-1] if items else None
        indent = last.group(1) if last else "  "
        end = block.start(1) + (last.end() if last else 0)
        prefix = "" if before[:end].endswith("\n") else "\n"
        after = before[:end] + f"{prefix}{indent}- {exercise_id}\n" + before[end:]
    return after
