"""Orthogonality: Gram matrices, how far a matrix is from orthonormal, mutual coherence."""
import numpy as np


def gram_matrix(W):
    """Return the Gram matrix ``W.T @ W`` of the columns of ``W``.

    Args:
        W: array of shape (m, n).

    Returns:
        Array of shape (n, n) whose entry (i, j) is the dot product of
        columns i and j of ``W``.
    """
    W = np.asarray(W)
    if W.ndim != 2:
        raise ValueError(f"W must be a 2-D matrix, got shape {W.shape}")
    return W.T @ W


def orthogonality_error(W):
    """Return how far the smaller side of ``W`` is from orthonormal.

    Args:
        W: array of shape (m, n).

    Returns:
        A float: ``||W.T @ W - I_n||_F`` when ``m >= n`` (the columns should be
        orthonormal), else ``||W @ W.T - I_m||_F`` (the rows should be).
    """
    W = np.asarray(W)
    if W.ndim != 2:
        raise ValueError(f"W must be a 2-D matrix, got shape {W.shape}")
    m, n = W.shape
    # Only the smaller side can be orthonormal: n unit vectors in R^m with n > m
    # can never be mutually orthogonal.
    G = W.T @ W if m >= n else W @ W.T
    return float(np.linalg.norm(G - np.eye(G.shape[0])))


def is_orthogonal(W, tol=1e-6):
    """Return True when ``orthogonality_error(W) <= tol``.

    Args:
        W: array of shape (m, n).
        tol: the largest accepted orthogonality error.

    Returns:
        A bool.
    """
    return bool(orthogonality_error(W) <= tol)


def mutual_coherence(W):
    """Return the largest absolute cosine between two distinct columns of ``W``.

    Args:
        W: array of shape (m, n), n >= 2; the columns need not have unit length.

    Returns:
        A float in [0, 1].

    Raises:
        ValueError: if ``W`` has fewer than two columns or a column of zeros.
    """
    W = np.asarray(W)
    if W.ndim != 2 or W.shape[1] < 2:
        raise ValueError(f"W needs at least two columns, got shape {W.shape}")
    norms = np.linalg.norm(W, axis=0)
    if np.any(norms == 0):
        zero = np.flatnonzero(norms == 0).tolist()
        raise ValueError(f"column(s) {zero} of W are zero: a zero vector has no direction")
    U = W / norms
    cosines = np.abs(U.T @ U)
    # A column is always perfectly aligned with itself; only distinct pairs count.
    np.fill_diagonal(cosines, 0.0)
    return float(cosines.max())
