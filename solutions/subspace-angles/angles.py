"""Principal angles: how far apart two subspaces are, one direction at a time."""

import numpy as np


def _check_bases(A, B):
    A, B = np.asarray(A), np.asarray(B)
    if A.ndim != 2 or B.ndim != 2:
        raise ValueError(f"A and B must be 2-D arrays, got shapes {A.shape} and {B.shape}")
    if A.shape[0] != B.shape[0]:
        raise ValueError(f"A and B must live in the same space, got {A.shape[0]} and {B.shape[0]} rows")
    d = A.shape[0]
    if A.shape[1] > d or B.shape[1] > d:
        raise ValueError(f"more columns than the dimension d={d}: the columns cannot be independent")
    return A, B


def _cosines(A, B):
    """Cosines of the principal angles, descending, clipped to [0, 1]."""
    A, B = _check_bases(A, B)
    # Only orthonormal bases turn the singular values of QaᵀQb into cosines.
    Qa, _ = np.linalg.qr(A)
    Qb, _ = np.linalg.qr(B)
    cosines = np.linalg.svd(Qa.T @ Qb, compute_uv=False)
    # Rounding can push a cosine of identical directions just above 1, where arccos is NaN.
    return np.clip(cosines, 0.0, 1.0)


def principal_angles(A, B):
    """The principal angles between the column spaces of ``A`` and ``B``.

    Args:
        A: array of shape ``(d, p)`` of full column rank (not necessarily orthonormal).
        B: array of shape ``(d, q)`` of full column rank (not necessarily orthonormal).

    Returns:
        A 1-D array of the ``min(p, q)`` principal angles in radians, in ascending order,
        each in ``[0, π/2]``. They are computed from cosines clipped to ``[0, 1]``, so that
        identical subspaces give angles of 0 (up to rounding), never NaN.

    Raises:
        ValueError: if ``A`` and ``B`` do not have the same number of rows ``d``, or if
            either has more columns than ``d``.
    """
    return np.arccos(_cosines(A, B))


def subspace_overlap(A, B):
    """How much the column spaces of ``A`` and ``B`` overlap, between 0 and 1.

    Args:
        A: array of shape ``(d, p)`` of full column rank (not necessarily orthonormal).
        B: array of shape ``(d, q)`` of full column rank (not necessarily orthonormal).

    Returns:
        The mean of ``cos²`` of the ``min(p, q)`` principal angles, a float in ``[0, 1]``:
        1 when one subspace contains the other, 0 when they are orthogonal.

    Raises:
        ValueError: in the same cases as ``principal_angles``.
    """
    return float(np.mean(_cosines(A, B) ** 2))
