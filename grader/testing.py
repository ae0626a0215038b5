"""What hidden tests and mistake catalogues import: ``from grader.testing import ...``.

Helpers record what happens during the current test (the student's calls, figures) in a
context that the runner (or the pytest plugin) opens around each test.
"""
from __future__ import annotations

import contextvars
import inspect
import re
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from grader.compare import compare
from grader.findings import Finding
from grader.results import Difference, Figure

FIGURE_KINDS = ("heatmap", "complex_plane", "bars", "lines")


@dataclass
class Call:
    """One call into the student's code, as the grader saw it."""
    function: str
    args: list
    kwargs: dict
    returned: bool = False
    value: Any = None
    raised: dict | None = None
    mutated: list[str] = field(default_factory=list)


@dataclass
class TestContext:
    calls: list[Call] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    output: list[Any] = field(default_factory=list)   # what each call printed (sandbox.replies.Output)
    reference: Any = None   # the exercise's reference module: its signatures name the student's arguments
    student_seconds: float = 0.0   # spent in the student's calls (grader.test_clock counts the rest)
    in_student_call: bool = False


_current: contextvars.ContextVar[TestContext | None] = contextvars.ContextVar("learn_test", default=None)


def open_context(reference: Any = None) -> tuple[TestContext, contextvars.Token]:
    context = TestContext(reference=reference)
    return context, _current.set(context)


def close_context(token: contextvars.Token) -> None:
    _current.reset(token)


def current_context() -> TestContext | None:
    return _current.get()


class Mismatch(AssertionError):
    """A failed comparison: a value with room for help. FINDINGS name what the difference looks
    like (grader/findings.py: the runner turns them into diagnoses); DIFFERENCE is it as data."""

    def __init__(self, message: str, actual: Any = None, expected: Any = None,
                 findings: tuple[Finding, ...] = (), difference: Difference | None = None) -> None:
        super().__init__(message)
        self.actual, self.expected = actual, expected
        self.findings, self.difference = findings, difference


def modified_input(context: TestContext | None = None) -> Finding | None:
    """That a call of CONTEXT (by default the current test's) modified one of its arguments in
    place, if one did."""
    context = context or current_context()
    mutated = [c for c in context.calls if c.mutated] if context else []
    if not mutated:
        return None
    call = mutated[0]
    named = [_argument_name(label, call.function, context.reference) for label in call.mutated]
    return Finding("generic/modified-input", f"Your {call.function}() modified its input "
                   f"({', '.join(named)}) in place; the contract says inputs must be left unchanged "
                   "(work on a copy).")


_POSITIONAL = re.compile(r"args\[(\d+)\](.*)")
_KEYWORD = re.compile(r"kwargs\['(\w+)'\](.*)")


def _argument_name(label: str, function: str, reference: Any) -> str:
    """A worker's label for a modified argument (``args[1]``, ``kwargs['x'][0]``) as the student
    wrote it: the parameter's name from the reference's signature (``k``); LABEL when unknown."""
    keyword = _KEYWORD.fullmatch(label)
    if keyword:
        return keyword[1] + keyword[2]
    positional = _POSITIONAL.fullmatch(label)
    try:
        parameters = list(inspect.signature(getattr(reference, function)).parameters.values())
    except (AttributeError, TypeError, ValueError):
        return label
    if positional and int(positional[1]) < len(parameters) and parameters[int(positional[1])].kind in (
            inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD):
        return parameters[int(positional[1])].name + positional[2]
    return label


def has_float32(value: Any) -> bool:
    if isinstance(value, (np.ndarray, np.generic)):
        return value.dtype in (np.float32, np.float16, np.complex64)
    if isinstance(value, (list, tuple)):
        return any(has_float32(v) for v in value)
    if isinstance(value, dict):
        return any(has_float32(v) for v in value.values())
    return False


def _float32_input() -> bool:
    """Did the current test pass float32 arrays to the student? Then float32 results are fine."""
    context = current_context()
    return bool(context) and any(has_float32(c.args) or has_float32(c.kwargs) for c in context.calls)


def assert_close(actual: Any, expected: Any, *, rtol: float | None = None, atol: float | None = None,
                 name: str = "result") -> None:
    """Fail with an explanation unless ACTUAL equals EXPECTED within tolerance.

    Default tolerances follow the lower precision of the two dtypes (see grader.compare).
    """
    problem = compare(actual, expected, rtol=rtol, atol=atol, name=name)
    if problem and _float32_input():  # float32 inputs only ever relax the check: look at them only if it failed
        problem = compare(actual, expected, rtol=rtol, atol=atol, name=name, float32_input=True)
    if problem:
        modified = modified_input()
        raise Mismatch(problem.message, actual, expected, problem.findings + ((modified,) if modified else ()),
                       problem.difference)


def _shown(value: Any) -> str:
    """An argument as a report names it: its kind and shape, never its entries."""
    if isinstance(value, np.ndarray):
        return f"array {value.shape}" + ("" if value.dtype == np.float64 else f" {value.dtype}")
    if isinstance(value, np.random.Generator):
        return "rng"
    if isinstance(value, (list, tuple)) and len(value) > 3:
        return f"{type(value).__name__} of {len(value)}"
    return repr(value) if len(repr(value)) <= 20 else type(value).__name__


def assert_does_the_work(student: Any, reference: Any, function: str, *args: Any,
                         check: Callable[[Any], None] | None = None, rtol: float | None = None,
                         atol: float | None = None, **kwargs: Any) -> Any:
    """Call the student's FUNCTION on ARGS and fail unless it does its job there; return its value.

    A test of a side property (the inputs are left unchanged, a dtype or a shape, the same
    generator giving the same draw, a ValueError for a bad argument, a special case whose
    answer a constant could give) calls this on that call's arguments or on an ordinary,
    generic input, so that its points go only to a function that also does the work: a
    function that returns None, 0, zeros, its input or noise, or raises for everything,
    scores nothing (`learn validate` grades such trivial files and requires 0).

    The result is compared with ``getattr(reference, function)(*args, **kwargs)`` as
    ``assert_close`` compares (RTOL and ATOL as there). A random function, whose draws no
    reference can predict, passes CHECK instead: a callable that raises AssertionError unless
    the value is right (a shape and a distribution, from ``grader.stats``). The function's own
    keyword arguments pass through KWARGS (so none of them may be named check, rtol or atol).
    """
    value = getattr(student, function)(*args, **kwargs)
    shown = f"{function}({', '.join([_shown(a) for a in args] + [f'{k}={_shown(v)}' for k, v in kwargs.items()])})"
    try:
        if check is not None:
            check(value)
        else:
            assert_close(value, getattr(reference, function)(*args, **kwargs), rtol=rtol, atol=atol, name=shown)
    except AssertionError as exc:
        raise Mismatch(f"This test counts only if {function}() does its job, and here it does not:\n"
                       f"{exc if check is None else f'{shown}: {exc}'}",
                       getattr(exc, "actual", value), getattr(exc, "expected", None)) from None
    return value


def assert_inputs_unchanged() -> None:
    """Fail if any call of the current test modified one of its arguments."""
    modified = modified_input()
    if modified:
        raise Mismatch("An input was modified in place.", findings=(modified,))


def _plain(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        if np.iscomplexobj(value):
            return [[float(v.real), float(v.imag)] for v in value.ravel()]
        return np.where(np.isfinite(value), value, np.nan).astype(float).tolist()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (np.generic, float, int)):
        return float(value) if not isinstance(value, (bool, np.bool_)) else bool(value)
    return value


# A picture draws one shape per value and the student decides how many values there are: 7.8
# million returned singular values made a 1 GB report.html and 13 GB of the grader's memory.
FIGURE_VALUES = 1024  # of a series (bars, lines, points on the complex plane)
FIGURE_SIDE = 64      # rows and columns of a matrix (a heatmap); of a batch, the first matrix


def _drawn(value: Any, row: bool = False) -> tuple[Any, int, int]:
    """VALUE cut to what a picture draws, with the number of values kept and given (ROW: a row of
    a matrix given as nested lists)."""
    if isinstance(value, np.ndarray) and value.size:
        if value.ndim <= 1:
            kept = value[:FIGURE_VALUES] if value.ndim else value
        else:
            kept = value[(slice(0, 1),) * (value.ndim - 2) + (slice(0, FIGURE_SIDE), slice(0, FIGURE_SIDE))]
        return kept, kept.size, value.size
    if isinstance(value, (list, tuple)):
        nested = bool(value) and isinstance(value[0], (list, tuple, np.ndarray))
        parts = [_drawn(v, row=True) if nested else (v, 1, 1) for v in value]
        kept = parts[:FIGURE_SIDE if nested or row else FIGURE_VALUES]
        return [p[0] for p in kept], sum(p[1] for p in kept), sum(p[2] for p in parts)
    if isinstance(value, dict):
        parts = {k: _drawn(v) for k, v in value.items()}
        return ({k: p[0] for k, p in parts.items()}, sum(p[1] for p in parts.values()),
                sum(p[2] for p in parts.values()))
    return value, 0, 0


def attach_figure(kind: str, title: str, **data: Any) -> None:
    """Attach a picture to the current test's result (shown in the HTML report). Arrays are cut
    to FIGURE_VALUES values (a matrix to FIGURE_SIDE rows and columns), and the title says so."""
    if kind not in FIGURE_KINDS:
        raise ValueError(f"unknown figure kind {kind!r}; expected one of {', '.join(FIGURE_KINDS)}")
    context = current_context()
    if context is not None:
        drawn = {k: _drawn(v) for k, v in data.items()}
        kept, given = sum(d[1] for d in drawn.values()), sum(d[2] for d in drawn.values())
        if kept < given:
            title += f" (only the first {kept:,} of {given:,} values are drawn)"
        context.figures.append(Figure(kind, title, {k: _plain(d[0]) for k, d in drawn.items()}))


def mistake(mistake_id: str, *, replaces: str) -> Callable[[Callable], Callable]:
    """Mark a function of mistakes.py as the catalogued mistake MISTAKE_ID of REPLACES."""
    def mark(function: Callable) -> Callable:
        function.__learn_mistake__ = (mistake_id, replaces)  # type: ignore[attr-defined]
        return function
    return mark
