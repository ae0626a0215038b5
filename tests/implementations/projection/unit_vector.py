"""projection through the unit vector û = u / ‖u‖, in the input's precision."""
import numpy as np


def _unit(v, u):
    if v.shape != u.shape or u.ndim != 1:
        raise ValueError("v and u must be 1-D arrays of equal length")
    length = np.sqrt(u @ u)
    if length == 0:
        raise ValueError("u must not be the zero vector")
    return u / length


def scalar_projection(v, u):
    return v @ _unit(v, u)


def vector_projection(v, u):
    unit = _unit(v, u)
    return (v @ unit) * unit


def rejection(v, u):
    return v - vector_projection(v, u)
