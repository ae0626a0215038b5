"""orthogonality in the input's precision: float32 in, float32 numbers out."""
import numpy as np


def gram_matrix(W):
    return np.matmul(W.T, W)


def orthogonality_error(W):
    small = min(W.shape)
    G = W.T @ W if W.shape[0] >= W.shape[1] else W @ W.T
    return np.sqrt(np.sum(np.square(G - np.eye(small, dtype=W.dtype))))


def is_orthogonal(W, tol=1e-6):
    return bool(orthogonality_error(W) <= tol)


def mutual_coherence(W):
    if W.ndim != 2 or W.shape[1] < 2:
        raise ValueError("W must have at least two columns")
    norms = np.sqrt(np.sum(W * W, axis=0))
    if np.any(norms == 0):
        raise ValueError("W has a column of zeros")
    U = W / norms
    C = np.abs(U.T @ U)
    C[np.diag_indices_from(C)] = 0
    return C.max()
