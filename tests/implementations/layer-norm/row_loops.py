"""layer-norm one feature vector at a time, with Python arithmetic for the statistics."""
import math

import numpy as np


def layer_norm(x, gamma=None, beta=None, eps=1e-5):
    x = np.asarray(x, dtype=np.float64)
    d = x.shape[-1]
    for name, p in (("gamma", gamma), ("beta", beta)):
        if p is not None and np.shape(p) != (d,):
            raise ValueError(f"{name} has shape {np.shape(p)}, expected ({d},)")
    scale = np.ones(d) if gamma is None else np.asarray(gamma, dtype=np.float64)
    shift = np.zeros(d) if beta is None else np.asarray(beta, dtype=np.float64)
    rows = x.reshape(-1, d)
    out = np.empty_like(rows)
    for r, row in enumerate(rows):
        values = row.tolist()
        mean = math.fsum(values) / d
        var = math.fsum((v - mean) ** 2 for v in values) / d
        inv = 1.0 / math.sqrt(var + eps)
        out[r] = [(v - mean) * inv * g + b for v, g, b in zip(values, scale.tolist(), shift.tolist())]
    return out.reshape(x.shape)
