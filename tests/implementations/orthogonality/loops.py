"""orthogonality with einsum for the Gram matrix and loops over the pairs of columns."""
import math

import numpy as np


def gram_matrix(W):
    return np.einsum("ki,kj->ij", W, W)


def orthogonality_error(W):
    m, n = W.shape
    side = W if m >= n else W.T  # the side whose columns should be orthonormal
    G = np.einsum("ki,kj->ij", side, side)
    k = G.shape[0]
    total = 0.0
    for i in range(k):
        for j in range(k):
            diff = float(G[i, j]) - (1.0 if i == j else 0.0)
            total += diff * diff
    return math.sqrt(total)


def is_orthogonal(W, tol=1e-6):
    return bool(orthogonality_error(W) <= tol)


def mutual_coherence(W):
    n = W.shape[1] if W.ndim == 2 else 0
    if n < 2:
        raise ValueError("mutual coherence needs two columns or more")
    columns = [W[:, j].astype(np.float64) for j in range(n)]
    norms = [math.sqrt(float(c @ c)) for c in columns]
    if min(norms) == 0.0:
        raise ValueError("W has a zero column")
    best = 0.0
    for i in range(n):
        for j in range(i + 1, n):
            best = max(best, abs(float(columns[i] @ columns[j])) / (norms[i] * norms[j]))
    return best
