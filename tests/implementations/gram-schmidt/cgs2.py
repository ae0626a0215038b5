"""Classical Gram-Schmidt run twice per column (CGS2), vectorized: stable like MGS."""
import numpy as np


def gram_schmidt(A, tol=1e-10):
    A = np.array(A, dtype=np.float64)
    m, n = A.shape
    Q = np.zeros((m, 0))
    for j in range(n):
        a = A[:, j]
        v = a - Q @ (Q.T @ a)
        v = v - Q @ (Q.T @ v)  # the second pass removes what rounding left of the first
        norm = np.linalg.norm(v)
        if norm >= tol * max(1.0, np.linalg.norm(a)):
            Q = np.column_stack([Q, v / norm])
    return Q
