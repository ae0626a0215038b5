"""The student's workspace: ``DIR/<exercise-id>/<file>.py`` (or ``<stem>.ipynb``) plus optional state in ``DIR/.learn/``.

Starting an exercise copies its stub and never overwrites a student's file; resetting keeps a
durable backup before the stub replaces the file (atomically, never through a link). The state
file records the course, hints seen, best scores and whether new exercises start as notebooks; a
workspace without it (a repository cloned in CI, files collected by hand) grades the same way.
Every change to the state is a read-modify-write under a lock (``.learn/state.lock``), so two
commands at once (``learn watch`` recording a grade while ``learn hint`` reveals one) never lose
each other's change. A damaged state file is set aside under that lock, with one warning
(grader.state_file). Which file of an exercise is graded is grader.notebook.layout's rule.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

from grader import state_file
from grader.errors import WorkspaceError
from grader.notebook import layout
from grader.storage import sync_folder, write_atomic

if TYPE_CHECKING:  # annotations only: finding a workspace does not load YAML
    from grader.course import Course, Exercise

STATE_DIR = ".learn"
STATE_FILE = "state.json"
LOCK_FILE = "state.lock"
WARNING = "DON'T EDIT THIS FILE! learn keeps your progress here."


def find_workspace(start: Path) -> Path:
    """The nearest folder at or above START that holds .learn/, else START itself."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / STATE_DIR).is_dir():
            return folder
    return start


def _to_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _holds_the_stub(file: Path, exercise: Exercise) -> bool:
    """FILE, a .py or a notebook, still holds EXERCISE's stub: not started, as grading says."""
    return layout.notebook_is_untouched(file, exercise) if layout.is_notebook(file) else exercise.is_untouched(file)


@dataclass
class Workspace:
    root: Path
    warn: Callable[[str], None] = field(default=_to_stderr, repr=False)  # what to do with a warning

    @property
    def state_path(self) -> Path:
        return self.root / STATE_DIR / STATE_FILE

    def candidates(self, exercise: Exercise) -> tuple[Path, Path]:
        """(the .py, the notebook): the files that may hold the student's work on EXERCISE."""
        return layout.candidates(self.root / exercise.id, exercise)

    def student_file(self, exercise: Exercise) -> Path:
        """The exercise's file: its .py or its notebook (grader.notebook.layout), else the one to create."""
        return layout.submission_file(self.root / exercise.id, exercise, self.load_state().get("format", "python"))

    def load_state(self) -> dict[str, Any]:
        """The state, every field checked; a damaged file is set aside (once, under the lock)."""
        state, damage = state_file.read(self.state_path)
        if not damage:
            return state
        try:
            with self._locked():
                return self._read_locked()
        except OSError as exc:  # no lock to be had (a read-only workspace): the file stays where it is
            self.warn(state_file.left_in_place(self.state_path, damage, exc))
            return {}

    def _read_locked(self) -> dict[str, Any]:
        """The state, read with the lock held: the file read is the one set aside if it is damaged."""
        state, damage = state_file.read(self.state_path)
        if damage:
            self.warn(state_file.set_aside(self.state_path, damage))
        return state

    def save_state(self, state: dict[str, Any]) -> None:
        state = {"_": WARNING, **{k: v for k, v in state.items() if k != "_"}}
        write_atomic(self.state_path, json.dumps(state, indent=2, sort_keys=True) + "\n")

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """No other learn process reads-to-change, sets aside or writes the state meanwhile."""
        folder = self.root / STATE_DIR
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # released when fd closes, even if this process is killed
            yield
        finally:
            os.close(fd)

    @contextlib.contextmanager
    def changing_state(self) -> Iterator[dict[str, Any]]:
        """The state to change in place, saved on leaving; no other learn process changes it meanwhile."""
        with self._locked():
            state = self._read_locked()
            yield state
            self.save_state(state)

    def update_state(self, **changes: Any) -> dict[str, Any]:
        with self.changing_state() as state:
            state.update(changes)
        return state

    @property
    def has_state(self) -> bool:
        return (self.root / STATE_DIR).is_dir()

    def start(self, exercise: Exercise, course_root: Path | None, fmt: str | None = None) -> bool:
        """Copy the stub (as a notebook when FMT, else the workspace's format, is ``notebook``) unless
        the student already has a file for the exercise. True when it was created. Naming FMT
        also makes it the workspace's format for the exercises started after this one."""
        wanted = fmt or self.load_state().get("format", "python")
        python, notebook = self.candidates(exercise)
        target, other = (notebook, python) if wanted == "notebook" else (python, notebook)
        if not os.path.lexists(target) and os.path.lexists(other):
            if fmt is None:
                target = other  # keep working in the file the student has
            elif not _holds_the_stub(other, exercise):
                raise WorkspaceError(f"{other} already holds your work, so learn start will not put a "
                                     f"{target.suffix} file beside it. Keep working in it, or move it out of "
                                     f"{other.parent} and run learn start again.")
        copied = False
        if target.is_symlink() or (target.exists() and not target.is_file()):
            raise WorkspaceError(f"{target} exists and is not a regular file; move it away first")
        if not target.exists():
            self._write_stub(exercise, target)  # atomically: never a half-written stub
            copied = True
        with self.changing_state() as state:
            if fmt is not None:
                state["format"] = fmt
            state["current"] = exercise.id
            if course_root is not None:
                state["course"] = str(course_root)
            state.setdefault("started", {})[exercise.id] = state.get("started", {}).get(exercise.id, time.time())
        return copied

    def to_reset(self, exercise: Exercise) -> list[Path]:
        """The files `learn reset` restores: the one graded, and the other format's file when it holds
        work too (layout's rule 4). Resetting only the notebook would leave the .py's old work to be
        graded (rule 3), which is not the fresh start the student asked for."""
        target = self.student_file(exercise)
        python, notebook = self.candidates(exercise)
        other = python if target == notebook else notebook
        if not other.is_file() or other.is_symlink():
            return [target]
        return [target] if _holds_the_stub(other, exercise) else [target, other]

    def reset(self, exercise: Exercise, files: list[Path]) -> list[Path]:
        """Restore the stub in each of FILES (to_reset's, as the student confirmed them); return
        where they were backed up."""
        backups = []
        for target in files:
            if target.is_file() and not target.is_symlink():
                backups.append(self._back_up(exercise, target))
            self._write_stub(exercise, target)  # atomic, and never through a link
        return backups

    def _back_up(self, exercise: Exercise, target: Path) -> Path:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        backup = self.root / STATE_DIR / "backups" / f"{exercise.id}-{stamp}-{target.name}"
        n = 1
        while backup.exists():  # two resets within a second keep both backups
            n += 1
            backup = backup.with_name(f"{exercise.id}-{stamp}-{n}-{target.name}")
        write_atomic(backup, target.read_bytes())  # durable (folder included) before the file is replaced
        sync_folder(backup.parent.parent)
        return backup

    @staticmethod
    def _write_stub(exercise: Exercise, target: Path) -> None:
        if layout.is_notebook(target):
            from grader.notebook.document import write_notebook
            from grader.notebook.starter import exercise_notebook
            write_notebook(target, exercise_notebook(exercise))
        else:
            write_atomic(target, exercise.stub_path.read_bytes())

    def next_hint(self, exercise: Exercise) -> tuple[int, str]:
        """Reveal one more hint (1-based number, text); the last one repeats once all are seen."""
        with self.changing_state() as state:
            seen = int(state.get("hints", {}).get(exercise.id, 0))
            number = min(seen + 1, len(exercise.hints))
            state.setdefault("hints", {})[exercise.id] = number
        return number, exercise.hints[number - 1]

    def record_grade(self, exercise_id: str, status: str, score: float, max_score: float) -> None:
        with self.changing_state() as state:
            best = state.setdefault("best", {})
            previous = best.get(exercise_id, {}).get("score", -1)
            if score >= previous:
                best[exercise_id] = {"score": score, "max": max_score}
            if status == "passed":
                state.setdefault("passed", {})[exercise_id] = True
            state.setdefault("last", {})[exercise_id] = status

    def progress(self, course: Course) -> list[dict[str, Any]]:
        """Per exercise: status (not started, in progress, passed), best score, and a note: what
        to rename when the exercise's file is missing and other files are in its folder."""
        state = self.load_state()
        with layout.one_walk():  # one search of the workspace for every missing file
            return [self._progress_row(exercise, state) for exercise in course.exercises]

    def _progress_row(self, exercise: Exercise, state: dict[str, Any]) -> dict[str, Any]:
        file = self.student_file(exercise)
        note = ""
        if state.get("passed", {}).get(exercise.id):
            status = "passed"
        elif not file.is_file():
            status = "not started"
            found = layout.in_its_place(file.parent, exercise)
            note = layout.misnamed(exercise.file, found, exercise.id) if found else ""
        elif exercise.id in state.get("best", {}) or not _holds_the_stub(file, exercise):
            status = "in progress"  # a stub graded before was reset: its best score stays on the line
        else:
            status = "not started"  # as `learn grade` calls an untouched stub
        best = state.get("best", {}).get(exercise.id)
        return {"exercise": exercise, "status": status, "note": note,
                "best": best["score"] if best else None, "max": exercise.points}

    def next_exercise(self, course: Course) -> Exercise:
        for row in self.progress(course):
            if row["status"] != "passed":
                return row["exercise"]
        return course.exercises[-1]
