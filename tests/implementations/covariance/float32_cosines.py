"""covariance kept in the input's precision; correlation as cosines of the centred columns."""
import numpy as np


def center(X):
    return X - np.mean(X, axis=0)


def covariance_matrix(X, ddof=1):
    n = X.shape[0]
    if n - ddof < 1:
        raise ValueError("too few samples for this ddof")
    Xc = center(X)
    return np.matmul(Xc.T, Xc) / X.dtype.type(n - ddof)


def correlation_matrix(X):
    Xc = center(X)
    norms = np.linalg.norm(Xc, axis=0)
    constant = norms <= 64 * np.finfo(Xc.dtype).eps * np.abs(X).max(axis=0)
    U = Xc / np.where(constant, 1, norms)
    U[:, constant] = 0
    R = U.T @ U
    np.fill_diagonal(R, 1)
    return R
