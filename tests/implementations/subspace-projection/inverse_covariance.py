"""subspace-projection: B (BᵀB)⁻¹ Bᵀ with an explicit inverse, PCA from the covariance matrix."""
import numpy as np


def projection_matrix(B):
    d, k = B.shape
    if k > d:
        raise ValueError("more columns than dimensions")
    return B @ np.linalg.inv(B.T @ B) @ B.T


def project_onto_subspace(X, B):
    if X.shape[1] != B.shape[0]:
        raise ValueError("dimension mismatch")
    P = projection_matrix(B)
    return np.array([P @ row for row in X]).reshape(X.shape)


def decompose(x, B):
    if x.shape != (B.shape[0],):
        raise ValueError("dimension mismatch")
    parallel = project_onto_subspace(x[None, :], B)[0]
    return parallel, x - parallel


def principal_subspace(X, k):
    n, d = X.shape
    if k > d or k < 1:
        raise ValueError("need 1 <= k <= d")
    mean = X.sum(axis=0) / n
    C = (X - mean).T @ (X - mean) / (n - 1)
    values, vectors = np.linalg.eigh(C)
    order = np.argsort(-values, kind="stable")[:k]
    W = vectors[:, order]
    flip = np.take_along_axis(W, np.argmax(np.abs(W), axis=0)[None, :], axis=0) < 0
    return np.where(flip, -W, W)
