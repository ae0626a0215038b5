"""`learn new`: a fresh exercise (YAML, stub, reference, hidden test, mistakes) from templates.

The templates in ``grader/templates/new/`` teach the format in their comments and leave TODO
markers that `learn validate` rejects, and their reference raises NotImplementedError: a
scaffold fails validation until its author has filled it in. They are rendered with
``string.Template`` (``$name``), which needs nothing from the renderer's jinja2.
"""
from __future__ import annotations

import re
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from grader.course import ID_PATTERN, MODULE_PATTERN, load_course
from grader.errors import CourseError
from grader.storage import write_atomic

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
    for path, template in plan.items():
        write_atomic(path, _render(template, **context))
    index = course_root / "exercises" / "course.yaml"
    added = _add_to_index(index, exercise_id, siblings) if index.is_file() else None
    return Scaffold(exercise_dir, solution_dir, tuple(plan), added, new_module)


def _add_to_index(index: Path, exercise_id: str, siblings: Sequence[str] = ()) -> Path:
    """Add EXERCISE_ID to course.yaml's exercises list, keeping the file's own layout: after the
    last of SIBLINGS (the other exercises of its module) the list holds, else at its end.

    A text edit, not a YAML round trip: comments and order survive. The course is loaded again
    afterwards, so an edit that went wrong is undone and reported instead of left behind.
    """
    before = index.read_text(encoding="utf-8")
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
            raise CourseError("cannot find the `exercises:` list to add the new id to; add "
                              f"{exercise_id} by hand", path=str(index))
        items = [m for m in re.finditer(r"^([ \t]*)-[ \t]*([^\s#]*)[^\n]*\n?", block.group(1), re.MULTILINE)]
        mine = [m for m in items if m.group(2) in siblings]
        last = (mine or items)[-1] if items else None
        indent = last.group(1) if last else "  "
        end = block.start(1) + (last.end() if last else 0)
        prefix = "" if before[:end].endswith("\n") else "\n"
        after = before[:end] + f"{prefix}{indent}- {exercise_id}\n" + before[end:]
    write_atomic(index, after)
    try:
        load_course(index.parent.parent)
    except CourseError:
        write_atomic(index, before)
        raise
    return index
