"""Projection of one vector onto the direction of another, and what is left over."""

import numpy as np


def scalar_projection(v, u):
    """Return the signed length of the shadow of ``v`` on the direction of ``u``.

    This is ``v·u / ‖u‖``: positive when ``v`` leans towards ``u``, negative when it
    leans away from it. Only the direction of ``u`` matters, not its length.

    Args:
        v: 1-D array of shape ``(n,)``, float64 or float32.
        u: 1-D array of shape ``(n,)``, not the zero vector.

    Returns:
        The scalar projection, a single number (a Python float or a numpy floating scalar).

    Raises:
        ValueError: if ``u`` is the zero vector or the lengths of ``v`` and ``u`` differ.
    """
    v, u = _checked(v, u)
    return np.sum(v * u) / np.sqrt(np.sum(u * u))


def vector_projection(v, u):
    """Return the projection of ``v`` onto the line spanned by ``u``.

    This is ``(v·u / u·u) u``: the vector along ``u`` closest to ``v``. Scaling ``u`` by any
    nonzero number (even a negative one) does not change it.

    Args:
        v: 1-D array of shape ``(n,)``, float64 or float32.
        u: 1-D array of shape ``(n,)``, not the zero vector.

    Returns:
        ndarray of shape ``(n,)``.

    Raises:
        ValueError: if ``u`` is the zero vector or the lengths of ``v`` and ``u`` differ.
    """
    v, u = _checked(v, u)
    return (np.sum(v * u) / np.sum(u * u)) * u


def rejection(v, u):
    """Return the part of ``v`` orthogonal to ``u``: ``v − vector_projection(v, u)``.

    The result is orthogonal to ``u``, and ``vector_projection(v, u) + rejection(v, u)``
    gives back ``v``.

    Args:
        v: 1-D array of shape ``(n,)``, float64 or float32.
        u: 1-D array of shape ``(n,)``, not the zero vector.

    Returns:
        ndarray of shape ``(n,)``.

    Raises:
        ValueError: if ``u`` is the zero vector or the lengths of ``v`` and ``u`` differ.
    """
    return v - vector_projection(v, u)


def _checked(v, u):
    v = np.asarray(v)
    u = np.asarray(u)
    if v.ndim != 1 or v.shape != u.shape:
        raise ValueError(
            f"v and u must be 1-D vectors of the same length, got shapes {v.shape} and {u.shape}"
        )
    if not np.any(u):
        raise ValueError("u is the zero vector: it has no direction to project onto")
    return v, u
