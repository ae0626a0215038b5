"""Power iteration on the explicit Gram matrix G = WᵀW, σ² from the Rayleigh quotient."""
import math

import numpy as np


def power_iteration(W, num_iters=200, rng=None, tol=1e-10):
    W = np.asarray(W, dtype=np.float64)
    if np.count_nonzero(W) == 0:
        raise ValueError("the zero matrix has no top singular vector")
    G = W.T @ W
    generator = rng if rng is not None else np.random.default_rng(0)
    v = generator.standard_normal(W.shape[1])
    v = v / math.sqrt(v @ v)
    sigma = math.sqrt(max(v @ G @ v, 0.0))
    for _ in range(num_iters):
        w = G @ v
        v = w / math.sqrt(w @ w)
        previous, sigma = sigma, math.sqrt(max(v @ G @ v, 0.0))
        if abs(sigma - previous) <= tol * sigma:
            break
    top = np.argmax(np.abs(v))
    return sigma, v * np.sign(v[top])


def spectral_normalize(W, num_iters=200, rng=None):
    return np.asarray(W) / power_iteration(W, num_iters, rng)[0]
