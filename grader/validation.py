"""The course checks itself: every exercise's tests must pass the reference, fail the stub,
catch and name every catalogued mistake, and kill every mutant of the reference that the author
has not shown to be equivalent (grader/mutation_testing.py); its public examples and the `>>>`
examples of its instructions must be what the reference does (grader/instruction_examples.py).

Trusted code (the stub, the reference, the mistakes) runs in-process through the same proxy
and wire codec that student code goes through; the reference also runs once in a real worker,
so a reference that the sandbox would break is caught here rather than in a student's report.

Exercises are validated in parallel: a pool of processes, each of which starts its own fork
server before it loads any instructor material (the same order as ``grade_workspace``), then
validates the exercises it is handed. Reports come back as plain dataclasses.
"""
from __future__ import annotations

import concurrent.futures
import contextlib
import importlib.util
import inspect
import multiprocessing
import multiprocessing.util
import os
import re
import time
import warnings
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Callable, Iterator

import numpy as np

from grader.course import Exercise, show_value
from grader.examples import run_example, show_result
from grader.errors import CourseError
from grader.forbidden import find_violations
from grader.sandbox import ForkServer
from grader.grading import forget_solutions, grade_exercise, solution_for
from grader.mutation_testing import MutationReport, analyse
from grader.proxy import InProcessBackend, StudentProxy
from grader.results import Status, TestResult
from grader.runner import run_tests
from grader.solutions import Solution
from grader import instruction_examples, trivial
from grader.scaffold import PLACEHOLDER

VALIDATION_SEEDS = (1, 2)
BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_MERGED_ITEM = re.compile(r"[.!?:)`] - [A-Z`]\w*")  # "first. - Second": a list item folded into the one above


@dataclass
class Report:
    exercise: Exercise
    problems: list[str] = field(default_factory=list)
    checks: int = 0
    duration: float = 0.0
    mutation: MutationReport | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def _functions(module: ModuleType, names: tuple[str, ...]) -> dict[str, Callable]:
    return {n: getattr(module, n) for n in names if callable(getattr(module, n, None))}


def run_in_process(solution: Solution, functions: dict[str, Callable], seed: int) -> list[TestResult]:
    backend = InProcessBackend(functions, solution.exercise.file)
    proxy = StudentProxy(backend, solution.exercise.functions, solution.exercise.file)
    return run_tests(solution, proxy, seed, reveal_hidden=True)


def _score(tests: list[TestResult]) -> float:
    return round(sum(t.points for t in tests), 6)


def _summary(test: TestResult) -> str:
    """One line for a failed test: what was raised (even NotImplementedError()), else its message's first line."""
    if test.exception is not None:
        message = (test.exception.message.splitlines() or [""])[0]
        return f"{test.exception.type}: {message}" if message else test.exception.type
    return (test.message.splitlines() or [""])[0]


def _failures(tests: list[TestResult], limit: int = 3) -> str:
    failed = [t for t in tests if t.status is not Status.PASSED]
    lines = [f"{t.name}: {t.status.value}: {_summary(t)[:320 if t.grader_error else 160]}" for t in failed[:limit]]
    return "; ".join(lines) + (f" (and {len(failed) - limit} more)" if len(failed) > limit else "")


def _import_stub(exercise: Exercise) -> ModuleType:
    name = f"learn_stub_{exercise.id.replace('-', '_')}"
    spec = importlib.util.spec_from_file_location(name, exercise.stub_path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _check_signatures(exercise: Exercise, stub: ModuleType, reference: ModuleType, report: Report) -> None:
    for name in exercise.functions:
        ours, theirs = getattr(stub, name, None), getattr(reference, name, None)
        if not callable(theirs):
            report.problems.append(f"the reference does not define {name}()")
            continue
        if not callable(ours):
            report.problems.append(f"the stub does not define {name}()")
            continue
        if inspect.signature(ours) != inspect.signature(theirs):
            report.problems.append(f"{name}: the stub's signature {inspect.signature(ours)} differs from "
                                   f"the reference's {inspect.signature(theirs)}")
        if inspect.getdoc(ours) != inspect.getdoc(theirs):
            report.problems.append(f"{name}: the stub's docstring differs from the reference's")
        report.checks += 2


def validate_exercise(exercise: Exercise, server: ForkServer) -> Report:
    report = Report(exercise)
    try:
        solution = solution_for(exercise)
        stub = _import_stub(exercise)
    except CourseError as exc:
        report.problems.append(str(exc))
        return report
    except Exception as exc:
        report.problems.append(f"the stub cannot be imported: {type(exc).__name__}: {exc}")
        return report
    reference = solution.reference
    _check_signatures(exercise, stub, reference, report)
    _check_docstrings(exercise, stub, solution, report)
    ref_functions = _functions(reference, exercise.functions)

    violations = find_violations(exercise.reference_path.read_text(encoding="utf-8"), exercise.forbidden)
    for v in violations:
        report.problems.append(f"the reference breaks its own rule at line {v.line}: {v.message}")
    report.checks += 1

    runs = {seed: run_in_process(solution, ref_functions, seed) for seed in VALIDATION_SEEDS}
    for seed, tests in runs.items():
        if _score(tests) != exercise.points:
            report.problems.append(f"the reference scores {_score(tests):g}/{exercise.points} with seed {seed}: {_failures(tests)}")
        elif any(t.status is not Status.PASSED for t in tests):  # a test of 0 points: its ✗ shows all the same
            report.problems.append(f"the reference fails a test with seed {seed}: {_failures(tests)}")
    again = run_in_process(solution, ref_functions, VALIDATION_SEEDS[0])
    if [(t.name, t.status, t.message) for t in again] != [(t.name, t.status, t.message) for t in runs[VALIDATION_SEEDS[0]]]:
        report.problems.append("two runs with the same seed gave different results")
    if not _same_verdicts(runs):
        report.problems.append(f"the reference's verdicts differ between seeds {VALIDATION_SEEDS}")
    report.checks += 4

    in_worker = grade_exercise(exercise, exercise.reference_path, VALIDATION_SEEDS[0], server,
                               reveal_hidden=True, count_stub=True)
    if in_worker.score != exercise.points:
        report.problems.append(f"the reference scores {in_worker.score:g}/{exercise.points} in the sandboxed worker: "
                               f"{in_worker.error or _failures(in_worker.tests)}")
    report.checks += 1

    stub_tests = run_in_process(solution, _functions(stub, exercise.functions), VALIDATION_SEEDS[0])
    if _score(stub_tests) != 0:
        passing = [t.name for t in stub_tests if t.status is Status.PASSED]
        report.problems.append(f"the untouched stub scores {_score(stub_tests):g}, not 0 (passes {', '.join(passing[:3])})")
    report.checks += 1
    _check_trivial(solution, report)
    reference_passes = all(t.status is Status.PASSED for tests in runs.values() for t in tests)
    if reference_passes:  # both grade changed reference answers: a raising reference (learn new's
        _check_answer_shaped(solution, ref_functions, report)  # scaffold) read as too tight a tolerance
        _check_rounding(solution, ref_functions, report)

    _check_examples(exercise, ref_functions, report)
    attempted, problems = instruction_examples.failures(exercise.instructions, reference, "the instructions' example")
    report.problems += problems
    report.checks += attempted

    for mistake in solution.mistakes:
        functions = dict(ref_functions, **{mistake.replaces: mistake.function})
        for seed in VALIDATION_SEEDS:
            with warnings.catch_warnings():  # the mistake sits in the student's seat: its 0/0 is the
                warnings.simplefilter("ignore")  # wrong answer's business, not the terminal's
                tests = run_in_process(solution, functions, seed)
            named = {d.id for t in tests for d in t.diagnoses}
            if _score(tests) >= exercise.points:
                report.problems.append(f"mistake {mistake.id!r} scores full marks with seed {seed}: the tests do not catch it")
            elif mistake.id not in named:
                others = f" (diagnosed as {', '.join(sorted(named))})" if named else ""
                report.problems.append(f"mistake {mistake.id!r} loses points but is not diagnosed as itself with seed {seed}{others}")
        report.checks += 2
    if reference_passes:
        _check_mutants(solution, report)
    else:  # a test that fails the reference "kills" every mutant, and would call true equivalents false
        report.problems.append("mutation analysis, the rounding and the answer-shape checks not run: the hidden "
                               "tests must pass the reference first")
    return report


def _check_mutants(solution: Solution, report: Report) -> None:
    """The hidden tests kill every mutant of the reference, or the author says why it is equivalent."""
    report.mutation = analyse(solution, VALIDATION_SEEDS)
    for verdict in report.mutation.survivors:
        report.problems.append(f"mutant {verdict.mutant.id} survives the hidden tests ({verdict.mutant.change}): "
                               "add a test that kills it, or list it under equivalent_mutants with the reason")
    report.problems += report.mutation.problems
    report.checks += len(report.mutation.verdicts)


def _check_trivial(solution: Solution, report: Report) -> None:
    """No points without the work: files that ignore the question (see grader.trivial) score 0."""
    for kind, what in trivial.KINDS.items():
        _require_nothing(solution, trivial.functions(kind, solution.exercise), what, report)


def _require_nothing(solution: Solution, functions: dict[str, Callable], what: str, report: Report) -> None:
    """FUNCTIONS, a trivial implementation that WHAT, must score 0: else the tests it passes are named."""
    # Comparing noise with expected infinities warns in numpy; the verdict is what counts here.
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        tests = run_in_process(solution, functions, VALIDATION_SEEDS[0])
    if _score(tests) != 0:
        passing = [t.name for t in tests if t.status is Status.PASSED]
        report.problems.append(
            f"a trivial implementation that {what} scores {_score(tests):g}, not 0 (passes "
            f"{', '.join(passing[:3])}{' and more' if len(passing) > 3 else ''}): a test of a side "
            "property must also check the work (grader.testing.assert_does_the_work)")
    report.checks += 1


NUDGE_ULPS = 4  # what reordering a sum or a product chain moves an answer by, and far less


def _nudged(value: Any) -> Any:
    """VALUE with every float moved by NUDGE_ULPS units in the last place: an equally correct answer."""
    if isinstance(value, np.ndarray) and value.dtype.kind in "fc":
        return value * (1 + NUDGE_ULPS * np.finfo(value.dtype).eps)
    if isinstance(value, (float, np.floating)):
        return type(value)(value * (1 + NUDGE_ULPS * np.finfo(type(value)).eps))
    if isinstance(value, (tuple, list)):
        return type(value)(_nudged(v) for v in value)
    return value


def _answers(functions: dict[str, Callable], changed: Callable[[Any], Any]) -> dict[str, Callable]:
    """FUNCTIONS, each of whose answers goes through CHANGED (the reference's, emptied or nudged)."""
    def through(function: Callable) -> Callable:
        return lambda *args, **kwargs: changed(function(*args, **kwargs))
    return {name: through(function) for name, function in functions.items()}


def _zeros_like(value: Any) -> Any:
    """VALUE's form with nothing in it: zeros of each array's shape and dtype, 0 (False, 0j) for each
    number, "" for a text, each value of a tuple, list or dict emptied; None for anything else
    (an attacker's review: left as it was, it was the right answer, and validate blamed the tests)."""
    if isinstance(value, np.ndarray) and value.dtype.kind in "biufc":
        return np.zeros_like(value)
    if isinstance(value, (int, float, complex, np.number, np.bool_)):
        return type(value)(0)
    if isinstance(value, str):
        return ""
    if isinstance(value, (tuple, list)):
        return type(value)(_zeros_like(v) for v in value)
    if isinstance(value, dict):
        return {k: _zeros_like(v) for k, v in value.items()}
    return None


def _check_answer_shaped(solution: Solution, ref_functions: dict[str, Callable], report: Report) -> None:
    """No points for the form of the answer alone: the trivial files are shaped like the INPUT, so
    a test that checks only the shape of a function that reduces (row norms: (n, d) in, (n,) out)
    paid them nothing and a zeros-of-the-output answer everything it was worth. The reference's
    answers, emptied to zeros of their own shapes, must score 0 (an author's review). (Not noise of
    their shapes: for an initializer, noise of the right shape can be the right answer.)"""
    _require_nothing(solution, _answers(ref_functions, _zeros_like), "returns zeros shaped like the right answer",
                     report)


def _check_rounding(solution: Solution, ref_functions: dict[str, Callable], report: Report) -> None:
    """The reference's answers, each float moved by NUDGE_ULPS ulps, score full marks: a correct
    answer computed in another order differs that much, and a test stricter than that (rtol=0)
    fails correct students with invented diagnoses (an author's review)."""
    tests = run_in_process(solution, _answers(ref_functions, _nudged), VALIDATION_SEEDS[0])
    if _score(tests) != solution.exercise.points:
        failing = [t.name for t in tests if t.status is not Status.PASSED]
        report.problems.append(
            f"the reference's answers moved by {NUDGE_ULPS} units in the last place (what another, equally correct "
            f"order of operations gives) score {_score(tests):g}, not {solution.exercise.points}: the tolerance of "
            f"{', '.join(failing[:3])}{' and more' if len(failing) > 3 else ''} is tighter than floating point allows")
    report.checks += 1


def _check_examples(exercise: Exercise, ref_functions: dict[str, Callable], report: Report) -> None:
    """Every public example is what the reference does: students read them as the truth."""
    proxy = StudentProxy(InProcessBackend(ref_functions, exercise.file), exercise.functions, exercise.file)
    for number, example in enumerate(exercise.examples, 1):
        status, message, value = run_example(example, proxy)
        if status is not Status.PASSED:
            if value is not None:  # a wrong value; else the message says what went wrong
                message = f"the reference returns {show_result(value)}, the YAML says {show_value(example.expected)}"
            report.problems.append(f"example {number} of {exercise.id}: {message}")
        report.checks += 1


def _check_docstrings(exercise: Exercise, stub: ModuleType, solution: Solution, report: Report) -> None:
    """The docstrings a student reads (the stub's functions, each hidden test's description) hold
    no scaffold TODO. Comments are not read: `# TODO: your code here` in a stub is for the student."""
    texts = [(f"the docstring of {name}() in the stub", inspect.getdoc(getattr(stub, name, None)) or "")
             for name in exercise.functions]
    texts += [(f"the docstring of {case.id}", case.description) for case in solution.tests]
    for label, text in texts:
        if PLACEHOLDER.search(text or ""):
            report.problems.append(f"{label} still holds a TODO placeholder: the student reads it")
    report.checks += 1


def _fences_balanced(text: str) -> bool:
    return sum(1 for line in text.splitlines() if line.lstrip().startswith("```")) % 2 == 0


def check_texts(exercise: Exercise, render: Callable[[Exercise], list[tuple[str, str]]] | None,
                report: Report) -> None:
    """Every text a student reads renders, and none still holds a scaffold's TODO.

    RENDER turns the exercise into (label, text) pairs the way `learn show` and `learn hint`
    print them; without it the raw texts are checked.
    """
    for label, text in exercise.student_texts():
        if PLACEHOLDER.search(text):
            report.problems.append(f"{label} still holds a TODO placeholder: write it for the student")
        if not _fences_balanced(text):
            report.problems.append(f"{label} opens a ``` code block that it never closes")
        if _CONTROL.search(text):
            report.problems.append(f"{label} holds control characters (escape codes or NUL)")
        merged = _MERGED_ITEM.search(text) if label.startswith("hints[") else None
        if merged:  # YAML folds a list item indented one space more into the item above
            report.problems.append(f"{label} reads as two hints run together ({merged.group(0).strip()!r}...): "
                                   "the second one's `-` is indented deeper than the first's")
    if render is not None:
        try:
            shown = render(exercise)
        except Exception as exc:
            report.problems.append(f"the instructions or hints do not render: {type(exc).__name__}: {exc}")
            shown = []
        for label, text in shown:
            if not text.strip():
                report.problems.append(f"{label} renders as nothing")
    report.checks += 1


def _same_verdicts(runs: dict[int, list[TestResult]]) -> bool:
    verdicts = {seed: [(t.name, t.status) for t in tests] for seed, tests in runs.items()}
    return len({tuple(v) for v in verdicts.values()}) == 1


# -- the pool -------------------------------------------------------------------------------

_server: ForkServer | None = None


def _start_server() -> None:
    """Pool initializer: this process's fork server, started before any solution is loaded."""
    global _server
    _server = ForkServer()
    multiprocessing.util.Finalize(_server, _server.close, exitpriority=10)


def _validate_in_pool(exercise: Exercise) -> Report:
    assert _server is not None, "the pool initializer did not run"
    return _timed(exercise, _server)


def _timed(exercise: Exercise, server: ForkServer) -> Report:
    started = time.monotonic()
    try:
        report = validate_exercise(exercise, server)
    except Exception as exc:  # one broken exercise must not hide the verdict on the others
        report = Report(exercise, [f"validation itself failed: {type(exc).__name__}: {exc}"])
    report.duration = time.monotonic() - started
    return report


@contextlib.contextmanager
def _one_blas_thread() -> Iterator[None]:
    """JOBS processes that each start a BLAS thread per core would fight over the cores."""
    saved = {k: os.environ.get(k) for k in BLAS_THREADS}
    os.environ.update({k: "1" for k in BLAS_THREADS if k not in os.environ})
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)


def default_jobs(count: int) -> int:
    return max(1, min(count, os.cpu_count() or 1))


def validate(exercises: list[Exercise], on_report: Callable[[Report], None] | None = None,
             jobs: int | None = None,
             render: Callable[[Exercise], list[tuple[str, str]]] | None = None) -> list[Report]:
    """Validate EXERCISES with JOBS processes; ON_REPORT sees each report in course order."""
    jobs = default_jobs(len(exercises)) if jobs is None else max(1, min(jobs, len(exercises) or 1))
    reports: list[Report] = []

    def done(report: Report) -> None:
        check_texts(report.exercise, render, report)  # in this process: RENDER may not pickle
        reports.append(report)
        if on_report:
            on_report(report)

    if jobs == 1:
        forget_solutions()  # an author may have edited them since this process last loaded them
        with ForkServer() as server:
            for exercise in exercises:
                done(_timed(exercise, server))
        return reports
    # spawn, not fork: a pool process must not inherit this process's modules or threads
    context = multiprocessing.get_context("spawn")
    with _one_blas_thread(), concurrent.futures.ProcessPoolExecutor(
            jobs, mp_context=context, initializer=_start_server) as pool:
        futures = [pool.submit(_validate_in_pool, e) for e in exercises]
        for exercise, future in zip(exercises, futures):
            try:
                report = future.result()
            except Exception as exc:  # the pool process died (a crash in trusted code)
                report = Report(exercise, [f"validation itself failed: {type(exc).__name__}: {exc}"])
            done(report)
    return reports
