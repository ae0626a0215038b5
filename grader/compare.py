"""Compare a student's value with the expected one and explain the difference in words.

``explain`` returns None when the values agree, else a message a student can act on: the type
and shape first, then the dtype, then NaN/inf locations, then where and by how much the values
differ, and finally what the difference looks like (transposed, scaled, sign flipped, shifted,
normalized over the wrong axis).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

# Default tolerances by the lower precision of the two values. float64: a few ulps of
# accumulated rounding on O(1) values across different but correct evaluation orders;
# float32: its machine epsilon (1.2e-7) times the same headroom.
TOLERANCES = {8: (1e-7, 1e-9), 4: (1e-4, 1e-5), 2: (1e-2, 1e-3)}
SHOW_ENTRIES = 36
_FLOAT64 = (float, np.float64)  # exact types: the usual scalar, checked without numpy


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
        return "None (did you forget a return statement?)"
    if isinstance(value, (bool, np.bool_)):
        return f"the boolean {value}"
    if isinstance(value, str):
        shown = value if len(value) < 60 else value[:57] + "..."
        return f"the string {shown!r}"
    return f"a {type(value).__name__}"


def fmt(array: Any) -> str:
    return np.array2string(np.asarray(array), precision=6, suppress_small=False, threshold=SHOW_ENTRIES,
                           edgeitems=3, max_line_width=100)


def explain(actual: Any, expected: Any, *, rtol: float | None = None, atol: float | None = None,
            name: str = "result", float32_input: bool = False) -> str | None:
    """None if ACTUAL matches EXPECTED within tolerance, else why not.

    FLOAT32_INPUT says the inputs were float32, so a float32 result is as good as a float64 one
    (compared at float32 tolerance) even when the reference computed in float64.
    """
    if isinstance(expected, (tuple, list)):
        if not isinstance(actual, (tuple, list)):
            return f"{name} should be a {type(expected).__name__} of {len(expected)} values, got {_describe_type(actual)}"
        if len(actual) != len(expected):
            return f"{name} should have {len(expected)} elements, got {len(actual)}"
        for i, (a, e) in enumerate(zip(actual, expected)):
            problem = explain(a, e, rtol=rtol, atol=atol, name=f"{name}[{i}]", float32_input=float32_input)
            if problem:
                return problem
        return None
    if isinstance(expected, (bool, np.bool_)):
        if not isinstance(actual, (bool, np.bool_)):
            return f"{name} should be a boolean, got {_describe_type(actual)}"
        return None if bool(actual) == bool(expected) else f"{name} is {bool(actual)}, expected {bool(expected)}"
    if expected is None or isinstance(expected, str):
        return None if actual == expected else f"{name} is {actual!r}, expected {expected!r}"
    if isinstance(expected, np.ndarray) and expected.ndim > 0:
        if not isinstance(actual, np.ndarray):
            return f"{name} should be a numpy array of shape {expected.shape}, got {_describe_type(actual)}"
        return _explain_arrays(actual, expected, rtol, atol, name, float32_input)
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
        return f"{name} should be a number, got {_describe_type(actual)}"
    return _explain_arrays(np.asarray(actual), np.asarray(expected), rtol, atol, name, float32_input)


def _explain_arrays(actual: np.ndarray, expected: np.ndarray, rtol: float | None, atol: float | None,
                    name: str, float32_input: bool = False) -> str | None:
    if actual.shape != expected.shape:
        message = f"{name} has shape {actual.shape}, expected {expected.shape}"
        if actual.ndim >= 2 and actual.shape[:-2] + actual.shape[-2:][::-1] == expected.shape:
            message += ". It looks transposed: are the last two axes swapped?"
        elif actual.size == expected.size:
            message += f". It has the right number of entries ({actual.size}): check how you reshape or transpose"
        elif actual.ndim != expected.ndim:
            message += f". It has {actual.ndim} axes instead of {expected.ndim}: check which axis you reduced over or kept"
        return message
    if expected.dtype.kind == "b":
        if actual.dtype.kind != "b":
            return f"{name} should be a boolean array, got dtype {actual.dtype}"
        wrong = np.argwhere(actual != expected)
        if len(wrong):
            return (f"{name} differs at {len(wrong)} of {expected.size} entries, first at "
                    f"{_index(wrong[0])}: {actual[tuple(wrong[0])]} instead of {expected[tuple(wrong[0])]}")
        return None
    if actual.dtype.kind not in "biufc":
        return f"{name} has dtype {actual.dtype}; expected numbers"
    if expected.dtype.kind in "f" and actual.dtype.kind == "c":
        if np.any(np.abs(actual.imag) > 0):
            return f"{name} is complex (dtype {actual.dtype}); expected real numbers"
        actual = actual.real
    if expected.dtype == np.float64 and actual.dtype in (np.float32, np.float16) and not float32_input:
        return (f"{name} has dtype {actual.dtype} but the input was float64: keep float64 "
                "precision (do not cast to float32)")
    default_rtol, default_atol = default_tolerance(actual.dtype, expected.dtype)
    rtol = default_rtol if rtol is None else rtol
    atol = default_atol if atol is None else atol
    a = actual.astype(np.complex128 if "c" in (actual.dtype.kind, expected.dtype.kind) else np.float64)
    e = expected.astype(a.dtype)
    with np.errstate(invalid="ignore", over="ignore"):  # the common case, cheaply: all finite and close
        if np.isfinite(a).all() and np.isfinite(e).all() and (abs(a - e) <= atol + rtol * abs(e)).all():
            return None  # np.isclose's own test, without its overhead (most of a passing test's time)
    nan_problem = _explain_nonfinite(a, e, name)
    if nan_problem:
        return nan_problem
    close = np.isclose(a, e, rtol=rtol, atol=atol, equal_nan=True)
    if close.all():
        return None
    bad = np.argwhere(~close)
    diff = np.abs(np.where(close, 0, a - e))
    worst = np.unravel_index(np.argmax(diff), diff.shape) if diff.ndim else ()
    lines = [f"{name} differs from the expected value at {len(bad)} of {e.size} entries "
             f"(tolerance rtol={rtol:g}, atol={atol:g})."]
    if e.ndim:
        lines.append(f"Largest difference at index {_index(worst)}: got {_num(a[worst])}, "
                     f"expected {_num(e[worst])} (off by {_num(diff[worst])}).")
    else:
        lines.append(f"Got {_num(a[()])}, expected {_num(e[()])}.")
    pattern = _pattern(a, e, rtol, atol)
    if pattern:
        lines.append(pattern)
    if e.ndim and e.size <= SHOW_ENTRIES:
        lines.append(f"got:\n{fmt(actual)}\nexpected:\n{fmt(expected)}")
    return "\n".join(lines)


def _explain_nonfinite(a: np.ndarray, e: np.ndarray, name: str) -> str | None:
    for label, test in (("NaN", np.isnan), ("inf", np.isinf)):
        unexpected = test(a) & ~test(e)
        if unexpected.any():
            where = np.argwhere(unexpected)
            shown = ", ".join(_index(i) for i in where[:5]) if a.ndim else ""
            more = f" and {len(where) - 5} more" if len(where) > 5 else ""
            place = f" at {shown}{more}" if shown else ""
            why = (" NaN usually comes from 0/0, inf − inf or exp overflow (subtract the max "
                   "before exp; guard divisions by zero).") if label == "NaN" else \
                  " inf usually comes from an overflow or a division by zero."
            wanted = "a finite value was" if np.isfinite(e[unexpected]).all() else "other values were"
            return f"{name} contains {label}{place} where {wanted} expected.{why}"
        missing = test(e) & ~test(a)
        if missing.any():
            first = np.argwhere(missing)[0] if a.ndim else ()
            return (f"{name} should be {_num(e[tuple(first)])} at {_index(first)}, got "
                    f"{_num(a[tuple(first)])}")
    return None


def _pattern(a: np.ndarray, e: np.ndarray, rtol: float, atol: float) -> str | None:
    """Name what the difference looks like, when it is one of the usual suspects."""
    loose = dict(rtol=max(rtol, 1e-6) * 10, atol=max(atol, 1e-9) * 10)
    finite = np.isfinite(a) & np.isfinite(e)
    if not finite.any():
        return None
    if a.ndim >= 2 and a.shape[-1] == a.shape[-2] and np.allclose(a, np.swapaxes(e, -1, -2), **loose):
        return "It matches the expected value transposed: are the last two axes swapped?"
    if np.allclose(a, -e, **loose) and np.abs(e).max() > atol:
        return "It matches the expected value with the opposite sign."
    scale_mask = finite & (np.abs(e) > max(atol, 1e-12))
    if scale_mask.sum() >= 1:
        ratio = a[scale_mask] / e[scale_mask]
        c = np.median(ratio.real) if np.iscomplexobj(ratio) else np.median(ratio)
        if c != 0 and np.isfinite(c) and not np.isclose(c, 1, rtol=1e-3) and np.allclose(a, c * e, **loose):
            return (f"It is the expected value scaled by a constant: about {c:.6g} times "
                    f"(1/{1 / c:.6g}). Check a normalization or scale factor.")
    if e.size > 1:
        shift = np.median((a - e)[finite])
        if abs(shift) > atol and np.allclose(a, e + shift, **loose):
            return f"It is the expected value shifted by a constant: about {_num(shift)} everywhere."
    if a.ndim >= 2 and not np.iscomplexobj(a):
        expected_sums = np.allclose(e.sum(axis=-1), 1, atol=1e-6)
        for axis in range(a.ndim - 1):
            if expected_sums and np.allclose(a.sum(axis=axis), 1, atol=1e-6):
                return (f"Your values sum to 1 along axis {axis} instead of the last axis: "
                        "you normalized over the wrong axis.")
    return None


def _index(index: Any) -> str:
    return "[" + ", ".join(str(int(i)) for i in np.atleast_1d(index)) + "]" if np.size(index) else "[]"


def _num(x: Any) -> str:
    x = complex(x) if np.iscomplexobj(x) else float(x)
    return f"{x:.6g}" if isinstance(x, float) else f"{x:.6g}"
