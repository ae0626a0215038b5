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
    W = np.asarray(W)
    if W.ndim != 2 or W.shape[0] != W.shape[1]:
        raise ValueError(f"W must be a square matrix, got shape {W.shape}")
    eigenvalues = np.linalg.eigvals(W)
    # A stable sort on -|λ| keeps LAPACK's order within a tie, so conjugate pairs stay together.
    return eigenvalues[np.argsort(-np.abs(eigenvalues), kind="stable")]


def spectral_radius(W):
    """The spectral radius of the square matrix ``W``: the largest ``|λ|`` over its eigenvalues.

    Args:
        W: array of shape ``(n, n)``.

    Returns:
        A float.

    Raises:
        ValueError: if ``W`` is not a square 2-D array.
    """
    W = np.asarray(W)
    if W.ndim != 2 or W.shape[0] != W.shape[1]:
        raise ValueError(f"W must be a square matrix, got shape {W.shape}")
    return float(np.max(np.abs(np.linalg.eigvals(W))))


def singular_values(W):
    """The singular values of ``W``, in descending order.

    Args:
        W: array of shape ``(m, n)``, not necessarily square.

    Returns:
        An array of shape ``(min(m, n),)`` with ``σ_0 >= σ_1 >= ... >= 0``.
    """
    W = np.asarray(W)
    if W.ndim != 2:
        raise ValueError(f"W must be a 2-D matrix, got shape {W.shape}")
    return np.linalg.svd(W, compute_uv=False)


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
    W = np.asarray(W)
    if W.ndim != 2:
        raise ValueError(f"W must be a 2-D matrix, got shape {W.shape}")
    sigma = np.linalg.svd(W, compute_uv=False)
    largest, smallest = sigma[0], sigma[-1]
    if smallest == 0 or smallest < largest * 1e-15:
        return float("inf")
    return float(largest / smallest)
