"""subspace-angles: orthonormal bases from thin SVDs (U), angles sorted explicitly."""
import numpy as np


def _orthonormal(M, d):
    if M.ndim != 2 or M.shape[0] != d or M.shape[1] > d:
        raise ValueError(f"a basis of shape {M.shape} does not fit in dimension {d}")
    U, _, _ = np.linalg.svd(M, full_matrices=False)
    return U


def principal_angles(A, B):
    d = A.shape[0]
    Ua, Ub = _orthonormal(A, d), _orthonormal(B, d)
    sigma = np.linalg.svd(Ua.T @ Ub, compute_uv=False)
    return np.sort(np.arccos(np.minimum(np.maximum(sigma, 0.0), 1.0)))


def subspace_overlap(A, B):
    d = A.shape[0]
    Ua, Ub = _orthonormal(A, d), _orthonormal(B, d)
    # The squared singular values sum to ‖UaᵀUb‖²_F.
    return float(np.sum((Ua.T @ Ub) ** 2) / min(A.shape[1], B.shape[1]))
