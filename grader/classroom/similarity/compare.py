"""A class compared: which folder holds the submissions, and every exercise scored."""
from __future__ import annotations

from pathlib import Path

from grader.classroom.similarity.scoring import ExerciseReport, Submission, read_submission, score_exercise, stub_runs
from grader.course import Course
from grader.errors import LearnError


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
    untouched stub is not compared (nothing to copy); an unreadable one is listed as skipped."""
    reports = []
    for exercise in course.exercises:
        present = [(name, workspace / exercise.id / exercise.file) for name, workspace in students]
        present = [(name, path) for name, path in present if path.exists() or path.is_symlink()]
        given = stub_runs(exercise.stub_path) if len(present) > 1 else set()   # nothing to compare: skip the work
        stub = exercise.stub_path.read_bytes()
        subs: list[Submission] = []
        skipped: list[tuple[str, str]] = []
        seen: dict[bytes, Submission] = {}
        for name, path in present:
            sub = read_submission(name, path, given, stub, seen)   # never a blocking read: see read_submission
            if isinstance(sub, str):
                skipped.append((name, sub))
            elif sub is not None and sub.prints:
                subs.append(sub)
        reports.append(score_exercise(exercise.id, exercise.file, subs, skipped))
    return reports
