"""Orthogonal initialization: a random rotation keeps every vector's length through the layer."""
import numpy as np


def orthogonal_init(rows, cols, rng, gain=1.0):
    """A ``(rows, cols)`` matrix whose smaller side is orthonormal, times ``gain``.

    Uniformly (Haar) distributed: the QR decomposition of a standard normal matrix with the
    taller orientation, each column of ``Q`` multiplied by the sign of the matching diagonal
    entry of ``R``, transposed back when ``rows < cols``. Then ``W.T @ W = gain² I`` when
    ``rows >= cols`` and ``W @ W.T = gain² I`` otherwise. Draws only from ``rng``.
    """
    raise NotImplementedError("orthogonal_init: QR of a standard normal matrix, signs fixed by diag(R), times gain")
