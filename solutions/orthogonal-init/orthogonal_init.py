"""Orthogonal initialization: a random rotation keeps every vector's length through the layer."""
import numpy as np


def orthogonal_init(rows, cols, rng, gain=1.0):
    """A ``(rows, cols)`` matrix whose smaller side is orthonormal, times ``gain``.

    Uniformly (Haar) distributed: the QR decomposition of a standard normal matrix with the
    taller orientation, each column of ``Q`` multiplied by the sign of the matching diagonal
    entry of ``R``, transposed back when ``rows < cols``. Then ``W.T @ W = gain² I`` when
    ``rows >= cols`` and ``W @ W.T = gain² I`` otherwise. Draws only from ``rng``.
    """
    tall = rows >= cols
    A = rng.standard_normal((rows, cols) if tall else (cols, rows))
    Q, R = np.linalg.qr(A)
    # numpy's Householder QR leaves the signs of diag(R) arbitrary, which biases Q; making them
    # positive gives the unique QR with R_ii > 0, whose Q is Haar-distributed
    Q = Q * np.where(np.diag(R) < 0, -1.0, 1.0)
    return gain * (Q if tall else Q.T)
