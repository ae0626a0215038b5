"""orthogonality with matrix products and np.linalg.norm."""
import numpy as np


def gram_matrix(W):
    return W.T @ W


def orthogonality_error(W):
    m, n = W.shape
    G = W.T @ W if m >= n else W @ W.T
    return float(np.linalg.norm(G - np.eye(len(G)), "fro"))


def is_orthogonal(W, tol=1e-6):
    return orthogonality_error(W) <= tol


def mutual_coherence(W):
    if W.ndim != 2 or W.shape[1] < 2:
        raise ValueError("need at least two columns")
    lengths = np.linalg.norm(W, axis=0)
    if (lengths == 0).any():
        raise ValueError("a zero column has no direction")
    C = np.abs((W / lengths).T @ (W / lengths))
    i, j = np.triu_indices(W.shape[1], k=1)
    return float(C[i, j].max())
