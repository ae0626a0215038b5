"""Principal angles: how far apart two subspaces are, one direction at a time."""

import numpy as np


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
    raise NotImplementedError("principal_angles: the principal angles between span(A) and span(B)")


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
    raise NotImplementedError("subspace_overlap: the mean of cos² of the principal angles")
