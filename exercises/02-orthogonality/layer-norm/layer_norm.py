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
    raise NotImplementedError("layer_norm: normalize over the last axis, then apply gamma and beta")
