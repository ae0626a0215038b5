"""Where an exercise's submission is: ``<exercise-id>/<stem>.py``, ``<exercise-id>/<stem>.ipynb``, or neither.

The rule, for a folder that may hold both (a student who switched, a repository collected by
hand):

1. only one of the two exists: that one is the submission;
2. both exist and the ``.py`` is still the untouched stub: the notebook;
3. both exist and the notebook's answer is still the stub: the ``.py``;
4. both were edited: the notebook is returned, and grading it refuses to guess (it names both
   files and asks the student to keep one); nothing is graded, nothing is deleted.

When neither exists, a file of the right name elsewhere in the workspace is named to the
student (``found linalg/scoring/scores.py in the wrong folder: move it to scoring/scores.py``: a
class collected by hand has loose files and workspaces one level down), else the other ``.py``
and ``.ipynb`` files of the folder (``found my_scores.py: rename it to scores.py``). Neither is
graded: the contract is the file's place and name.

Cheap on purpose (the standard library and grader.reports.text): ``learn grade-all`` plans a class with it before anything
heavy loads. Only rule 3 reads a notebook, and only when both files exist.
"""
from __future__ import annotations

import itertools
import os
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING

from grader.reports.text import UNSHOWABLE

if TYPE_CHECKING:
    from grader.course import Exercise

SUFFIX = ".ipynb"
FORMATS = ("python", "notebook")
LOOK_AT = 1000   # folder entries read to find misnamed files (a submission may hold millions)
SEARCH_DEPTH = 8  # folders down from the workspace to find a file of the right name elsewhere
NAMED = 3        # misnamed files named to the student; more are counted, up to KEPT
KEPT = 20        # names kept in a result


def notebook_name(exercise: Exercise) -> str:
    """``softmax.py`` is worked on as ``softmax.ipynb``."""
    return Path(exercise.file).stem + SUFFIX


def is_notebook(path: Path) -> bool:
    return path.suffix == SUFFIX


def _exists(path: Path) -> bool:
    return os.path.lexists(path)  # a planted link counts as there: grading refuses it with a reason


def candidates(folder: Path, exercise: Exercise) -> tuple[Path, Path]:
    """(the ``.py``, the notebook) in FOLDER (``DIR/<exercise-id>``): either may be the submission."""
    return folder / exercise.file, folder / notebook_name(exercise)


def submission_file(folder: Path, exercise: Exercise, prefer: str = "python") -> Path:
    """The file to grade in FOLDER (``DIR/<exercise-id>``); PREFER names the one to create when
    neither exists (``python`` or ``notebook``)."""
    python, notebook = candidates(folder, exercise)
    has_python, has_notebook = _exists(python), _exists(notebook)
    if has_python and not has_notebook:
        return python
    if has_notebook and not has_python:
        return notebook
    if not has_python:  # neither
        return notebook if prefer == "notebook" else python
    if exercise.is_untouched(python):
        return notebook
    return python if notebook_is_untouched(notebook, exercise) else notebook


def notebook_is_untouched(notebook: Path, exercise: Exercise) -> bool:
    """NOTEBOOK's answer is still EXERCISE's stub. False when it cannot be read (or notebook
    support is not installed): an unreadable notebook is never silently passed over."""
    try:
        from grader.notebook.answer import extract
        from grader.notebook.document import read_notebook
        return extract(read_notebook(notebook), exercise).is_stub_of(exercise)
    except Exception:  # noqa: BLE001  any problem is reported when the notebook is graded
        return False


def python_beside(notebook: Path, exercise: Exercise) -> Path:
    return notebook.with_name(exercise.file)


def others(folder: Path, exercise: Exercise) -> list[str]:
    """The names of the other ``.py`` and ``.ipynb`` files in FOLDER, sorted: a misnamed submission?
    None through a linked folder (it could list the course's files). Hidden files are left out."""
    wanted = {exercise.file, notebook_name(exercise)}
    try:
        if folder.is_symlink():
            return []
        with os.scandir(folder) as listing:
            names = [e.name for e in itertools.islice(listing, LOOK_AT) if e.name.endswith((".py", SUFFIX))
                     and not e.name.startswith(".") and e.name not in wanted and e.is_file()]
    except OSError:
        return []
    return sorted(_shown(n) for n in names)[:KEPT]


def _shown(name: str) -> str:
    """A name of the student's as reports may show it: bytes that are not UTF-8, control characters
    and bidirectional controls (which reorder what follows) become U+FFFD."""
    text = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return UNSHOWABLE.sub("\ufffd", text)


def elsewhere(workspace: Path, exercise: Exercise) -> list[str]:
    """Files named as EXERCISE's submission (or its notebook) anywhere else under WORKSPACE, as
    paths relative to it, shallowest first: a loose file, a workspace one folder down, a folder
    named in other letters. Bounded like discovery (LOOK_AT entries, SEARCH_DEPTH folders), links
    and hidden folders never followed. Not the student's work, so never named: a file in the
    folder of an exercise whose file has the same name (a namesake's), a copy of the untouched
    stub (a student bundle kept in the repository), anything in the course's own exercises/ and
    solutions/ folders (a course worked on in place), and what lies inside a folder that has the
    file's own name (``<id>/<file>/``: moving it there is impossible)."""
    wanted = {exercise.file, notebook_name(exercise)}
    right_place = {(exercise.id, name) for name in wanted}
    theirs = set(getattr(exercise, "namesakes", ()))
    course_folders = _identities(exercise.directory.parent.parent, exercise.solution_dir.parent)
    found = []
    for here, path in _files_under(workspace, frozenset(course_folders)):
        if len(found) == KEPT:
            break
        if here[-1] in wanted and here[:2] not in right_place \
                and not (len(here) > 1 and here[-2] in theirs) and not _is_stub(path, exercise):
            found.append("/".join(here))
    return [_shown(n) for n in found]


_walks: ContextVar[dict | None] = ContextVar("layout_walks", default=None)


@contextmanager
def one_walk() -> Iterator[None]:
    """Within the block, elsewhere() walks each workspace once, whatever the number of exercises
    it asks about (a student with 17 missing files: 1 walk, not 17). Scoped to one grade, one
    listing or one hash, never longer: a warm service must see the files as they are now."""
    if _walks.get() is not None:  # inside another: it is the one scope
        yield
        return
    token = _walks.set({})
    try:
        yield
    finally:
        _walks.reset(token)


def _files_under(workspace: Path, course_folders: frozenset) -> list[tuple[tuple[str, ...], Path]]:
    walks = _walks.get()
    if walks is None:
        return _walk(workspace, course_folders)
    key = (os.fspath(workspace), course_folders)
    if key not in walks:
        walks[key] = _walk(workspace, course_folders)
    return walks[key]


def _walk(workspace: Path, course_folders: frozenset) -> list[tuple[tuple[str, ...], Path]]:
    """The regular files under WORKSPACE with a .py or notebook suffix, breadth first and sorted by
    name in each folder, as (path parts, path): at most LOOK_AT entries read, SEARCH_DEPTH folders
    down, no link, hidden entry or folder of the course's own followed."""
    files, queue, budget = [], deque([(workspace, ())]), LOOK_AT
    while queue and budget > 0:
        folder, parts = queue.popleft()
        try:
            if folder.is_symlink():
                continue
            with os.scandir(folder) as listing:
                entries = sorted(itertools.islice(listing, budget), key=lambda e: e.name)
        except OSError:
            continue
        budget -= len(entries)
        for entry in entries:
            if entry.name.startswith("."):
                continue
            here = (*parts, entry.name)
            if entry.is_dir(follow_symlinks=False):
                if len(parts) < SEARCH_DEPTH and _identity(entry) not in course_folders:
                    queue.append((Path(entry.path), here))
            elif entry.name.endswith((".py", SUFFIX)) and entry.is_file(follow_symlinks=False):
                files.append((here, Path(entry.path)))
    return files


def _identity(entry: os.DirEntry) -> tuple[int, int] | None:
    try:
        status = entry.stat(follow_symlinks=False)
    except OSError:
        return None
    return status.st_dev, status.st_ino


def _identities(*folders: Path) -> set[tuple[int, int]]:
    found = set()
    for folder in folders:
        try:
            status = folder.stat()
        except OSError:
            continue
        found.add((status.st_dev, status.st_ino))
    return found


def _is_stub(path: Path, exercise: Exercise) -> bool:
    return notebook_is_untouched(path, exercise) if is_notebook(path) else exercise.is_untouched(path)


def in_its_place(folder: Path, exercise: Exercise) -> list[str]:
    """What stands in for EXERCISE's missing file in FOLDER (``WORKSPACE/<exercise-id>``): a file of
    the right name elsewhere in the workspace (the stronger clue), else the other files of the
    folder (misnamed?)."""
    return elsewhere(folder.parent, exercise) or others(folder, exercise)


def misnamed(file: str, found: list[str], exercise_id: str) -> str:
    """What to tell a student whose FILE is missing while FOUND (from in_its_place()) are there:
    rename a file of its folder, or move one of the right name into EXERCISE_ID's folder."""
    more = "" if len(found) <= NAMED else f" and {len(found) - NAMED} more" if len(found) < KEPT else " and more"
    listed = ", ".join(found[:NAMED]) + more
    notebook = Path(file).stem + SUFFIX
    targets = {notebook if is_notebook(Path(name)) else file for name in found}
    moved = all(Path(name).name in (file, notebook) for name in found)  # right name, wrong folder
    if moved:
        targets = {f"{exercise_id}/{t}" for t in targets}
        file, notebook = f"{exercise_id}/{file}", f"{exercise_id}/{notebook}"
    verb = "move" if moved else "rename"
    place = " in the wrong folder" if moved else ""
    if len(found) == 1:
        return f"found {listed}{place}: {verb} it to {targets.pop()}"
    target = targets.pop() if len(targets) == 1 else f"{file} (or {notebook} for a notebook)"
    return f"found {listed}{place}: {verb} the one with your answer to {target}"


def absent(file: str, found: list[str], exercise_id: str) -> str:
    """FILE is missing and FOUND (from in_its_place(), not empty) are in its place: what every report says."""
    return f"{file} does not exist; {misnamed(file, found, exercise_id)}"
