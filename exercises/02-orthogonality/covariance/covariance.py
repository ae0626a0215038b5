"""Centering, covariance and correlation matrices of a data matrix (one sample per row)."""
import numpy as np


def center(X):
    """Return ``X`` minus the mean of each column (feature).

    Args:
        X: array of shape (n_samples, n_features).

    Returns:
        Array of the same shape whose columns have mean 0.
    """
    raise NotImplementedError("center is not written yet")


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
    raise NotImplementedError("covariance_matrix is not written yet")


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
    raise NotImplementedError("correlation_matrix is not written yet")
