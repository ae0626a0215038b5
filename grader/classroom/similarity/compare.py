"""A class compared: which folder holds the submissions, and every exercise scored."""
from __future__ import annotations

from pathlib import Path

from grader.classroom.similarity.scoring import (ExerciseReport, Submission, code_submission, read_submission,
                                                 score_exercise, stub_runs)
from grader.course import Course, Exercise
from grader.errors import LearnError
from grader.notebook.layout import is_notebook, submission_file


def submissions_of(path: Path) -> Path:
    """PATH itself (a folder of student workspaces), or the submissions folder a grade-all
    results folder names in its run.json."""
    from grader.classroom.class_files import read_run
    run = read_run(path)
    if run is None:
        return path
    recorded = run.get("submissions")
    if not recorded:
        raise LearnError(f"{path} is a results folder that does not name its submissions (graded by an older "
                         "learn): pass the submissions folder instead")
    if not Path(recorded).is_dir():
        raise LearnError(f"{path} was graded from {recorded}, which is not here: pass the submissions folder")
    return Path(recorded)


def compare_class(course: Course, students: list[tuple[str, Path]]) -> list[ExerciseReport]:
    """Every exercise of COURSE across STUDENTS ((name, workspace) pairs). A missing file or the
    untouched stub is not compared (nothing to copy); an unreadable one is listed as skipped. The
    file compared is the one graded (grader.notebook.layout): a notebook by its answer's code."""
    reports = []
    for exercise in course.exercises:
        present = [(name, submission_file(workspace / exercise.id, exercise)) for name, workspace in students]
        present = [(name, path) for name, path in present if path.exists() or path.is_symlink()]
        given = stub_runs(exercise.stub_path) if len(present) > 1 else set()   # nothing to compare: skip the work
        stub = exercise.stub_path.read_bytes()
        subs: list[Submission] = []
        skipped: list[tuple[str, str]] = []
        seen: dict[bytes, Submission] = {}
        for name, path in present:
            sub = _notebook_submission(name, path, exercise, given, stub, seen) if is_notebook(path) else \
                read_submission(name, path, given, stub, seen)   # never a blocking read: see read_submission
            if isinstance(sub, str):
                skipped.append((name, sub))
            elif sub is not None and sub.prints:
                subs.append(sub)
        reports.append(score_exercise(exercise.id, exercise.file, subs, skipped))
    return reports


def _notebook_submission(student: str, notebook: Path, exercise: Exercise, given: set[int], stub: bytes,
                         seen: dict[bytes, Submission]) -> Submission | str | None:
    """The notebook's answer code, compared as a .py is (read as grading reads it: capped, never
    run); a reason when it cannot be read, or when notebook support is not installed here."""
    from grader.notebook.answer import extract
    from grader.notebook.document import NotebookProblem, NotebookSupportMissing, read_notebook
    try:
        answer = extract(read_notebook(notebook), exercise, notebook.name)
    except NotebookSupportMissing:
        return "a notebook, not compared: notebook support (nbformat) is not installed here"
    except NotebookProblem as problem:
        return f"a notebook that cannot be read, not compared ({str(problem)[:120]})"
    if answer.is_stub_of(exercise):
        return None
    return code_submission(student, answer.source.encode("utf-8", "replace"), given, stub, seen)
