"""subspace-projection: Q Qᵀ from a QR of B, and the principal directions from an SVD."""
import numpy as np


def _orthonormal_basis(B):
    B = np.asarray(B)
    if B.ndim != 2 or B.shape[0] < B.shape[1]:
        raise ValueError("B must be (d, k) with k <= d")
    Q, _ = np.linalg.qr(B)
    return Q


def projection_matrix(B):
    Q = _orthonormal_basis(B)
    return Q @ Q.T


def project_onto_subspace(X, B):
    Q = _orthonormal_basis(B)
    if X.shape[-1] != Q.shape[0] or X.ndim != 2:
        raise ValueError(f"X has {X.shape[-1]} features, B lives in {Q.shape[0]} dimensions")
    return (X @ Q) @ Q.T


def decompose(x, B):
    Q = _orthonormal_basis(B)
    if x.ndim != 1 or x.shape[0] != Q.shape[0]:
        raise ValueError("x and B do not live in the same space")
    parallel = Q @ (Q.T @ x)
    return parallel, x - parallel


def principal_subspace(X, k):
    if np.ndim(X) != 2:
        raise ValueError("X must be 2-D: one sample per row")
    if k < 1 or k > X.shape[1]:
        raise ValueError(f"k = {k} is not between 1 and {X.shape[1]}")
    _, _, Vt = np.linalg.svd(X - X.mean(axis=0), full_matrices=True)
    W = Vt[:k].T.copy()
    for j in range(k):
        if W[np.argmax(np.abs(W[:, j])), j] < 0:
            W[:, j] = -W[:, j]
    return W
