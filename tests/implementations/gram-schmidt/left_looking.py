"""Modified Gram-Schmidt, left-looking: each column is reduced against the basis so far."""
import numpy as np


def gram_schmidt(A, tol=1e-10):
    A = np.asarray(A, dtype=float)
    m, n = A.shape
    basis = []
    for j in range(n):
        a = A[:, j]
        v = a.copy()
        for q in basis:
            v = v - (q @ v) * q  # the current v: modified, not classical
        remaining = np.sqrt(v @ v)
        if remaining < tol * max(1.0, np.sqrt(a @ a)):
            continue
        basis.append(v / remaining)
    return np.array(basis).T if basis else np.zeros((m, 0))
