"""eigenspectrum with np.linalg.eigvals and svd, sorted with argsort on -|λ|."""
import numpy as np


def _square(W):
    if W.ndim != 2 or W.shape[0] != W.shape[1]:
        raise ValueError("W must be square")
    return W


def eigenspectrum(W):
    values = np.linalg.eigvals(_square(W))
    return values[np.argsort(-np.abs(values))]


def spectral_radius(W):
    return float(np.abs(np.linalg.eigvals(_square(W))).max())


def singular_values(W):
    return np.linalg.svd(W, compute_uv=False)


def condition_number(W):
    s = np.linalg.svd(W, compute_uv=False)
    if s[-1] == 0 or s[-1] < 1e-15 * s[0]:
        return np.inf
    return s[0] / s[-1]
