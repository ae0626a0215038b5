"""Eigenvalues, spectral radius, singular values and condition number of a weight matrix."""

import numpy as np


def eigenspectrum(W):
    """The eigenvalues of the square matrix ``W``, sorted by decreasing magnitude.

    The result may be complex: a real matrix that rotates has complex eigenvalues, in
    conjugate pairs. Eigenvalues of equal magnitude may come in any order.

    Args:
        W: array of shape ``(n, n)``.

    Returns:
        An array of shape ``(n,)`` (real or complex dtype) with ``|λ_0| >= |λ_1| >= ...``.

    Raises:
        ValueError: if ``W`` is not a square 2-D array.
    """
    raise NotImplementedError("eigenspectrum: write your implementation here")


def spectral_radius(W):
    """The spectral radius of the square matrix ``W``: the largest ``|λ|`` over its eigenvalues.

    Args:
        W: array of shape ``(n, n)``.

    Returns:
        A float.

    Raises:
        ValueError: if ``W`` is not a square 2-D array.
    """
    raise NotImplementedError("spectral_radius: write your implementation here")


def singular_values(W):
    """The singular values of ``W``, in descending order.

    Args:
        W: array of shape ``(m, n)``, not necessarily square.

    Returns:
        An array of shape ``(min(m, n),)`` with ``σ_0 >= σ_1 >= ... >= 0``.
    """
    raise NotImplementedError("singular_values: write your implementation here")


def condition_number(W):
    """The condition number ``σ_max / σ_min`` of ``W`` (2-norm).

    ``σ_min`` is the smallest of the ``min(m, n)`` singular values. The result is ``inf``
    when ``σ_min`` is 0 or below ``σ_max · 1e-15``, i.e. when ``W`` is singular up to
    rounding.

    Args:
        W: array of shape ``(m, n)``, not necessarily square.

    Returns:
        A float (``inf`` for a singular matrix).
    """
    raise NotImplementedError("condition_number: write your implementation here")
