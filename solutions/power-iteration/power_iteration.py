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
    W = np.asarray(W)
    if W.ndim != 2:
        raise ValueError(f"W must be a 2-D matrix, got shape {W.shape}")
    if not np.any(W):
        raise ValueError("W is all zeros: it has no largest singular direction")
    if rng is None:
        rng = np.random.default_rng(0)
    v = rng.standard_normal(W.shape[1])
    v = v / np.sqrt(v @ v)
    sigma = np.sqrt((W @ v) @ (W @ v))
    for _ in range(num_iters):
        # W.T @ (W @ v) never forms the n×n Gram matrix: two cheap products per step.
        v = W.T @ (W @ v)
        v = v / np.sqrt(v @ v)
        Wv = W @ v
        previous, sigma = sigma, np.sqrt(Wv @ Wv)
        if abs(sigma - previous) < tol * sigma:
            break
    v = v * np.sign(v[np.argmax(np.abs(v))])
    return float(sigma), v


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
    sigma, _ = power_iteration(W, num_iters=num_iters, rng=rng)
    return np.asarray(W) / sigma
