"""Orthogonal projection onto a subspace, and the subspace that best fits a cloud of points."""

import numpy as np


def projection_matrix(B):
    """The orthogonal projector onto the column space of ``B``.

    Args:
        B: array of shape ``(d, k)`` whose columns are linearly independent (full column
            rank). They need not be orthogonal nor of unit length.

    Returns:
        The ``(d, d)`` matrix ``P = B (BᵀB)⁻¹ Bᵀ``. It is symmetric, ``P @ P == P``,
        ``P @ B == B`` and its rank (and trace) is ``k``.

    Raises:
        ValueError: if ``B`` is not 2-D or has more columns than rows (``k > d``).
    """
    raise NotImplementedError("projection_matrix: build B (BᵀB)⁻¹ Bᵀ")


def project_onto_subspace(X, B):
    """Project every row of ``X`` onto the column space of ``B``.

    Args:
        X: array of shape ``(n, d)``, one point per row.
        B: array of shape ``(d, k)`` of full column rank (see ``projection_matrix``).

    Returns:
        An ``(n, d)`` array whose row ``i`` is the point of span(B) closest to ``X[i]``.

    Raises:
        ValueError: if the rows of ``X`` and the columns of ``B`` do not have the same
            length ``d``, or if ``B`` is not a valid basis (see ``projection_matrix``).
    """
    raise NotImplementedError("project_onto_subspace: project every row of X")


def decompose(x, B):
    """Split ``x`` into its component in span(B) and its component orthogonal to span(B).

    Args:
        x: vector of shape ``(d,)``.
        B: array of shape ``(d, k)`` of full column rank (see ``projection_matrix``).

    Returns:
        A tuple ``(parallel, orthogonal)`` of two ``(d,)`` arrays with
        ``x == parallel + orthogonal``, ``parallel`` in span(B) and ``orthogonal``
        perpendicular to every column of ``B``.

    Raises:
        ValueError: if ``x`` is not a vector of length ``d``, or if ``B`` is not a valid
            basis (see ``projection_matrix``).
    """
    raise NotImplementedError("decompose: return (parallel, orthogonal)")


def principal_subspace(X, k):
    """The top-``k`` principal directions of the data ``X``.

    Args:
        X: array of shape ``(n, d)``, one sample per row. The data are centred (the column
            means subtracted) before anything else.
        k: number of directions, ``1 <= k <= d``.

    Returns:
        A ``(d, k)`` array with orthonormal columns: column ``j`` is the direction of the
        ``j``-th largest variance of the centred data (so the variance decreases from left
        to right). Each column's sign is chosen so that its entry of largest magnitude is
        positive.

    Raises:
        ValueError: if ``X`` is not 2-D, or if ``k < 1`` or ``k > d``.
    """
    raise NotImplementedError("principal_subspace: top-k directions of the centred data")
