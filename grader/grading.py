"""Grades a workspace: student files in, one CourseResult out.

The fork server is started before any instructor material is loaded, so the clean process
that workers are forked from has never seen the reference or the hidden tests.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable

from grader import __version__
from grader.course import Course, Exercise
from grader.diagnosis import refuted
from grader.forbidden import find_violations
from grader.notebook.layout import absent, in_its_place, is_notebook, misnamed, one_walk, submission_file
from grader.sandbox import ForkServer
from grader.proxy import ENDED, FORGED, ImportForged, ImportTimedOut, Start, StudentProxy, WorkerBackend
from grader.spelling import misspelt
from grader.sandbox import replies
from grader.results import CourseResult, Diagnosis, ExerciseResult, Status, TestResult
from grader.runner import forget_judgments, run_tests
from grader.sources import Source, read_source
from grader.solutions import Solution, load_solution

_solutions: dict[Path, Solution] = {}


def solution_for(exercise: Exercise) -> Solution:
    """The exercise's instructor side, loaded once per process."""
    key = exercise.solution_dir
    if key not in _solutions:
        _solutions[key] = load_solution(exercise)
    return _solutions[key]


def forget_solutions() -> None:
    """Drop the instructor material loaded so far: the next grading reads the files as they are now."""
    _solutions.clear()
    forget_judgments()  # what the old tests did with the reference's answers says nothing of the new


def _blank_tests(solution: Solution, status: Status, message: str) -> list[TestResult]:
    return [TestResult(c.id, c.description, status, 0.0, c.points, message=message, visibility=c.visibility)
            for c in solution.tests]


def _exercise_result(exercise: Exercise, status: Status, **fields: object) -> ExerciseResult:
    return ExerciseResult(id=exercise.id, title=exercise.title, module=exercise.module,
                          file=exercise.file, status=status, score=0.0,
                          max_score=float(exercise.points), **fields)  # type: ignore[arg-type]


def blank_result(exercise: Exercise, status: Status, why: str, error: str = "") -> ExerciseResult:
    """EXERCISE not graded: every test STATUS with the message WHY; ERROR defaults to WHY."""
    return _exercise_result(exercise, status, error=error or why,
                            tests=_blank_tests(solution_for(exercise), status, why))


def grade_exercise(exercise: Exercise, student_file: Path, seed: int, server: ForkServer,
                   reveal_hidden: bool = False, count_stub: bool = False,
                   after_due: bool = False, wrap: Callable[[Any], Any] | None = None) -> ExerciseResult:
    """Grade one student file. COUNT_STUB grades an untouched stub instead of calling it not started.
    A notebook is graded as the code of its answer cells (grader.notebook.grading); WRAP wraps the
    worker backend (that is how the notebook's cells are named in what the worker answers)."""
    if is_notebook(student_file):
        from grader.notebook.grading import grade_notebook
        return grade_notebook(exercise, student_file, grade_exercise, skip_stub=not count_stub,
                              blank=lambda status, why: blank_result(exercise, status, why),
                              seed=seed, server=server, reveal_hidden=reveal_hidden, count_stub=True,
                              after_due=after_due)
    started = time.monotonic()
    solution = solution_for(exercise)
    if not student_file.is_file():
        found = in_its_place(student_file.parent, exercise)  # named, never graded: the contract is the file name
        return _exercise_result(exercise, Status.NOT_STARTED, found=found, error=missing(exercise, found),
                                tests=_blank_tests(solution, Status.NOT_STARTED, absent(exercise.file, found, exercise.id)
                                                   if found else f"{exercise.file} is missing"), missing=True)
    if not count_stub and exercise.is_untouched(student_file):
        return _exercise_result(exercise, Status.NOT_STARTED,
                                tests=_blank_tests(solution, Status.NOT_STARTED, "not started"),
                                error=f"{exercise.file} is still the untouched stub")
    try:
        source = read_source(student_file)
    except OSError as exc:
        source, unreadable = None, f"cannot read {exercise.file}: {exc.strerror}"
    else:
        unreadable = f"{exercise.file} is not a regular file" if source is None else \
            Source.refusal(exercise.file) if source.too_large else ""
    if source is None or unreadable:
        return _exercise_result(exercise, Status.ERROR, error=unreadable,
                                tests=_blank_tests(solution, Status.ERROR, "the file could not be graded"))
    violations = find_violations(source.text, exercise.forbidden)
    # No worker may see the course or the student's folder (masked where its root would show them).
    server.hide(exercise.solution_dir.parent.parent, student_file.parent.parent)
    backend = WorkerBackend(server, student_file, exercise.time_limit)
    backend = wrap(backend) if wrap else backend
    try:
        hello = backend.start()
        output = _hello_output(hello)
        if not isinstance(hello, replies.Hello):
            status, error = import_failure(exercise, hello)
            result = _exercise_result(exercise, status, error=error, output=output, violations=violations,
                                      tests=_blank_tests(solution, status, error),
                                      exception=hello.error if isinstance(hello, replies.ImportFailed) else None)
        elif _defines_none(exercise, hello):
            why = _nothing_to_grade(exercise, source, hello.functions)
            result = _exercise_result(exercise, Status.ERROR, error=why, output=output, violations=violations,
                                      tests=_blank_tests(solution, Status.ERROR, why))
        else:
            proxy = StudentProxy(backend, exercise.functions, exercise.file)
            tests = run_tests(solution, proxy, seed, reveal_hidden, after_due, source_lines=source.text.count("\n") + 1)
            _drop_refuted(tests, solution)
            result = _exercise_result(exercise, Status.FAILED, tests=tests, output=output, violations=violations)
            _score(result)
    finally:
        backend.close()
    result.duration = time.monotonic() - started
    return result


def _hello_output(hello: Start) -> str:
    output = getattr(hello, "output", replies.NO_OUTPUT)
    return output.text[:4000]


def _defines_none(exercise: Exercise, hello: replies.Hello) -> bool:
    """The file defines none of the exercise's functions (a list cut at its cap proves nothing)."""
    return len(hello.functions) < replies.LIST_CAP and not set(exercise.functions) & set(hello.functions)


def _nothing_to_grade(exercise: Exercise, source: Source, defined: tuple[str, ...] = ()) -> str:
    """Why a file that defines none of the exercise's functions gets no test run: one reason,
    instead of "does not define dot()" in every test and a smallest input for none."""
    names = [f"{name}()" for name in exercise.functions]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    code = [line for line in source.text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if not code:
        return (f"{exercise.file} is empty{' (only comments)' if source.text.strip() else ''}: write "
                f"{listed} in it.\n`learn reset {exercise.id}` brings back the stub.")
    close = [match for name in exercise.functions if (match := misspelt(name, defined))]
    typo = f" (it defines {', '.join(f'{c}()' for c in close)}: a typo?)" if close else ""
    return (f"{exercise.file} defines none of the exercise's functions, {listed}{typo}: "
            "keep the function names of the stub")


def missing(exercise: Exercise, found: list[str]) -> str:
    """Why EXERCISE's file was not graded when it does not exist; FOUND: what stands in its place
    (grader.notebook.layout.in_its_place)."""
    where = f"{exercise.id}/{exercise.file} does not exist"
    return f"{where}; {misnamed(exercise.file, found, exercise.id)}" if found else f"{where}: run `learn start {exercise.id}`"


def import_failure(exercise: Exercise, hello: Start) -> tuple[Status, str]:
    if isinstance(hello, ImportTimedOut):
        return Status.TIMEOUT, (f"importing {exercise.file} did not finish within "
                                f"{hello.seconds:g} s: is there a loop at the top level of the file?")
    if isinstance(hello, replies.ImportFailed):
        return Status.ERROR, f"{exercise.file} could not be imported:\n" + hello.error.traceback()
    if isinstance(hello, ImportForged):
        return Status.ERROR, (f"the process importing {exercise.file} sent a reply the grader cannot accept "
                              f"({hello.reason}): {FORGED}")
    return Status.ERROR, f"importing {exercise.file} ended its process before it finished ({ENDED})"


def _drop_refuted(tests: list[TestResult], solution: Solution) -> None:
    """A catalogued mistake that the student's outputs in other tests refute is not named, in any
    test (grader.diagnosis.refuted): each test that named it names the mistake that refutes it."""
    named: dict[str, set[str]] = {}
    for test in tests:
        for d in test.diagnoses:
            if d.kind == "catalogued":
                named.setdefault(d.id, set()).add(test.name)
    gone = refuted(named, solution)
    for test in tests:
        test.diagnoses = [d for d in test.diagnoses if d.id not in gone]


def _score(result: ExerciseResult) -> None:
    earned = sum(t.points for t in result.tests)
    diagnoses: dict[str, Diagnosis] = {}
    for test in result.tests:  # one per mistake, with every test it came from
        for d in test.diagnoses:
            diagnoses.setdefault(d.id, Diagnosis(d.id, d.message, d.kind, [])).tests.append(test.name)
    result.diagnoses = list(diagnoses.values())
    if result.violations:
        result.status, result.score = Status.ERROR, 0.0
        result.error = "forbidden calls: the exercise scores 0 until they are removed"
        for test in result.tests:  # each line says 0/1, as the total does (it said ✓ 1/1 under 0/10)
            test.points = 0.0
        return
    result.score = round(earned, 2)
    if any(t.status is Status.GRADER_ERROR for t in result.tests):  # its score is not final (exit status 3)
        result.status = Status.GRADER_ERROR
        return
    result.status = Status.PASSED if all(t.status is Status.PASSED for t in result.tests) else Status.FAILED


def grade_workspace(course: Course, workspace: Path, exercise_ids: list[str], seed: int,
                    server: ForkServer | None = None, student: str = "",
                    reveal_hidden: bool = False, after_due: bool = False) -> CourseResult:
    """AFTER_DUE shows the tests marked after_due_date (see Course.past_due)."""
    started = time.monotonic()
    own_server = server is None
    if server is None:
        from grader.sandbox.client import early_or_new
        server = early_or_new()  # warm already when `learn grade` started it, or a service lent it
    try:
        exercises = [course.get(i) for i in exercise_ids] if exercise_ids else list(course.exercises)
        with one_walk():  # one search of the workspace for every missing file
            results = [grade_exercise(e, submission_file(workspace / e.id, e), seed, server, reveal_hidden,
                                      after_due=after_due) for e in exercises]
    finally:
        if own_server:
            server.close()
    return CourseResult(seed=seed, exercises=results, sandbox=server.isolation, student=student,
                        course=course.title, grader_version=__version__,
                        duration=time.monotonic() - started, whole_course=not exercise_ids)
