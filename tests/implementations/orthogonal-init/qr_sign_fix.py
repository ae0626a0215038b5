"""Orthogonal init: QR of a standard normal matrix, the columns' signs fixed by diag(R)."""
import numpy as np


def orthogonal_init(rows, cols, rng, gain=1.0):
    shape = (rows, cols) if rows >= cols else (cols, rows)
    Q, R = np.linalg.qr(rng.standard_normal(shape))
    Q = Q * np.sign(np.diag(R))
    return gain * (Q if rows >= cols else Q.T)
