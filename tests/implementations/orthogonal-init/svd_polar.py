"""Orthogonal init from the polar factor U Vᵀ of a standard normal matrix (Haar as well)."""
import numpy as np


def orthogonal_init(rows, cols, rng, gain=1.0):
    A = rng.standard_normal((rows, cols))
    U, _, Vt = np.linalg.svd(A, full_matrices=False)
    return gain * (U @ Vt)
