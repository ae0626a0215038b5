"""What the difference between a wrong array and the expected one looks like, when it is one of
the usual suspects: transposed, the opposite sign (everywhere or in some columns), scaled or
shifted by a constant, the right values in another order, normalized or centred over the wrong
axis. Each is a :class:`grader.findings.Finding`; grader/compare.py asks for one after it has
found that two arrays of the same shape differ.
"""
from __future__ import annotations

import numpy as np

from grader.findings import Finding


def pattern(a: np.ndarray, e: np.ndarray, rtol: float, atol: float) -> Finding | None:
    """Name what the difference looks like, when it is one of the usual suspects."""
    loose = dict(rtol=max(rtol, 1e-6) * 10, atol=max(atol, 1e-9) * 10)
    finite = np.isfinite(a) & np.isfinite(e)  # the rest agree (equal infinities, NaN where NaN is expected)
    if not finite.any():
        return None
    if a.ndim >= 2 and a.shape[-1] == a.shape[-2] and np.allclose(a, np.swapaxes(e, -1, -2), **loose):
        return Finding("generic/transposed", "Your result matches the expected value transposed: are the last two "
                                             "axes swapped?")
    if np.allclose(a, -e, **loose) and np.abs(e).max() > atol:
        return Finding("generic/wrong-sign", "Your result is the expected value with the opposite sign.")
    signs = _column_signs(a, e, loose)
    if signs:
        return Finding("generic/wrong-sign", f"Columns {signs} of your result have the opposite sign: check the "
                       "sign convention the instructions give.",
                       "Some columns of your result have the opposite sign: check the sign convention the "
                       "instructions give.")
    scale_mask = finite & (np.abs(e) > max(atol, 1e-12))
    # One number is always some multiple of another: a constant factor needs two entries to show.
    if scale_mask.sum() >= 2:
        ratio = a[scale_mask] / e[scale_mask]
        c = np.median(ratio.real) if np.iscomplexobj(ratio) else np.median(ratio)
        if c != 0 and np.isfinite(c) and not np.isclose(c, 1, rtol=1e-3) and np.allclose(a, c * e, **loose):
            return Finding("generic/scaled", f"Your result is the expected value scaled by a constant: about {c:.6g} "
                           f"times (1/{1 / c:.6g}). Check a normalization or scale factor.",
                           "Your result is the expected value scaled by a constant factor. Check a normalization "
                           "or scale factor.")
    if e.size > 1:
        shift = np.median((a - e)[finite])
        if abs(shift) > atol and np.allclose(a, e + shift, **loose):
            return Finding("generic/shifted", f"Your result is the expected value shifted by a constant: about "
                           f"{float(np.real(shift)):.6g} everywhere.", "Your result is the expected value shifted by a constant.")
    return _order(a, e, loose) or _axis(a, e)


def _column_signs(a: np.ndarray, e: np.ndarray, loose: dict) -> list[int]:
    """The columns of a matrix that are the expected ones negated (some, not all, not none)."""
    if a.ndim != 2 or np.iscomplexobj(a) or a.shape[1] < 2:
        return []
    flipped = np.sum(a * e, axis=0) < 0
    if flipped.all() or not flipped.any() or not np.allclose(a, e * np.where(flipped, -1, 1), **loose):
        return []
    return [int(i) for i in np.flatnonzero(flipped)]


def _order(a: np.ndarray, e: np.ndarray, loose: dict) -> Finding | None:
    """The expected values in another order: reversed along an axis, a permuted vector, or the
    columns of a matrix permuted."""
    hidden = "Your result holds the expected values in another order: check how you sort them."
    for axis in range(a.ndim):
        if a.shape[axis] > 1 and np.allclose(a, np.flip(e, axis), **loose):
            where = "" if a.ndim == 1 else f" along axis {axis}"
            return Finding("generic/wrong-order", f"Your result is the expected value in reverse order{where}: "
                           "check ascending versus descending.", hidden)
    if a.ndim == 1 and a.size > 1:
        key = np.abs if np.iscomplexobj(a) else (lambda x: x)
        if np.allclose(a[np.argsort(key(a), kind="stable")], e[np.argsort(key(e), kind="stable")], **loose):
            return Finding("generic/wrong-order", "Your result holds the expected values in another order: check "
                           "how you sort them.", hidden)
    if a.ndim == 2 and 1 < a.shape[1] <= 64:
        unused = list(range(e.shape[1]))
        for column in a.T:
            match = next((j for j in unused if np.allclose(column, e[:, j], **loose)), None)
            if match is None:
                return None
            unused.remove(match)
        return Finding("generic/wrong-order", "Your result has the expected columns in another order: check how "
                       "you order them.", hidden)
    return None


def _axis(a: np.ndarray, e: np.ndarray) -> Finding | None:
    """Normalized (summing to 1) or centred (mean 0) over another axis than the expected value."""
    if a.ndim < 2 or np.iscomplexobj(a):
        return None
    magnitudes = np.abs(e[np.isfinite(e)])  # -inf in a log-softmax would make every mean "0"
    scale = max(float(magnitudes.max()), 1e-300) if magnitudes.size else 1.0
    for label, holds in (("sum to 1", lambda x, k: np.allclose(x.sum(axis=k), 1, atol=1e-6)),
                         ("have mean 0", lambda x, k: np.allclose(x.mean(axis=k), 0, atol=1e-9 * scale))):
        wanted = [k for k in range(a.ndim) if holds(e, k)]
        found = [k for k in range(a.ndim) if holds(a, k)]
        if wanted and found and not set(wanted) & set(found):
            axis = "the last axis" if wanted[0] == a.ndim - 1 else f"axis {wanted[0]}"
            return Finding("generic/wrong-axis", f"Your values {label} along axis {found[0]} instead of {axis}: you "
                           "normalized or reduced over the wrong axis.")
    return None
