"""Orthogonal init by modified Gram-Schmidt on the columns of a standard normal matrix: the
Q of the QR factorization with a positive diagonal in R, so uniformly distributed."""
import numpy as np


def _mgs(A):
    Q = A.copy()
    for j in range(Q.shape[1]):
        for i in range(j):
            Q[:, j] -= (Q[:, i] @ Q[:, j]) * Q[:, i]
        Q[:, j] /= np.linalg.norm(Q[:, j])
    return Q


def orthogonal_init(rows, cols, rng, gain=1.0):
    tall = rows >= cols
    Q = _mgs(rng.standard_normal((rows, cols) if tall else (cols, rows)))
    return gain * Q if tall else gain * Q.T
