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
    raise NotImplementedError("softmax: not written yet")


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
    raise NotImplementedError("log_softmax: not written yet")
