"""Public examples (the ``examples:`` field of exercise.yaml): run one through a proxy, judge it.

The same code judges a student's file in a sandboxed worker (grading in a student-only install,
grader/partial.py) and the reference in-process (``learn validate``), so an example that the
reference passes is one a correct student passes too. The values are plain YAML data until
here: a list of numbers (nested or not) becomes a float64 array, a list of booleans a boolean
array, ``{tuple: [...]}`` a tuple, ``{rng: SEED}`` ``numpy.random.default_rng(SEED)``, any
other list a list; numbers, strings, booleans and null stay as they are.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from grader.compare import explain, fmt
from grader.course import Example, Exercise, show_value
from grader.exercise_format import is_boolean, is_numeric
from grader.proxy import GradingInterrupt, StudentException, StudentProxy, format_student_exception
from grader.results import Status, TestResult

SHOWN_CHARACTERS = 300
DESCRIPTION = "A public example from exercise.yaml (`learn show` lists them)."


def to_value(raw: Any) -> Any:
    """Plain YAML data → the value a function is called with or compared to."""
    if isinstance(raw, dict):
        if "rng" in raw:
            return np.random.default_rng(raw["rng"])
        return tuple(to_value(v) for v in raw["tuple"])
    if isinstance(raw, list):
        if is_numeric(raw):
            return np.array(raw, dtype=np.float64)
        if is_boolean(raw):
            return np.array(raw, dtype=bool)
        return [to_value(v) for v in raw]
    return raw


def show_result(value: Any) -> str:
    """A returned value as a student reads it, cut short when it is long."""
    if isinstance(value, np.ndarray):
        text = fmt(value) if value.ndim else repr(value[()].item())
    elif isinstance(value, np.generic):
        text = repr(value.item())
    elif isinstance(value, (tuple, list)):
        inner = ", ".join(show_result(v) for v in value)
        text = f"({inner}{',' if len(value) == 1 else ''})" if isinstance(value, tuple) else f"[{inner}]"
    elif isinstance(value, str):
        text = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    else:
        text = repr(value)
    return text if len(text) <= SHOWN_CHARACTERS else text[:SHOWN_CHARACTERS - 3] + "..."


def run_example(example: Example, proxy: StudentProxy) -> tuple[Status, str, Any]:
    """Call the example through PROXY: (status, message, returned value or None)."""
    call = example.shown()
    args = [to_value(a) for a in example.args]
    kwargs = {k: to_value(v) for k, v in example.kwargs}
    try:
        value = getattr(proxy, example.call)(*args, **kwargs)
    except GradingInterrupt as exc:
        status = Status(exc.status)
        return status, f"{call}: {exc.message}", None
    except StudentException as exc:
        return Status.ERROR, f"{call} raised an exception:\n{format_student_exception(exc.info)}", None
    problem = explain(value, to_value(example.expected), rtol=example.rtol, atol=example.atol)
    if problem is None:
        return Status.PASSED, f"{call} returned {show_result(value)}", value
    message = f"{call} returned {show_result(value)}, expected {show_value(example.expected)}"
    if not problem.startswith("result is "):  # beyond "x is a, expected b": where and how it differs
        message += "\n" + problem
    return Status.FAILED, message, value


def example_tests(exercise: Exercise, proxy: StudentProxy) -> list[TestResult]:
    """One test per example, named example[1], example[2], …; worth nothing (the grade is CI's)."""
    tests = []
    for number, example in enumerate(exercise.examples, 1):
        status, message, _ = run_example(example, proxy)
        tests.append(TestResult(f"example[{number}]", DESCRIPTION,
                                status, 0.0, 0.0, message=message))
    return tests
