"""eigenspectrum in the input's precision, singular values without U and V, and a lexsort."""
import numpy as np


def eigenspectrum(W):
    if W.ndim != 2 or W.shape[0] != W.shape[1]:
        raise ValueError(f"eigenvalues need a square matrix, got {W.shape}")
    values = np.linalg.eigvals(W)
    order = np.lexsort((values.imag, -np.abs(values)))
    return values[order]


def spectral_radius(W):
    return np.max(np.abs(eigenspectrum(W)))


def singular_values(W):
    return np.linalg.svd(W, compute_uv=False)


def condition_number(W):
    s = np.linalg.svd(W, compute_uv=False)
    if s.min() <= 1e-15 * s.max():
        return float("inf")
    return s.max() / s.min()
