"""Compare a student's value with the expected one and explain the difference.

:func:`compare` returns None when the values agree, else a :class:`Comparison`: a message a
student can act on (the type and shape first, then the dtype, then NaN/inf locations, then
where and by how much the values differ), the findings that name what the difference looks
like (transposed, scaled, sign flipped, shifted, in another order, normalized over the wrong
axis, a lost keepdims; see grader/findings.py), each a diagnosis of its own, and the
difference as data. :func:`explain` is the same as one text.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.findings import Finding
from grader.patterns import pattern
from grader.results import Difference

# Default tolerances by the lower precision of the two values. float64: a few ulps of
# accumulated rounding on O(1) values across different but correct evaluation orders;
# float32: its machine epsilon (1.2e-7) times the same headroom.
TOLERANCES = {8: (1e-7, 1e-9), 4: (1e-4, 1e-5), 2: (1e-2, 1e-3)}
SHOW_ENTRIES = 36
_FLOAT64 = (float, np.float64)  # exact types: the usual scalar, checked without numpy


@dataclass(frozen=True)
class Comparison:
    message: str
    findings: tuple[Finding, ...] = ()
    difference: Difference | None = None

    @property
    def text(self) -> str:
        return "\n".join([self.message, *(f.message for f in self.findings)])


def default_tolerance(*dtypes: np.dtype) -> tuple[float, float]:
    sizes = [_precision(d) for d in dtypes if d.kind in "fc"]
    return TOLERANCES[min(sizes)] if sizes else (0.0, 0.0)


def _precision(dtype: np.dtype) -> int:
    """Bytes per real component (a complex64 is two float32s)."""
    size = dtype.itemsize // 2 if dtype.kind == "c" else dtype.itemsize
    return size if size in (2, 4, 8) else 8


def _describe_type(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if value is None:
        return "None"
    if isinstance(value, (bool, np.bool_)):
        return f"the boolean {value}"
    if isinstance(value, str):
        shown = value if len(value) < 60 else value[:57] + "..."
        return f"the string {shown!r}"
    return f"a {type(value).__name__}"


def _wrong_type(message: str, actual: Any) -> Comparison:
    none = (Finding("generic/no-return", "Your function returned None: is a return statement missing?"),)
    return Comparison(message, none if actual is None else ())


# An array's lines fit the terminal report (80 columns, 6 of them indent), which re-wraps any
# longer line at its spaces and so breaks the columns apart (a student's review).
ARRAY_LINE = 72


def fmt(array: Any, prefix: str = "") -> str:
    """ARRAY as the reports show it; PREFIX is the text before it on its first line (`f(`): the
    first line leaves room for it and the others are indented to line up under it."""
    return np.array2string(np.asarray(array), precision=6, suppress_small=False, threshold=SHOW_ENTRIES,
                           edgeitems=3, max_line_width=ARRAY_LINE, prefix=prefix)


def explain(actual: Any, expected: Any, *, rtol: float | None = None, atol: float | None = None,
            name: str = "result", float32_input: bool = False) -> str | None:
    """None if ACTUAL matches EXPECTED within tolerance, else why not, as one text."""
    comparison = compare(actual, expected, rtol=rtol, atol=atol, name=name, float32_input=float32_input)
    return None if comparison is None else comparison.text


def compare(actual: Any, expected: Any, *, rtol: float | None = None, atol: float | None = None,
            name: str = "result", float32_input: bool = False) -> Comparison | None:
    """None if ACTUAL matches EXPECTED within tolerance, else what differs and what it looks like.

    FLOAT32_INPUT says the inputs were float32, so a float32 result is as good as a float64 one
    (compared at float32 tolerance) even when the reference computed in float64.
    """
    options = dict(rtol=rtol, atol=atol, float32_input=float32_input)
    if isinstance(expected, (tuple, list)):
        if not isinstance(actual, (tuple, list)):
            return _wrong_type(f"{name} should be a {type(expected).__name__} of {len(expected)} values, "
                               f"got {_describe_type(actual)}", actual)
        if len(actual) != len(expected):
            return Comparison(f"{name} should have {len(expected)} elements, got {len(actual)}")
        for i, (a, e) in enumerate(zip(actual, expected)):
            problem = compare(a, e, name=f"{name}[{i}]", **options)  # type: ignore[arg-type]
            if problem:
                return _out_of_order(actual, expected, name, options) or problem
        return None
    if isinstance(expected, (bool, np.bool_)):
        if not isinstance(actual, (bool, np.bool_)):
            return _wrong_type(f"{name} should be a boolean, got {_describe_type(actual)}", actual)
        return None if bool(actual) == bool(expected) else \
            Comparison(f"{name} is {bool(actual)}, expected {bool(expected)}")
    if expected is None or isinstance(expected, str):
        return None if actual == expected else Comparison(f"{name} is {actual!r}, expected {expected!r}")
    if isinstance(expected, np.ndarray) and expected.ndim > 0:
        if not isinstance(actual, np.ndarray):
            return _wrong_type(f"{name} should be a numpy array of shape {expected.shape}, "
                               f"got {_describe_type(actual)}", actual)
        return _compare_arrays(actual, expected, rtol, atol, name, float32_input)
    # A scalar is expected: accept a Python or numpy number, or a 0-d array.
    if isinstance(actual, np.ndarray) and actual.ndim == 0:
        actual = actual[()]
    if type(actual) in _FLOAT64 and type(expected) in _FLOAT64:  # numpy's test below, in plain floats (both IEEE doubles)
        default_rtol, default_atol = TOLERANCES[8]
        a, e = float(actual), float(expected)
        if math.isfinite(a) and math.isfinite(e) and \
                abs(a - e) <= (default_atol if atol is None else atol) + (default_rtol if rtol is None else rtol) * abs(e):
            return None
    if isinstance(actual, (bool, np.bool_)) or not isinstance(actual, (int, float, complex, np.number)):
        return _wrong_type(f"{name} should be a number, got {_describe_type(actual)}", actual)
    return _compare_arrays(np.asarray(actual), np.asarray(expected), rtol, atol, name, float32_input)


def _out_of_order(actual: Any, expected: Any, name: str, options: dict) -> Comparison | None:
    """The values of a returned tuple, all right but in another order (at most 4 of them)."""
    if not 1 < len(expected) <= 4:
        return None
    for order in itertools.permutations(range(len(expected))):
        if list(order) != sorted(order) and all(compare(actual[i], e, **options) is None
                                                for i, e in zip(order, expected)):
            return Comparison(f"{name} holds the right values in the wrong order", (Finding(
                "generic/wrong-order", f"Your {name} has the right values in the order {list(order)} of the expected "
                "ones: return them in the order the instructions give.",
                "Your function returns the right values, but not in the order the instructions give."),))
    return None


def _shape_problem(actual: np.ndarray, expected: np.ndarray, name: str) -> Comparison:
    message = f"{name} has shape {actual.shape}, expected {expected.shape}"
    if actual.ndim >= 2 and actual.shape[:-2] + actual.shape[-2:][::-1] == expected.shape:
        return Comparison(message, (Finding("generic/transposed", "Your result looks transposed: are the last "
                                                                  "two axes swapped?"),))
    dropped = {expected.shape[:k] + expected.shape[k + 1:] for k in range(expected.ndim) if expected.shape[k] == 1}
    if actual.shape in dropped | {tuple(s for s in expected.shape if s != 1)} and actual.ndim < expected.ndim:
        return Comparison(message, (Finding(
            "generic/missing-keepdims", f"Your result has lost an axis of length 1: {actual.shape} is {expected.shape} "
            "without it. A reduction such as sum or max drops the axis it reduces; keepdims=True keeps it.",
            "Your result has lost an axis of length 1: a reduction such as sum or max drops the axis it "
            "reduces; keepdims=True keeps it."),))
    if actual.size == expected.size:
        message += f". It has the right number of entries ({actual.size}): check how you reshape or transpose"
    elif actual.ndim != expected.ndim:
        message += f". It has {actual.ndim} axes instead of {expected.ndim}: check which axis you reduced over or kept"
    return Comparison(message)


def _compare_arrays(actual: np.ndarray, expected: np.ndarray, rtol: float | None, atol: float | None,
                    name: str, float32_input: bool = False) -> Comparison | None:
    if actual.shape != expected.shape:
        return _shape_problem(actual, expected, name)
    if expected.dtype.kind == "b":
        if actual.dtype.kind != "b":
            return Comparison(f"{name} should be a boolean array, got dtype {actual.dtype}")
        wrong = np.argwhere(actual != expected)
        if len(wrong):
            return Comparison(f"{name} differs at {len(wrong)} of {expected.size} entries, first at "
                              f"{_index(wrong[0])}: {actual[tuple(wrong[0])]} instead of {expected[tuple(wrong[0])]}")
        return None
    if actual.dtype.kind not in "biufc":
        return Comparison(f"{name} has dtype {actual.dtype}; expected numbers")
    if expected.dtype.kind in "f" and actual.dtype.kind == "c":
        # Real values in a complex array (eigvals of a symmetric matrix, say) may carry rounding
        # noise in their imaginary parts: within the comparison's own tolerance, they are real.
        real_rtol, real_atol = default_tolerance(actual.real.dtype, expected.dtype)
        allowed = (real_atol if atol is None else atol) + (real_rtol if rtol is None else rtol) * np.abs(expected)
        with np.errstate(invalid="ignore"):
            if not np.all((actual.imag == 0) | (np.abs(actual.imag) <= allowed)):
                return Comparison(f"{name} is complex (dtype {actual.dtype}); expected real numbers")
        actual = actual.real
    if expected.dtype == np.float64 and actual.dtype in (np.float32, np.float16) and not float32_input:
        return Comparison(f"{name} has dtype {actual.dtype}, expected float64", (Finding(
            "generic/lost-precision", f"Your result is {actual.dtype} although the input was float64: keep float64 "
            "precision (do not cast to float32)."),))
    default_rtol, default_atol = default_tolerance(actual.dtype, expected.dtype)
    rtol = default_rtol if rtol is None else rtol
    atol = default_atol if atol is None else atol
    a = actual.astype(np.complex128 if "c" in (actual.dtype.kind, expected.dtype.kind) else np.float64)
    e = expected.astype(a.dtype)
    with np.errstate(invalid="ignore", over="ignore"):  # the common case, cheaply: all finite and close
        if np.isfinite(a).all() and np.isfinite(e).all() and (abs(a - e) <= atol + rtol * abs(e)).all():
            return None  # np.isclose's own test, without its overhead (most of a passing test's time)
    nonfinite = _nonfinite_problem(a, e, name)
    if nonfinite:
        return nonfinite
    close = np.isclose(a, e, rtol=rtol, atol=atol, equal_nan=True)
    if close.all():
        return None
    bad = np.argwhere(~close)
    with np.errstate(invalid="ignore", over="ignore"):  # inf - inf where both are inf: close, shown as 0
        diff = np.abs(np.where(close, 0, a - e))
    worst = np.unravel_index(np.argmax(diff), diff.shape) if diff.ndim else ()
    lines = [f"{name} differs from the expected value at {len(bad)} of {e.size} entries "
             f"(tolerance rtol={rtol:g}, atol={atol:g})."]
    if e.ndim:
        got, wanted = _nums(a[worst], e[worst])
        lines.append(f"Largest difference at index {_index(worst)}: got {got}, expected {wanted} "
                     f"(off by {_num(diff[worst])}).")
    else:
        lines.append("Got {}, expected {}.".format(*_nums(a[()], e[()])))
    if e.ndim and e.size <= SHOW_ENTRIES:
        lines.append(f"got:\n{fmt(actual)}\nexpected:\n{fmt(expected)}")
    # Only under a tolerance tighter than the default (which allows far more than rounding), in
    # units of the expected answer's own precision (the student's float16 is no excuse).
    eps = float(np.finfo(expected.dtype).eps) if expected.dtype.kind == "f" else EPS64
    tightened = rtol < default_rtol or atol < default_atol
    ulps = _rounding_ulps(a, e, ~close, eps) if tightened else None
    if ulps is not None:  # no pattern to find in rounding noise ("shifted by 4e-16", "another order")
        lines.append(f"These differences are at the level of floating-point rounding (at most {ulps} "
                     f"unit{'s' if ulps > 1 else ''} in the last place): an equally correct "
                     "order of operations gives them, so the "
                     f"test's tolerance (rtol={rtol:g}, atol={atol:g}) is tighter than floating point allows. This "
                     "is a bug in the exercise, not in your code: tell your instructor.")
        finding = None
    else:
        with np.errstate(all="ignore"):  # the patterns try arithmetic on the student's infinities and NaNs
            finding = pattern(a, e, rtol, atol)
    difference = Difference(name=name, shape=list(e.shape), mismatched=len(bad), size=int(e.size),
                            index=[int(i) for i in worst], got=_plain(a[worst]), expected=_plain(e[worst]),
                            rtol=rtol, atol=atol)
    return Comparison("\n".join(lines), (finding,) if finding else (), difference)


ROUNDING_ULPS = 64  # a float64 sum of a few hundred terms, reordered, stays within this
EPS64 = float(np.finfo(np.float64).eps)


def _rounding_ulps(a: np.ndarray, e: np.ndarray, bad: np.ndarray, eps: float) -> int | None:
    """How many units in the last place (EPS) of its own size the worst of the BAD entries is off
    by, if every one is within ROUNDING_ULPS: what rounding gives, not a mistake; else None. Each
    entry is measured against itself (an attacker's review: against the array's largest value, a
    matching inf or 1e16 elsewhere made any error look like rounding); a non-finite value anywhere
    is never rounding."""
    if a.dtype.kind == "c" or not (np.isfinite(a).all() and np.isfinite(e).all()):
        return None
    got, wanted = a[bad], e[bad]
    size = np.maximum(np.abs(got), np.abs(wanted))
    if not size.size or (size == 0).any():
        return None
    ulps = float(np.max(np.abs(got - wanted) / (eps * size)))
    return max(1, int(np.ceil(ulps))) if ulps <= ROUNDING_ULPS else None


def _nonfinite_problem(a: np.ndarray, e: np.ndarray, name: str) -> Comparison | None:
    for label, test in (("NaN", np.isnan), ("inf", np.isinf)):
        unexpected = test(a) & ~test(e)
        if unexpected.any():
            where = np.argwhere(unexpected)
            shown = ", ".join(_index(i) for i in where[:5]) if a.ndim else ""
            more = f" and {len(where) - 5} more" if len(where) > 5 else ""
            place = f" at {shown}{more}" if shown else ""
            wanted = "finite values were" if np.isfinite(e[unexpected]).all() else "other values were"
            why = ("NaN usually comes from 0/0 or inf − inf: guard divisions by zero (a zero norm, an empty "
                   "sum), and where you take exp of large values, subtract their max first.") if label == "NaN" else \
                "inf usually comes from an overflow or a division by zero."
            expected_is = "is finite" if wanted.startswith("finite") else f"is not {label}"
            finding = Finding(f"generic/unexpected-{label.lower()}",
                              f"Your result has {label} where the expected value {expected_is}. {why}")
            return Comparison(f"{name} contains {label}{place} where {wanted} expected.", (finding,))
        missing = test(e) & ~test(a)
        if missing.any():
            first = np.argwhere(missing)[0] if a.ndim else ()
            return Comparison(f"{name} should be {_num(e[tuple(first)])} at {_index(first)}, got "
                              f"{_num(a[tuple(first)])}")
    return None


def _plain(x: Any) -> float | str:
    """A number as JSON can carry it: a finite float, else its text (complex, inf)."""
    value = complex(x) if np.iscomplexobj(x) else float(x)
    return value if isinstance(value, float) and math.isfinite(value) else f"{value:.6g}"


def _index(index: Any) -> str:
    return "[" + ", ".join(str(int(i)) for i in np.atleast_1d(index)) + "]" if np.size(index) else "[]"


def _num(x: Any) -> str:
    x = complex(x) if np.iscomplexobj(x) else float(x)
    return f"{x:.6g}" if isinstance(x, float) else f"{x:.6g}"


def _nums(got: Any, expected: Any) -> tuple[str, str]:
    """GOT and EXPECTED with the digits it takes to tell them apart ("1.48644" twice says nothing)."""
    for digits in (6, 10, 17):
        shown = tuple(f"{complex(v) if np.iscomplexobj(v) else float(v):.{digits}g}" for v in (got, expected))
        if shown[0] != shown[1]:
            return shown
    return shown
