"""eigenspectrum with Python's sorted() on |λ| and the singular values from a full SVD."""
import math

import numpy as np


def eigenspectrum(W):
    # np.linalg.eigvals raises LinAlgError (a ValueError) for a non-square matrix.
    values = np.linalg.eigvals(W)
    return np.array(sorted(values, key=lambda z: -abs(z)))


def spectral_radius(W):
    return max(abs(complex(z)) for z in np.linalg.eigvals(W))


def singular_values(W):
    _, s, _ = np.linalg.svd(W)
    return np.sort(s)[::-1]


def condition_number(W):
    s = singular_values(W)
    largest, smallest = float(s[0]), float(s[-1])
    if smallest <= largest * 1e-15:
        return math.inf
    return largest / smallest
