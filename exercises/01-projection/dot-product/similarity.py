"""Dot product, cosine similarity and angle: how alike two vectors are."""

import numpy as np


def dot(q, k):
    """Return the dot product of two 1-D vectors of equal length.

    The dot product is ``sum_i q[i] * k[i]``. Write it with elementwise operations:
    ``numpy.dot``, ``numpy.inner``, ``numpy.vdot``, ``numpy.matmul``, ``numpy.einsum``,
    ``numpy.tensordot``, the ``@`` operator, the ``.dot`` method and the ready-made
    relatives of these (``numpy.vecdot``, ``numpy.linalg.vecdot``, ``numpy.linalg.multi_dot``,
    ...) are forbidden in this file.

    Args:
        q: 1-D array of shape ``(n,)``, float64 or float32.
        k: 1-D array of shape ``(n,)``, float64 or float32.

    Returns:
        The dot product, a single number (a Python float or a numpy floating scalar).

    Raises:
        ValueError: if ``q`` and ``k`` do not have the same length.
    """
    raise NotImplementedError("dot: write your code here")


def cosine_similarity(q, k, eps=1e-8):
    """Return the cosine similarity ``q·k / max(‖q‖·‖k‖, eps)``.

    The result lies in ``[-1, 1]`` (up to rounding). When either vector is zero the
    denominator is ``eps`` and the numerator 0, so the result is 0.0.

    Args:
        q: 1-D array of shape ``(n,)``.
        k: 1-D array of shape ``(n,)``.
        eps: lower bound on the product of the norms, so the division is always safe.

    Returns:
        The cosine similarity, a single number.

    Raises:
        ValueError: if ``q`` and ``k`` do not have the same length.
    """
    raise NotImplementedError("cosine_similarity: write your code here")


def angle(q, k):
    """Return the angle between ``q`` and ``k`` in radians, in ``[0, π]``.

    The angle is ``arccos`` of the plain cosine ``q·k / (‖q‖‖k‖)`` clipped to
    ``[-1, 1]``, so parallel vectors give 0 (up to rounding) and never NaN.

    Args:
        q: 1-D array of shape ``(n,)``, not all zeros.
        k: 1-D array of shape ``(n,)``, not all zeros.

    Returns:
        The angle, a single number.

    Raises:
        ValueError: if the lengths differ, or if ``q`` or ``k`` is exactly the zero vector
            (a zero vector has no direction).
    """
    raise NotImplementedError("angle: write your code here")
