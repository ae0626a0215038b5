"""subspace-projection: the normal equations for the projector, eigh of the scatter for PCA."""
import numpy as np


def _basis(B):
    if B.ndim != 2 or B.shape[1] > B.shape[0]:
        raise ValueError(f"B of shape {B.shape} cannot have independent columns")
    return B


def projection_matrix(B):
    B = _basis(B)
    return B @ np.linalg.solve(B.T @ B, B.T)


def project_onto_subspace(X, B):
    B = _basis(B)
    if X.ndim != 2 or X.shape[1] != B.shape[0]:
        raise ValueError("X must have d columns")
    return X @ projection_matrix(B)


def decompose(x, B):
    B = _basis(B)
    if x.shape != (B.shape[0],):
        raise ValueError("x must have length d")
    parallel = projection_matrix(B) @ x
    return parallel, x - parallel


def principal_subspace(X, k):
    if X.ndim != 2:
        raise ValueError("X must be a matrix (n, d)")
    d = X.shape[1]
    if not 1 <= k <= d:
        raise ValueError("k must be between 1 and d")
    Xc = X - X.mean(axis=0)
    values, vectors = np.linalg.eigh(Xc.T @ Xc)
    W = vectors[:, np.argsort(values)[::-1][:k]]
    return W * np.sign(W[np.abs(W).argmax(axis=0), range(k)])
