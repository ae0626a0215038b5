"""covariance: center, then Xcᵀ Xc; correlation from the covariance's diagonal."""
import numpy as np


def center(X):
    return X - X.mean(axis=0, keepdims=True)


def covariance_matrix(X, ddof=1):
    n = X.shape[0]
    if n - ddof <= 0:
        raise ValueError("n_samples - ddof must be positive")
    Xc = center(X)
    return (Xc.T @ Xc) / (n - ddof)


def correlation_matrix(X):
    C = covariance_matrix(X, ddof=0)
    std = np.sqrt(np.diag(C))
    zero = np.ptp(X, axis=0) == 0  # on X itself: a constant column's computed std is rounding noise
    safe = np.where(zero, 1.0, std)
    R = C / safe[:, None] / safe[None, :]
    R[zero, :] = 0.0
    R[:, zero] = 0.0
    R[np.diag_indices_from(R)] = 1.0
    return R
