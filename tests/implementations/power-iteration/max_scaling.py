"""Power iteration that rescales by the entry of largest magnitude at each step (the
textbook variant), normalized to unit length at the end; float32 stays float32."""
import numpy as np


def power_iteration(W, num_iters=200, rng=None, tol=1e-10):
    if not W.any():
        raise ValueError("power iteration needs a nonzero matrix")
    if rng is None:
        rng = np.random.default_rng(0)
    x = rng.standard_normal(W.shape[1]).astype(W.dtype)
    x = x / np.abs(x).max()
    sigma = np.linalg.norm(W @ x) / np.linalg.norm(x)
    for _ in range(num_iters):
        y = W.T @ (W @ x)
        x = y / np.abs(y).max()
        estimate = np.linalg.norm(W @ x) / np.linalg.norm(x)
        converged = abs(estimate - sigma) < tol * estimate
        sigma = estimate
        if converged:
            break
    v = x / np.linalg.norm(x)
    return sigma, v * np.sign(v[np.argmax(np.abs(v))])


def spectral_normalize(W, num_iters=200, rng=None):
    sigma, _ = power_iteration(W, num_iters, rng)
    return W / sigma
