"""Grading in a student-only install (a bundle from `learn release`): the checks that need no
instructor material, and a result marked ``partial``.

The hidden tests and the reference are not there, so nothing is scored: every exercise's
``max_score`` is 0 and the report says that the grade comes from the instructor's CI. What can
be checked honestly is static, and nothing of the student's file is run in this process:

- the file parses;
- it defines every function of the exercise, with the stub's parameters (names, kinds,
  defaults), because the hidden tests call them that way;
- it uses none of the exercise's forbidden calls (the same AST check as full grading);
- it passes the exercise's public examples (``examples:`` in exercise.yaml, which the student
  can read anyway). These do run the student's code: in a sandboxed worker from the same fork
  server, proxy and comparison that full grading uses, never in this process. The fork server
  starts only when an exercise with examples has a file worth running.
"""
from __future__ import annotations

import ast
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

from grader import __version__
from grader.course import Course, Exercise
from grader.forbidden import find_violations
from grader.notebook.layout import in_its_place, is_notebook, one_walk, submission_file
from grader.sandbox import ForkServer
from grader.examples import DESCRIPTION, example_tests
from grader.grading import import_failure, missing
from grader.proxy import StudentProxy, WorkerBackend
from grader.sandbox import replies
from grader.results import CourseResult, ExerciseResult, Status, TestResult
from grader.sources import Source, read_source


def _parameters(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    """The parameters as the caller sees them: kind, name and whether there is a default."""
    args = function.args
    positional = args.posonlyargs + args.args
    defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    shown = []
    for i, (arg, default) in enumerate(zip(positional, defaults)):
        shown.append(("/" if i < len(args.posonlyargs) else "") + arg.arg + ("=…" if default else ""))
    if args.vararg:
        shown.append("*" + args.vararg.arg)
    for arg, default in zip(args.kwonlyargs, args.kw_defaults):
        shown.append("kw:" + arg.arg + ("=…" if default is not None else ""))
    if args.kwarg:
        shown.append("**" + args.kwarg.arg)
    return shown


def _signature(shown: list[str]) -> str:
    return "(" + ", ".join(p.replace("kw:", "*, ", 1).lstrip("/") for p in shown) + ")"


def _functions(tree: ast.Module) -> dict[str, list[str]]:
    return {n.name: _parameters(n) for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}


def _signature_test(exercise: Exercise, tree: ast.Module) -> TestResult:
    wanted = _functions(ast.parse(exercise.stub_path.read_text(encoding="utf-8")))
    found = _functions(tree)
    problems = []
    for name in exercise.functions:
        if name not in found:
            problems.append(f"{name}() is not defined at the top level of {exercise.file}")
        elif name in wanted and found[name] != wanted[name]:
            problems.append(f"{name}{_signature(found[name])} should be {name}{_signature(wanted[name])}, "
                            "as in the stub: the hidden tests call it that way")
    return TestResult("signatures", "Every function of the exercise is defined with the stub's parameters.",
                      Status.FAILED if problems else Status.PASSED, 0.0, 0.0, message="\n".join(problems))


def _example_tests(exercise: Exercise, student_file: Path, server: ForkServer,
                   wrap: Callable[[Any], Any] | None = None) -> list[TestResult]:
    server.hide(exercise.solution_dir.parent.parent, student_file.parent.parent)  # the course, the workspace
    backend: Any = WorkerBackend(server, student_file, exercise.time_limit)
    backend = wrap(backend) if wrap else backend
    try:
        hello = backend.start()
        if not isinstance(hello, replies.Hello):
            status, error = import_failure(exercise, hello)
            return [TestResult(f"example[{n}]", DESCRIPTION, status, 0.0, 0.0, message=error)
                    for n, e in enumerate(exercise.examples, 1)]
        return example_tests(exercise, StudentProxy(backend, exercise.functions, exercise.file))
    finally:
        backend.close()


def check_exercise(exercise: Exercise, student_file: Path, server: Callable[[], ForkServer] | None = None,
                   wrap: Callable[[Any], Any] | None = None) -> ExerciseResult:
    """SERVER gives the fork server that runs the public examples; without it they are skipped.
    A notebook is checked as the code of its answer cells (grader.notebook.grading)."""
    started = time.monotonic()
    result = ExerciseResult(id=exercise.id, title=exercise.title, module=exercise.module, file=exercise.file,
                            status=Status.NOT_STARTED, score=0.0, max_score=0.0)
    if is_notebook(student_file):
        from grader.notebook.grading import grade_notebook
        return grade_notebook(exercise, student_file, check_exercise, server=server,
                              blank=lambda status, why: replace(result, status=status, error=why))
    if not student_file.is_file():
        result.found = in_its_place(student_file.parent, exercise)  # named, never checked
        result.error = missing(exercise, result.found) if result.found else ""
        return result
    if exercise.is_untouched(student_file):
        return result
    try:
        read = read_source(student_file)
    except OSError as exc:
        read, result.error = None, f"cannot read {exercise.file}: {exc.strerror}"
    if read is None or read.too_large:
        result.status = Status.ERROR
        result.error = result.error or (Source.refusal(exercise.file) if read else f"{exercise.file} is not a regular file")
        return result
    source = read.text
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        result.status = Status.ERROR
        result.error = f"{exercise.file}:{exc.lineno}: syntax error: {exc.msg}"
        return result
    except (RecursionError, MemoryError) as exc:  # the student's code, too deep or too big to parse
        result.status = Status.ERROR
        result.error = f"{exercise.file} could not be parsed ({type(exc).__name__}): is an expression nested too deeply?"
        return result
    result.tests.append(_signature_test(exercise, tree))
    result.violations = find_violations(source, exercise.forbidden)
    result.tests.append(TestResult(
        "forbidden_calls", "The file uses none of the calls this exercise forbids.",
        Status.ERROR if result.violations else Status.PASSED, 0.0, 0.0,
        message="; ".join(f"line {v.line}: {v.message}" for v in result.violations)))
    if exercise.examples and server is not None:
        result.tests.extend(_example_tests(exercise, student_file, server(), wrap))
    statuses = {t.status for t in result.tests}
    result.status = (Status.ERROR if Status.ERROR in statuses else
                     Status.TIMEOUT if Status.TIMEOUT in statuses else
                     Status.FAILED if Status.FAILED in statuses else Status.PASSED)
    result.duration = time.monotonic() - started
    return result


def grade_static(course: Course, workspace: Path, exercise_ids: list[str], seed: int,
                 student: str = "", given: ForkServer | None = None) -> CourseResult:
    """GIVEN: a fork server to run the examples with (the caller closes it), else one is started if needed."""
    started = time.monotonic()
    exercises = [course.get(i) for i in exercise_ids] if exercise_ids else list(course.exercises)
    servers: list[ForkServer] = []

    def server() -> ForkServer:
        if not servers:
            servers.append(ForkServer())
        return servers[0]

    try:
        with one_walk():  # one search of the workspace for every missing file
            results = [check_exercise(e, submission_file(workspace / e.id, e), (lambda: given) if given else server)
                       for e in exercises]
    finally:
        for started_server in servers:
            started_server.close()
    sandbox = given.isolation if given else servers[0].isolation if servers else "process"
    return CourseResult(seed=seed, exercises=results, sandbox=sandbox, student=student,
                        course=course.title, grader_version=__version__,
                        duration=time.monotonic() - started, partial=True, whole_course=not exercise_ids)
