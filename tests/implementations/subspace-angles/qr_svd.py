"""subspace-angles: QR of both bases, singular values of QaᵀQb, arccos."""
import numpy as np


def _cosines(A, B):
    if A.ndim != 2 or B.ndim != 2 or A.shape[0] != B.shape[0]:
        raise ValueError("A and B must be (d, p) and (d, q)")
    if max(A.shape[1], B.shape[1]) > A.shape[0]:
        raise ValueError("more columns than dimensions")
    Qa = np.linalg.qr(A)[0]
    Qb = np.linalg.qr(B)[0]
    return np.clip(np.linalg.svd(Qa.T @ Qb, compute_uv=False), 0, 1)


def principal_angles(A, B):
    return np.arccos(_cosines(A, B))


def subspace_overlap(A, B):
    return float(np.mean(_cosines(A, B) ** 2))
