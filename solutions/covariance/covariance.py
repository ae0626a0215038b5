"""Centering, covariance and correlation matrices of a data matrix (one sample per row)."""
import numpy as np


def _as_data(X):
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features), got shape {X.shape}")
    if X.shape[0] == 0:
        raise ValueError("X has no samples")
    return X


def center(X):
    """Return ``X`` minus the mean of each column (feature).

    Args:
        X: array of shape (n_samples, n_features).

    Returns:
        Array of the same shape whose columns have mean 0.
    """
    X = _as_data(X)
    return X - X.mean(axis=0)


def covariance_matrix(X, ddof=1):
    """Return the covariance matrix of the features (columns) of ``X``.

    Args:
        X: array of shape (n_samples, n_features).
        ddof: "delta degrees of freedom": the sum of products of the centered
            data is divided by ``n_samples - ddof`` (1: unbiased sample
            covariance, 0: population covariance).

    Returns:
        Array of shape (n_features, n_features); entry (i, j) is the covariance
        of features i and j.

    Raises:
        ValueError: if ``n_samples - ddof <= 0``.
    """
    X = _as_data(X)
    n = X.shape[0]
    if n - ddof <= 0:
        raise ValueError(f"cannot divide by n_samples - ddof = {n} - {ddof} <= 0")
    # Centering first, rather than E[xy] - E[x]E[y], avoids the catastrophic
    # cancellation of two huge nearly equal numbers when the means are large.
    Xc = center(X)
    return Xc.T @ Xc / (n - ddof)


def correlation_matrix(X):
    """Return the Pearson correlation matrix of the features (columns) of ``X``.

    A feature with zero variance has correlation 0 with every other feature
    and 1 with itself.

    Args:
        X: array of shape (n_samples, n_features).

    Returns:
        Array of shape (n_features, n_features) with entries in [-1, 1] and
        ones on the diagonal.
    """
    X = _as_data(X)
    # Any ddof gives the same correlations: it cancels between numerator and denominator.
    C = covariance_matrix(X, ddof=0)
    std = np.sqrt(np.diag(C))
    # A constant column can leave rounding noise (its mean is rounded), so "zero
    # variance" means a spread below a few ulps of the column's magnitude.
    dtype = C.dtype if C.dtype.kind == "f" else np.float64
    constant = std <= 100 * np.finfo(dtype).eps * np.abs(X).max(axis=0)
    std = np.where(constant, 1.0, std)
    R = C / np.outer(std, std)
    R[constant, :] = 0.0
    R[:, constant] = 0.0
    np.fill_diagonal(R, 1.0)
    return R
