"""Runs an exercise's hidden tests against one student backend and turns outcomes into results.

Each test gets fresh fixtures (``student``, ``reference``, ``rng``, ``size``) and a context
that records the student's calls. An outcome is one of three kinds, kept apart all the way to
the screen: the answer was wrong (``failed``), the student's code crashed, timed out or broke
a rule (``error``/``timeout``), or the grader itself failed (``grader_error``): a hidden test that
raises by itself is the grader's only if it raises with the reference's answers too.
"""
from __future__ import annotations

import copy
import time
import traceback
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from grader import hidden as hidden_test, seeds
from grader.compare import fmt
from grader.diagnosis import diagnose
from grader.findings import Finding
from grader.proxy import (GradingInterrupt, InProcessBackend, StudentException, StudentMissing,
                          StudentProxy, format_student_exception)
from grader.results import Diagnosis, Difference, Status, StudentError, TestResult
from grader.solutions import Solution, TestCase
from grader.test_clock import TestCodeHung, own_time_limit
from grader.testing import Mismatch, TestContext, close_context, modified_input, open_context

OUTPUT_CAP = 4000
MAX_TIMEOUTS = 3          # after this many, the remaining tests are not run (bounded grading time)
SHRINK_SIZES = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64)
SHRINK_BUDGET = 3.0       # seconds spent looking for a smaller failing input
# A test run (its course, test, size and test seed: the same inputs) whose own code hung with the
# reference's answers in this process -> its verdict, repeated word for word when those inputs
# come again (every student of a class without --seed-secret, validate's second run of a seed),
# instead of another TEST_CODE_SECONDS twice over. Only those inputs: with others the test may
# not hang, and a student whose inputs never reach the loop must not lose the test for it.
_HUNG_WITH_REFERENCE: dict[tuple[str, str, int | None, int], str] = {}
# The same inputs -> whether the test passes with the reference's answers (see _passes_with_the_reference).
_JUDGED: dict[tuple[str, str, int | None, int], bool] = {}
JUDGED_KEPT = 10_000


@dataclass
class Outcome:
    """How one run of a test ended: its status and message, and what is known as data: the
    findings of a failed comparison, the difference, the student's exception."""
    status: Status
    message: str
    context: TestContext
    grader_error: bool = False    # the hidden test itself is broken (status GRADER_ERROR)
    findings: tuple[Finding, ...] = ()
    difference: Difference | None = None
    exception: StudentError | None = None
    missing: bool = False         # it called a function the student's file does not define
    judged: bool = False          # already run with the reference's answers, which passed


def _run_once(case: TestCase, solution: Solution, proxy: StudentProxy, seed: int, size: int | None,
              judge: bool = True, seconds: float | None = None) -> Outcome:
    """Run CASE once. JUDGE: when the test itself raises, find out whose fault it is (below).
    SECONDS: how long the test's own code may run (grader.test_clock's limit by default)."""
    test_seed = seeds.test_seed(seed, solution.exercise.id, case.id, size)
    fixtures: dict[str, Any] = {
        "student": proxy, "reference": solution.reference, "rng": np.random.default_rng(test_seed), "size": size,
    }
    kwargs = {name: fixtures[name] for name in case.fixtures}
    # Each run its own copy: a test that changed a parameter in place (or kept a student's value
    # in it) would hand the change to the next run, the reference's judging run included.
    kwargs.update({name: copy.deepcopy(value) for name, value in case.params})
    context, token = open_context(solution.reference)
    key, hung = _inputs(case, solution, size, test_seed), False
    if judge and key in _HUNG_WITH_REFERENCE:
        close_context(token)
        return Outcome(Status.GRADER_ERROR, _HUNG_WITH_REFERENCE[key], context, grader_error=True)
    try:
        with own_time_limit(context, seconds):
            case.function(**kwargs)
        return Outcome(Status.PASSED, "", context)
    except TestCodeHung as exc:
        problem, hung = str(exc), True
    except GradingInterrupt as exc:
        return Outcome(Status(exc.status), exc.message, context, missing=isinstance(exc, StudentMissing))
    except StudentException as exc:
        return Outcome(Status.ERROR, "Your code raised an exception:\n" + format_student_exception(exc.info), context,
                       exception=exc.info)
    except AssertionError as exc:
        findings, difference = (exc.findings, exc.difference) if isinstance(exc, Mismatch) else ((), None)
        return Outcome(Status.FAILED, str(exc) or "the check failed", context, findings=findings,
                       difference=difference)
    except pytest.fail.Exception as exc:
        message, findings = str(exc.msg), ()
        if message.startswith("DID NOT RAISE"):
            wanted = message.removeprefix("DID NOT RAISE").strip().strip("<>").replace("class ", "").strip("'")
            wanted = wanted.rsplit(".", 1)[-1]
            message = f"Expected your function to raise {wanted} for this input, but it returned normally."
            findings = (Finding("generic/not-raised", f"Your function returned normally where it must raise "
                                f"{wanted}: check the bad arguments the instructions say to refuse."),)
        return Outcome(Status.FAILED, message, context, findings=findings)
    except Exception as exc:  # the hidden test itself broke: on what the student returned, or on its own
        problem = f"{type(exc).__name__}: {exc}{_where_in_tests(exc, solution)}"
    finally:
        close_context(token)
    if not judge or not _passes_with_the_reference(case, solution, seed, size):
        message = broken_test(problem)
        if hung and judge:
            _HUNG_WITH_REFERENCE[key] = message
        return Outcome(Status.GRADER_ERROR, message, context, grader_error=True)
    unusable = _unusable_return(context)
    if unusable:
        return Outcome(Status.FAILED, f"{unusable}; the test could not use it ({problem}).", context, judged=True)
    return Outcome(Status.FAILED, (f"The test could not use what your code returned ({problem}); with the "
                                   "reference solution's answers it passes."), context, judged=True)


def _where_in_tests(exc: BaseException, solution: Solution) -> str:
    """ ` at test_words.py:17`: the last line of the exercise's hidden test files that EXC passed
    through, for the author who fixes it (validate and the instructor's reports show it)."""
    folder = str(solution.exercise.solution_dir) + "/"
    places = [f" at {frame.f_code.co_filename[len(folder):]}:{line}"
              for frame, line in traceback.walk_tb(exc.__traceback__) if frame.f_code.co_filename.startswith(folder)]
    return places[-1] if places else ""


def broken_test(cause: str, hidden: bool = False) -> str:
    """The message of a test that fails with the reference's answers too; CAUSE (what it raised or
    what its check said) is left out of a HIDDEN test's, which names nothing of its inputs."""
    return (f"The grader could not check this {'hidden ' if hidden else ''}test{f' ({cause})' if cause else ''}: "
            "it fails with the reference solution too. This is a bug in the exercise, not in your code: "
            f"{GRADER_ERROR_NOTE}")


GRADER_ERROR_NOTE = ("the test scores nothing until it is fixed and your work is graded again; "
                     "please report it.")


def _passes_with_the_reference(case: TestCase, solution: Solution, seed: int, size: int | None) -> bool:
    """Does CASE pass when the reference answers in the student's place, on the same inputs (same
    seed)? Then what broke the test came from the student's answers (a test that errors on a
    student's value is the student's failure: a submission must never be able to cause a grader
    error); if the test breaks with the reference too, the test itself is broken.

    The answer depends on the inputs alone, so it is kept for them (JUDGED): `learn watch` grades
    every save with one seed, and a class without --seed-secret shares one, so a failing test
    is judged once, not at each grade (about 1 ms each: 12 ms of a watch re-grade)."""
    key = _inputs(case, solution, size, seeds.test_seed(seed, solution.exercise.id, case.id, size))
    if key not in _JUDGED:
        if len(_JUDGED) >= JUDGED_KEPT:  # a class graded with a secret: a seed per student
            _JUDGED.clear()
        _JUDGED[key] = _judge(case, solution, seed, size)
    return _JUDGED[key]


def _inputs(case: TestCase, solution: Solution, size: int | None, test_seed: int) -> tuple[str, str, int | None, int]:
    """What a run of CASE is a function of, for the verdicts kept per inputs: course, test, size, test seed."""
    return str(solution.exercise.solution_dir), case.id, size, test_seed


def forget_judgments() -> None:
    """Drop the verdicts kept for the reference's runs (the hidden tests were loaded again)."""
    _JUDGED.clear()
    _HUNG_WITH_REFERENCE.clear()


def _judge(case: TestCase, solution: Solution, seed: int, size: int | None) -> bool:
    exercise = solution.exercise
    functions = {n: getattr(solution.reference, n) for n in exercise.functions if hasattr(solution.reference, n)}
    reference = StudentProxy(InProcessBackend(functions, exercise.file), exercise.functions, exercise.file)
    return _run_once(case, solution, reference, seed, size, judge=False).status is Status.PASSED


def case_status(case: TestCase, solution: Solution, proxy: StudentProxy, seed: int) -> tuple[Status, bool]:
    """The verdict of one case and whether the grader itself failed, nothing else (no diagnosis,
    no shrinking): what mutation analysis needs, many times over."""
    outcome = _run_once(case, solution, proxy, seed, case.shrink)
    return outcome.status, outcome.grader_error


def _unusable_return(context: TestContext) -> str:
    """A student return value no documented contract produces (None, text, a mapping), if any:
    a test that trips over one failed because of the student, not because of the grader."""
    for call in context.calls:
        if call.returned and (call.value is None or isinstance(call.value, (str, dict))):
            what = "None (is a return statement missing?)" if call.value is None else \
                f"a {type(call.value).__name__}"
            return f"{call.function}() returned {what}"
    return ""


def _describe_calls(context: TestContext, limit: int = 1500) -> str:
    def show(value: Any, before: str) -> str:  # BEFORE: the call's text so far, for an array's alignment
        if isinstance(value, np.random.Generator):
            return "rng"  # its state is the test's seed: `learn grade --seed` reproduces it
        return fmt(value, prefix=before.rsplit("\n", 1)[-1]) if isinstance(value, np.ndarray) else repr(value)
    parts = []
    for call in context.calls:
        text = f"{call.function}("
        arguments = [("", a) for a in call.args] + [(f"{k}=", v) for k, v in call.kwargs.items()]
        for number, (keyword, value) in enumerate(arguments):
            text += (", " if number else "") + keyword
            text += show(value, text)
        parts.append(text + ")")
    text = "\n".join(parts)
    return text if len(text) <= limit else text[:limit] + "\n[... cut]"


def _shrink(case: TestCase, solution: Solution, proxy: StudentProxy, seed: int) -> tuple[int, TestContext] | None:
    """The smallest size at which CASE still fails, within SHRINK_BUDGET: the test's own code gets
    only what is left of it, and a test that breaks at a smaller size ends the search unjudged
    (judging would run it again with the reference)."""
    deadline = time.monotonic() + SHRINK_BUDGET
    for size in (s for s in SHRINK_SIZES if s < (case.shrink or 0)):
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        outcome = _run_once(case, solution, proxy, seed, size, judge=False, seconds=left)
        if outcome.status is Status.FAILED:
            return size, outcome.context
        if outcome.status is not Status.PASSED:
            return None
    return None


def _output(context: TestContext, hidden: bool = False) -> str:
    """What the student's calls printed during the test, cut at OUTPUT_CAP; the count of what was
    cut adds up what each worker cut and what this cut (it once counted only the latter). In a
    hidden test, only what grader.hidden shows of it."""
    text = "".join(o.text for o in context.output)
    printed = len(text) + sum(o.dropped for o in context.output)  # the workers' cuts included
    if hidden:
        return hidden_test.printed(text, printed)
    dropped = printed - min(len(text), OUTPUT_CAP)
    return text[:OUTPUT_CAP] + (f"\n[... {dropped} more characters of output were cut]" if dropped else "")


def shown_as(case: TestCase, reveal_hidden: bool = False, after_due: bool = False) -> str:
    """How much of CASE the student sees: after_due_date tests are hidden until the due date."""
    if reveal_hidden or (after_due and case.visibility == "after_due_date"):
        return "visible"
    return case.visibility


def run_test(case: TestCase, solution: Solution, proxy: StudentProxy, seed: int,
             reveal_hidden: bool = False, after_due: bool = False, source_lines: int = 0) -> TestResult:
    """CASE's result; SOURCE_LINES, how many lines the graded file has (where a hidden test may say
    an exception was raised)."""
    started = time.monotonic()
    outcome = _run_once(case, solution, proxy, seed, case.shrink)
    if outcome.status is Status.FAILED and not outcome.judged \
            and not _passes_with_the_reference(case, solution, seed, case.shrink):
        # The check itself is wrong (an expected value typed by hand, a tolerance no one meets):
        # it fails with the reference's answers too, so it judges nothing of the student's.
        check = (outcome.message.splitlines() or [""])[0]
        outcome = Outcome(Status.GRADER_ERROR, broken_test(check[:200]), outcome.context, grader_error=True)
    status, context = outcome.status, outcome.context
    visibility = shown_as(case, reveal_hidden, after_due)
    result = TestResult(name=case.id, description=case.description, status=status,
                        points=case.points if status is Status.PASSED else 0.0,
                        max_points=case.points, message=outcome.message, visibility=case.visibility,
                        figures=context.figures, output=_output(context, hidden=visibility != "visible"),
                        grader_error=outcome.grader_error,
                        exception=outcome.exception, difference=outcome.difference)
    if status is Status.FAILED:
        result.diagnoses = _diagnoses(case, solution, outcome, visibility == "visible")
        if case.shrink and visibility == "visible" and not outcome.missing:
            smaller = _shrink(case, solution, proxy, seed)
            if smaller:
                result.smallest_input = f"size={smaller[0]}:\n{_describe_calls(smaller[1])}"
    if visibility != "visible":  # name, docstring and diagnosis only: no inputs, no expected values
        result.figures = []      # a figure carries the reference's output
        result.difference = None  # and so does the difference
        if status is Status.FAILED:
            result.message = "This test is hidden: its inputs and expected values are not shown."
        elif result.exception is not None:
            result.exception = hidden_test.raised(result.exception, solution.exercise, source_lines)
            result.message = "Your code raised an exception:\n" + format_student_exception(result.exception)
        elif outcome.grader_error:
            result.message = broken_test("", hidden=True)
        if case.visibility == "after_due_date" and status is not Status.PASSED:
            result.message += " Its details are shown after the due date."
    # not a hidden test's own time: the student's code could take as long as it takes to say an input
    result.duration = time.monotonic() - started if visibility == "visible" else 0.0
    return result


def _diagnoses(case: TestCase, solution: Solution, outcome: Outcome, visible: bool) -> list[Diagnosis]:
    """The catalogued mistakes that explain a failed test; else what the generic explainer found
    (a catalogued mistake says it better, in the author's words)."""
    catalogue = {m.id: m.message for m in solution.exercise.mistakes}
    named = diagnose(outcome.context.calls, solution)
    if named:
        return [Diagnosis(i, catalogue.get(i, ""), "catalogued", [case.id]) for i in named]
    modified = modified_input(outcome.context)  # whatever the failing check was
    unique = {f.id: f for f in (*outcome.findings, *((modified,) if modified else ()))}
    return [Diagnosis(f.id, f.shown(visible), "generic", [case.id]) for f in unique.values()]


def run_tests(solution: Solution, proxy: StudentProxy, seed: int,
              reveal_hidden: bool = False, after_due: bool = False, source_lines: int = 0) -> list[TestResult]:
    """Every test of SOLUTION, in the order declared. The hidden ones run last: the student's code
    keeps its globals from call to call, so a hidden test's inputs kept there would come back in a
    later visible test's output, message or returned value."""
    results: dict[int, TestResult] = {}
    timeouts = 0
    cases = list(enumerate(solution.tests))
    for at, case in sorted(cases, key=lambda item: shown_as(item[1], reveal_hidden, after_due) != "visible"):
        if timeouts >= MAX_TIMEOUTS:
            results[at] = TestResult(case.id, case.description, Status.TIMEOUT, 0.0, case.points,
                                     message=f"Not run: your code timed out {MAX_TIMEOUTS} times already.",
                                     visibility=case.visibility)
            continue
        result = run_test(case, solution, proxy, seed, reveal_hidden, after_due, source_lines)
        timeouts += result.status is Status.TIMEOUT
        results[at] = result
    return [results[at] for at, _ in cases]
