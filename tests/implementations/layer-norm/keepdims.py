"""layer-norm with keepdims statistics over the last axis."""
import numpy as np


def layer_norm(x, gamma=None, beta=None, eps=1e-5):
    d = x.shape[-1]
    if gamma is not None and gamma.shape != (d,):
        raise ValueError("gamma must have shape (d,)")
    if beta is not None and beta.shape != (d,):
        raise ValueError("beta must have shape (d,)")
    mu = x.mean(axis=-1, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=-1, keepdims=True)
    y = (x - mu) / np.sqrt(var + eps)
    if gamma is not None:
        y = gamma * y
    if beta is not None:
        y = y + beta
    return y
