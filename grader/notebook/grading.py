"""Grading a notebook: read it as data, extract the answer, grade that code as a ``.py`` file.

The extracted code is written to a private temporary folder as ``<stem>.py`` (never into the
student's workspace) and graded by :func:`grader.grading.grade_exercise` exactly as a student's
``.py`` file: the same fork server, worker, limits, seed and hidden tests. Its replies pass
through :class:`grader.notebook.cells.CellBackend`, and the finished result is pointed at the
notebook's cells. A notebook that cannot be graded as it is (unreadable, too large, no answer,
two conflicting answers, or edited beside an edited ``.py``) gets an ``error`` result whose
message says what to do; the notebook itself is never modified.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Iterator
from contextlib import contextmanager

from grader.course import Exercise
from grader.notebook.answer import Answer, extract
from grader.notebook.cells import CellBackend, Cells
from grader.notebook.document import LARGE_OUTPUTS, NotebookProblem, output_bytes, read_notebook
from grader.notebook.layout import python_beside
from grader.results import ExerciseResult, Status


def read_answer(exercise: Exercise, notebook: Path) -> tuple[Answer, list[str]]:
    """The answer in NOTEBOOK and the notes about how it was read (NotebookProblem if none)."""
    document = read_notebook(notebook)
    answer = extract(document, exercise, notebook.name)
    notes = list(answer.notes)
    outputs = output_bytes(document)
    if outputs > LARGE_OUTPUTS:
        notes.append(f"{notebook.name} holds about {outputs / 1024 ** 2:.1f} MB of outputs and attachments. "
                     "They are never read by the grader; clearing them (Edit > Clear Outputs of All Cells) "
                     "keeps the file small.")
    python = python_beside(notebook, exercise)
    if os.path.lexists(python) and not exercise.is_untouched(python) and not answer.is_stub_of(exercise):
        raise NotebookProblem(
            f"both {exercise.file} and {notebook.name} in {exercise.id}/ hold your work, and learn grades "
            f"one file per exercise. Move the one you do not want graded out of {exercise.id}/ "
            "and grade again. Nothing was graded, nothing was deleted.")
    return answer, notes


@contextmanager
def extracted(exercise: Exercise, answer: Answer) -> Iterator[Path]:
    """ANSWER's code as EXERCISE's file name, laid out as a workspace (``<id>/<file>``) in a private
    folder removed afterwards: graders hide a file's workspace from workers, and that is this
    folder, never the system's temporary folder around it."""
    folder = Path(tempfile.mkdtemp(prefix="learn-notebook-"))
    try:
        path = folder / exercise.id / exercise.file
        path.parent.mkdir()
        path.write_text(answer.source, encoding="utf-8")
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def grade_notebook(exercise: Exercise, notebook: Path, grade_file: Callable[..., ExerciseResult],
                   blank: Callable[[Status, str], ExerciseResult], skip_stub: bool = True,
                   **grading: Any) -> ExerciseResult:
    """Grade NOTEBOOK's answer with GRADE_FILE(exercise, extracted_file, wrap=..., **GRADING): the
    function that grades a .py file and calls this one for a notebook (grading.grade_exercise,
    partial.check_exercise). BLANK(status, why) is that function's result for a file it did not
    grade; SKIP_STUB: an answer that is still the stub is not started, as an untouched .py is."""
    started = time.monotonic()
    try:
        answer, notes = read_answer(exercise, notebook)
    except NotebookProblem as problem:
        result = blank(Status.ERROR, str(problem))
        result.file = notebook.name
        return result
    if skip_stub and answer.is_stub_of(exercise):
        result = blank(Status.NOT_STARTED, f"the answer in {notebook.name} is still the untouched stub")
        result.file, result.notes = notebook.name, notes
        return result
    with extracted(exercise, answer) as path:
        cells = Cells(answer, exercise.file, notebook.name)
        result = grade_file(exercise, path, wrap=lambda backend: CellBackend(backend, cells), **grading)
    cells.result(result)
    result.notes = notes + result.notes
    result.duration = time.monotonic() - started
    return result
