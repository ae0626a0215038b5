"""Known wrong answers to projection, each dropped in for one function of the reference."""

import numpy as np

import projection as reference
from grader.testing import mistake


def _checked(v, u):
    if np.shape(v) != np.shape(u):
        raise ValueError("v and u have different lengths")
    if not np.any(u):
        raise ValueError("u is the zero vector")


@mistake("scalar-divides-by-norm-squared", replaces="scalar_projection")
def scalar_divides_by_norm_squared(v, u):
    _checked(v, u)
    return np.sum(v * u) / np.sum(u * u)


@mistake("scalar-arguments-swapped", replaces="scalar_projection")
def scalar_arguments_swapped(v, u):
    # The shadow of u on v: divides by the length of v.
    _checked(v, u)
    return np.sum(v * u) / np.sqrt(np.sum(v * v))


@mistake("vector-not-normalized", replaces="vector_projection")
def vector_not_normalized(v, u):
    _checked(v, u)
    return np.sum(v * u) * u


@mistake("vector-divides-by-norm", replaces="vector_projection")
def vector_divides_by_norm(v, u):
    # The scalar projection times u, which is only right when ‖u‖ = 1.
    _checked(v, u)
    return reference.scalar_projection(v, u) * u


@mistake("rejection-sign-flipped", replaces="rejection")
def rejection_sign_flipped(v, u):
    return reference.vector_projection(v, u) - v


@mistake("vector-arguments-swapped", replaces="vector_projection")
def vector_arguments_swapped(v, u):
    # The projection of u onto v: (u·v / v·v) v.
    _checked(v, u)
    return (np.sum(v * u) / np.sum(v * v)) * v


@mistake("no-length-check", replaces="vector_projection")
def no_length_check(v, u):
    # Broadcasting stretches a length-1 v to the length of u instead of failing.
    if not np.any(u):
        raise ValueError("u is the zero vector")
    return (np.sum(v * u) / np.sum(u * u)) * u


@mistake("zero-u-not-rejected", replaces="vector_projection")
def zero_u_not_rejected(v, u):
    if np.shape(v) != np.shape(u):
        raise ValueError("v and u have different lengths")
    with np.errstate(divide="ignore", invalid="ignore"):
        return (np.sum(v * u) / np.sum(u * u)) * u
