"""``%load_ext grader``, then ``%learn grade softmax``, ``%learn hint softmax``, ``%learn list``.

The IPython extension: the only module that imports IPython. It runs in the student's kernel,
which is student code, so it grades nothing itself: ``%learn grade`` hands a request to
:func:`grader.notebook.service.grade` (``learn grade`` in a fresh process today, the warm grading
service later) and renders the JSON results it gets back: the HTML report inline, in a sandboxed
frame (its styles cannot leak into the notebook, and it runs no script), with the terminal
report as the plain-text version.

What is graded, and the magic says which:

- ``%learn grade [EXERCISE]``: the exercise's file as saved on disk (the notebook, or the .py),
  exactly what ``learn grade`` and the instructor's CI grade. Unsaved edits are not on disk, so
  the message says when the file was last saved.
- ``%%learn grade [EXERCISE]`` as the first line of a cell: that cell's code, as if it were the
  whole answer file (for trying an idea without saving; nothing is recorded). Line numbers in
  its report are the cell's as the student sees it, the ``%%learn`` line being line 1, and its
  "Reproduce this run" line says to put the cell's code in the file first: ``learn grade``
  reads the file.

Without EXERCISE, the exercise is the folder the kernel runs in (Jupyter starts a notebook's
kernel in the notebook's folder: ``WORKSPACE/softmax/``); a kernel in any other folder is told
which exercise folders it can name.
"""
from __future__ import annotations

import html
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from IPython.core.magic import Magics, line_cell_magic, magics_class
from IPython.display import display

from grader.notebook.service import GradeRequest, grade
from grader.workspace import STATE_DIR, Workspace, find_workspace

if TYPE_CHECKING:
    from grader.course import Course

USAGE = """Usage (after %load_ext grader):
  %learn grade [EXERCISE] [--seed N]   grade the exercise's file as saved on disk
  %%learn grade [EXERCISE]             (first line of a cell) grade this cell's code
  %learn hint [EXERCISE]               the next hint, gentle first
  %learn list                          every exercise, its status and your best score
Without EXERCISE: the exercise whose folder this notebook is in."""
FRAME_HEIGHT = "36em"


def locate(exercise: str | None, cwd: Path | None = None) -> tuple[Path, str | None]:
    """(workspace, exercise) for a kernel running in CWD."""
    cwd = (cwd or Path.cwd()).resolve()
    root = find_workspace(cwd)
    if (root / STATE_DIR).is_dir():
        inside = cwd.relative_to(root).parts
        return root, exercise or (inside[0] if inside else None)
    if exercise is None or cwd.name == exercise:
        return cwd.parent, exercise or cwd.name
    return cwd, exercise


def course_of(workspace: Path) -> Course | None:
    """The course WORKSPACE grades against; None when it does not load (`learn` itself then says why)."""
    from grader.cli.options import resolve_course  # the course's YAML only
    try:
        return resolve_course(_course_of(workspace), Workspace(workspace))
    except Exception:  # noqa: BLE001  a LearnError, shown by the command that needs the course
        return None


def name_one(usage: str, course: Course | None, cwd: Path | None = None) -> str:
    """One line for a kernel that is not in an exercise's folder: which folders USAGE can name."""
    cwd = (cwd or Path.cwd()).resolve()
    root = find_workspace(cwd)
    recorded = (root / STATE_DIR).is_dir()
    here = root if recorded else cwd  # where locate() looks for a named exercise
    ids = {e.id for e in course.exercises} if course else set()
    try:
        folders = sorted(p.name for p in here.iterdir() if p.name in ids and p.is_dir())
    except OSError:
        folders = []
    where = "the workspace itself" if recorded and cwd == root else f"{cwd.name}/, not an exercise's folder"
    named = f"exercise folders here: {', '.join(folders)}" if folders else "%learn list shows the exercises"
    return f"This kernel runs in {where}: name the exercise, {usage} EXERCISE ({named})."


def _ago(path: Path) -> str:
    try:
        seconds = max(time.time() - path.stat().st_mtime, 0)
    except OSError:
        return ""
    if seconds < 90:
        return f", saved {seconds:.0f} s ago"
    return f", saved {seconds / 60:.0f} min ago" if seconds < 5400 else f", saved {seconds / 3600:.0f} h ago"


def report_frame(page: str) -> str:
    """The HTML report PAGE inline: a sandboxed frame, so its CSS stays in it and nothing runs."""
    return (f'<iframe title="learn report" sandbox srcdoc="{html.escape(page, quote=True)}" '
            f'style="width:100%;height:{FRAME_HEIGHT};border:1px solid #8884;border-radius:4px"></iframe>')


def show_reply(reply: object, what: str, cell_of: str = "") -> None:
    """The report of REPLY inline; CELL_OF, the file a %%learn cell was graded in place of (its
    "Reproduce this run" line says to put the cell there first: `learn grade` reads the file)."""
    from grader import reports
    result = getattr(reply, "result", None)
    if result is None:
        print(f"learn could not grade {what}:\n{getattr(reply, 'problem', '')}", file=sys.stderr)
        return
    display({"text/html": report_frame(reports.render(result, "html", cell_of=cell_of)),
             "text/plain": reports.render(result, "terminal", cell_of=cell_of)}, raw=True)


def _course_of(workspace: Path) -> Path | None:
    recorded = Workspace(workspace).load_state().get("course")
    return Path(recorded) if recorded else None


def _run(*args: str, workspace: Path | None) -> subprocess.CompletedProcess:
    """`learn ARGS` for WORKSPACE; None: where the kernel runs, and learn finds (or misses) it."""
    where = ["--workspace", str(workspace)] if workspace else []
    return subprocess.run([sys.executable, "-m", "grader", *args, *where],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, cwd=str(workspace or Path.cwd()),
                          env={**os.environ, "NO_COLOR": "1"}, timeout=120)


@magics_class
class LearnMagics(Magics):
    @line_cell_magic
    def learn(self, line: str, cell: str | None = None) -> None:
        try:
            words = shlex.split(line)
        except ValueError as exc:
            print(f"{exc}\n\n{USAGE}", file=sys.stderr)
            return
        seed = None
        if "--seed" in words:
            at = words.index("--seed")
            if at + 1 >= len(words) or not words[at + 1].isdigit():
                print(f"--seed needs a whole number\n\n{USAGE}", file=sys.stderr)
                return
            seed = int(words[at + 1])
            del words[at:at + 2]
        if not words or words[0] not in ("grade", "hint", "list") or len(words) > 2:
            print(USAGE, file=sys.stderr)
            return
        command, named = words[0], (words[1] if len(words) > 1 else None)
        workspace, exercise = locate(named)
        if command == "list":
            # Outside any workspace learn itself says so (and lists the default course): LOCATE's
            # guess, the folder above, would list a stranger's folder as if it were one.
            recorded = (find_workspace(Path.cwd()) / STATE_DIR).is_dir()
            done = _run("list", workspace=workspace if recorded else None)
            print(done.stdout + done.stderr, end="")
            return
        # A folder's name is only a guess at the exercise: outside one, say which exist, rather than
        # "no exercise named 'notes'" about a name the student never typed.
        course = course_of(workspace) if named is None else None
        if exercise is None or (course is not None and exercise not in {e.id for e in course.exercises}):
            usage = f"%learn {command}" if cell is None or command != "grade" else "%%learn grade"
            print(name_one(usage, course), file=sys.stderr)
        elif command == "hint":
            done = _run("hint", exercise, workspace=workspace)
            if done.returncode:
                print(done.stderr.strip(), file=sys.stderr)
            else:
                display({"text/markdown": done.stdout, "text/plain": done.stdout}, raw=True)
        elif cell is None:
            self.grade_saved(workspace, exercise, seed)
        else:
            self.grade_cell(workspace, exercise, cell, seed)

    def grade_saved(self, workspace: Path, exercise: str, seed: int | None) -> None:
        reply = grade(GradeRequest(workspace, (exercise,), seed))
        result = reply.result
        if result is not None and result.exercises:
            file = workspace / exercise / result.exercises[0].file
            print(f"Graded {exercise}/{file.name} as saved on disk{_ago(file)} (the file `learn grade` and "
                  "your instructor grade; save the notebook first, unsaved edits are not graded).")
        show_reply(reply, f"{exercise}")

    def grade_cell(self, workspace: Path, exercise: str, code: str, seed: int | None) -> None:
        from grader.cli.options import resolve_course  # the course's YAML only: its stub's file name
        course = _course_of(workspace)
        try:
            found = resolve_course(course, Workspace(workspace)).get(exercise)
        except Exception as exc:  # noqa: BLE001  a LearnError: the message says what to fix
            print(f"learn could not grade this cell: {exc}", file=sys.stderr)
            return
        on_disk = Workspace(workspace).student_file(found)
        with tempfile.TemporaryDirectory(prefix="learn-cell-") as scratch:
            target = Path(scratch) / exercise / found.file
            target.parent.mkdir()
            # The %%learn line stays, as a comment: line N of the file is line N of the cell as
            # the student sees it (and counts it in Jupyter), in syntax errors and tracebacks alike.
            target.write_text(f"# %%learn grade\n{code}", encoding="utf-8")
            print(f"Graded the code of this cell as {exercise}/{found.file} (%%learn grades the cell it starts; "
                  "the file on disk is not read and nothing is recorded; line numbers are the cell's).")
            show_reply(grade(GradeRequest(Path(scratch), (exercise,), seed, course)), "this cell",
                       cell_of=f"{exercise}/{on_disk.name}")


def load(ipython: object) -> None:
    ipython.register_magics(LearnMagics)  # type: ignore[attr-defined]
