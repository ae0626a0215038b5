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
    raise NotImplementedError("gram_matrix is not written yet")


def orthogonality_error(W):
    """Return how far the smaller side of ``W`` is from orthonormal.

    Args:
        W: array of shape (m, n).

    Returns:
        A float: ``||W.T @ W - I_n||_F`` when ``m >= n`` (the columns should be
        orthonormal), else ``||W @ W.T - I_m||_F`` (the rows should be).
    """
    raise NotImplementedError("orthogonality_error is not written yet")


def is_orthogonal(W, tol=1e-6):
    """Return True when ``orthogonality_error(W) <= tol``.

    Args:
        W: array of shape (m, n).
        tol: the largest accepted orthogonality error.

    Returns:
        A bool.
    """
    raise NotImplementedError("is_orthogonal is not written yet")


def mutual_coherence(W):
    """Return the largest absolute cosine between two distinct columns of ``W``.

    Args:
        W: array of shape (m, n), n >= 2; the columns need not have unit length.

    Returns:
        A float in [0, 1].

    Raises:
        ValueError: if ``W`` has fewer than two columns or a column of zeros.
    """
    raise NotImplementedError("mutual_coherence is not written yet")
