"""layer-norm in the input's precision, multiplying by 1 / sqrt(var + eps)."""
import numpy as np


def layer_norm(x, gamma=None, beta=None, eps=1e-5):
    d = x.shape[-1]
    for p in (gamma, beta):
        if p is not None and (p.ndim != 1 or p.shape[0] != d):
            raise ValueError(f"gamma and beta need shape ({d},), got {p.shape}")
    centred = x - np.mean(x, axis=-1, keepdims=True)
    inv_std = 1 / np.sqrt(np.var(x, axis=-1, keepdims=True) + x.dtype.type(eps))
    y = centred * inv_std
    if gamma is not None:
        y *= gamma
    if beta is not None:
        y += beta
    return y
