"""subspace-angles with a hand-written modified Gram-Schmidt for the orthonormal bases."""
import numpy as np


def _mgs(M):
    M = np.array(M, dtype=np.float64)
    for j in range(M.shape[1]):
        for i in range(j):
            M[:, j] -= (M[:, i] @ M[:, j]) * M[:, i]
        M[:, j] /= np.linalg.norm(M[:, j])
    return M


def _check(A, B):
    if A.shape[0] != B.shape[0]:
        raise ValueError("A and B live in different spaces")
    if A.shape[1] > A.shape[0] or B.shape[1] > B.shape[0]:
        raise ValueError("a basis has more columns than the dimension")


def principal_angles(A, B):
    _check(A, B)
    cosines = np.linalg.svd(_mgs(A).T @ _mgs(B), compute_uv=False)
    angles = np.arccos(np.clip(cosines, 0.0, 1.0))
    return angles.astype(np.result_type(A, B, np.float32))


def subspace_overlap(A, B):
    _check(A, B)
    cosines = np.linalg.svd(_mgs(A).T @ _mgs(B), compute_uv=False)
    return np.mean(np.clip(cosines, 0.0, 1.0) ** 2)
