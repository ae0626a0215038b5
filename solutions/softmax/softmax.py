"""Softmax and log-softmax, stable for large logits and for masked (-inf) entries."""

import numpy as np


def softmax(x, axis=-1):
    """Softmax of ``x`` along ``axis``: non-negative weights that sum to 1 over that axis.

    Numerically stable for any finite input (logits of 1e4 give no overflow and no NaN).
    Entries equal to ``-inf`` get weight 0; a slice that is entirely ``-inf`` gives all zeros.

    Args:
        x: array of logits, any shape.
        axis: the axis to normalize over (negative values count from the end).

    Returns:
        An array of the same shape as ``x``.
    """
    x = np.asarray(x)
    # Subtracting the slice maximum changes nothing mathematically but keeps exp() <= 1.
    # An all -inf slice has maximum -inf, and -inf - -inf is NaN: shift such slices by 0.
    shift = np.max(x, axis=axis, keepdims=True)
    shift = np.where(np.isfinite(shift), shift, 0)
    e = np.exp(x - shift)
    total = np.sum(e, axis=axis, keepdims=True)
    return np.divide(e, total, out=np.zeros_like(e), where=total > 0)


def log_softmax(x, axis=-1):
    """Logarithm of ``softmax(x, axis)``, computed in the stable log-sum-exp form.

    ``-inf`` entries give ``-inf``; a slice that is entirely ``-inf`` gives all ``-inf``,
    never NaN.

    Args:
        x: array of logits, any shape.
        axis: the axis to normalize over (negative values count from the end).

    Returns:
        An array of the same shape as ``x``.
    """
    x = np.asarray(x)
    shift = np.max(x, axis=axis, keepdims=True)
    shift = np.where(np.isfinite(shift), shift, 0)
    shifted = x - shift
    total = np.sum(np.exp(shifted), axis=axis, keepdims=True)
    # An all -inf slice has total 0; taking log(1) = 0 there leaves its entries at -inf.
    return shifted - np.log(np.where(total > 0, total, 1))
