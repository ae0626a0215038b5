"""projection with np.dot and np.linalg.norm."""
import numpy as np


def _checked(v, u):
    v, u = np.asarray(v), np.asarray(u)
    if v.shape != u.shape or v.ndim != 1:
        raise ValueError("v and u must be vectors of the same length")
    if np.linalg.norm(u) == 0:
        raise ValueError("cannot project onto the zero vector")
    return v, u


def scalar_projection(v, u):
    v, u = _checked(v, u)
    return np.dot(v, u) / np.linalg.norm(u)


def vector_projection(v, u):
    v, u = _checked(v, u)
    return np.dot(v, u) / np.dot(u, u) * u


def rejection(v, u):
    v, u = _checked(v, u)
    return v - vector_projection(v, u)
