"""Layer normalization: every feature vector is centred and rescaled on its own."""

import numpy as np


def layer_norm(x, gamma=None, beta=None, eps=1e-5):
    """Normalize ``x`` over its last axis, then scale by ``gamma`` and shift by ``beta``.

    Args:
        x: array of shape ``(..., d)``. Each vector along the last axis (one token's
            features) is normalized with its own mean and variance.
        gamma: optional scale of shape ``(d,)``; ``None`` means all ones.
        beta: optional shift of shape ``(d,)``; ``None`` means all zeros.
        eps: small positive number added to the variance, inside the square root.

    Returns:
        An array of the same shape as ``x``:
        ``(x - mean) / sqrt(var + eps) * gamma + beta``, where ``mean`` and ``var`` are
        taken over the last axis and ``var`` is the biased variance (divided by ``d``).

    Raises:
        ValueError: if ``gamma`` or ``beta`` is given and does not have shape ``(d,)``.
    """
    x = np.asarray(x)
    d = x.shape[-1]
    for name, param in (("gamma", gamma), ("beta", beta)):
        if param is not None and np.shape(param) != (d,):
            raise ValueError(f"{name} must have shape ({d},), got {np.shape(param)}")

    mean = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)  # ddof=0: the biased variance
    y = (x - mean) / np.sqrt(var + eps)
    if gamma is not None:
        y = y * gamma
    if beta is not None:
        y = y + beta
    return y
