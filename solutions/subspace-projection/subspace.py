"""Orthogonal projection onto a subspace, and the subspace that best fits a cloud of points."""

import numpy as np


def _check_basis(B):
    B = np.asarray(B)
    if B.ndim != 2:
        raise ValueError(f"B must be a 2-D array of shape (d, k), got shape {B.shape}")
    d, k = B.shape
    if k > d:
        raise ValueError(f"B has k={k} columns in dimension d={d}: they cannot be independent")
    return B


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
    B = _check_basis(B)
    # Solve the normal equations rather than forming the inverse of BᵀB.
    return B @ np.linalg.solve(B.T @ B, B.T)


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
    B = _check_basis(B)
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[1] != B.shape[0]:
        raise ValueError(f"X must have shape (n, {B.shape[0]}), got {X.shape}")
    # P is symmetric, so projecting the rows is X @ Pᵀ = X @ P.
    return X @ projection_matrix(B)


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
    B = _check_basis(B)
    x = np.asarray(x)
    if x.shape != (B.shape[0],):
        raise ValueError(f"x must have shape ({B.shape[0]},), got {x.shape}")
    parallel = projection_matrix(B) @ x
    return parallel, x - parallel


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
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D array of shape (n, d), got shape {X.shape}")
    d = X.shape[1]
    if not 1 <= k <= d:
        raise ValueError(f"k must be between 1 and d={d}, got {k}")
    centred = X - X.mean(axis=0)
    # The eigenvectors of the d x d scatter matrix are the principal directions; eigh lists
    # them by ascending eigenvalue (variance), so reverse. Unlike a thin SVD of the data this
    # also gives all d directions when n < d.
    _, vectors = np.linalg.eigh(centred.T @ centred)
    W = vectors[:, ::-1][:, :k]
    largest = np.argmax(np.abs(W), axis=0)
    signs = np.sign(W[largest, np.arange(k)])
    return W * signs
