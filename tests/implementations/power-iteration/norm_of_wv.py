"""Power iteration: multiply by Wᵀ(W v), normalize, σ = ‖W v‖ (the contract's loop)."""
import numpy as np


def power_iteration(W, num_iters=200, rng=None, tol=1e-10):
    if not np.any(W):
        raise ValueError("W is all zeros")
    rng = np.random.default_rng(0) if rng is None else rng
    v = rng.standard_normal(W.shape[1])
    v /= np.linalg.norm(v)
    sigma = np.linalg.norm(W @ v)
    for _ in range(num_iters):
        v = W.T @ (W @ v)
        v /= np.linalg.norm(v)
        new = np.linalg.norm(W @ v)
        done = abs(new - sigma) < tol * new
        sigma = new
        if done:
            break
    if v[np.argmax(np.abs(v))] < 0:
        v = -v
    return float(sigma), v


def spectral_normalize(W, num_iters=200, rng=None):
    sigma, _ = power_iteration(W, num_iters=num_iters, rng=rng)
    return W / sigma
