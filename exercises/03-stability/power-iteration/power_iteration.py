"""The largest singular value by power iteration, and spectral normalization built on it."""

import numpy as np


def power_iteration(W, num_iters=200, rng=None, tol=1e-10):
    """The largest singular value ``σ`` of ``W`` and its right singular vector, by power iteration.

    Repeatedly multiplies a vector by ``Wᵀ W`` and renormalizes it; the vector turns towards
    the top right singular vector ``v`` and ``‖W v‖`` tends to ``σ``. The start vector is
    ``rng.standard_normal(n)``, with a fresh ``numpy.random.default_rng(0)`` when ``rng`` is
    None. Stops after ``num_iters`` multiplications, or earlier once the estimate of ``σ``
    changes by less than ``tol`` relative to itself.

    Args:
        W: array of shape ``(m, n)``, not all zeros.
        num_iters: the largest number of multiplications by ``Wᵀ W``.
        rng: a ``numpy.random.Generator``, or None.
        tol: relative change of ``σ`` below which the iteration stops.

    Returns:
        ``(sigma, v)``: ``sigma`` a float, ``v`` of shape ``(n,)`` with unit length and its
        entry of largest magnitude positive.

    Raises:
        ValueError: if ``W`` is all zeros (it has no largest singular direction).
    """
    raise NotImplementedError("power_iteration: write your implementation here")


def spectral_normalize(W, num_iters=200, rng=None):
    """``W`` divided by its largest singular value, estimated with :func:`power_iteration`.

    The result has spectral norm 1 (up to the accuracy of the power iteration).

    Args:
        W: array of shape ``(m, n)``, not all zeros.
        num_iters: passed to :func:`power_iteration`.
        rng: passed to :func:`power_iteration`.

    Returns:
        An array of the shape of ``W``.

    Raises:
        ValueError: if ``W`` is all zeros.
    """
    raise NotImplementedError("spectral_normalize: write your implementation here")
