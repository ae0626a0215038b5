"""Known wrong answers to dot-product, each dropped in for one function of the reference."""

import numpy as np

import similarity as reference
from grader.testing import mistake


def _norm(x):
    return np.sqrt(np.sum(x * x))


def _check_lengths(q, k):
    if np.shape(q) != np.shape(k):
        raise ValueError(f"vectors of different lengths: {np.shape(q)} and {np.shape(k)}")


@mistake("dot-forgot-sum", replaces="dot")
def dot_forgot_sum(q, k):
    _check_lengths(q, k)
    return q * k


@mistake("dot-no-length-check", replaces="dot")
def dot_no_length_check(q, k):
    # Broadcasting stretches a length-1 vector instead of failing.
    return np.sum(q * k)


@mistake("cosine-no-eps", replaces="cosine_similarity")
def cosine_no_eps(q, k, eps=1e-8):
    _check_lengths(q, k)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.sum(q * k) / (_norm(q) * _norm(k))


@mistake("cosine-eps-added", replaces="cosine_similarity")
def cosine_eps_added(q, k, eps=1e-8):
    _check_lengths(q, k)
    return np.sum(q * k) / (_norm(q) * _norm(k) + eps)


@mistake("angle-not-clipped", replaces="angle")
def angle_not_clipped(q, k):
    _check_lengths(q, k)
    if not np.any(q) or not np.any(k):
        raise ValueError("zero vector")
    with np.errstate(invalid="ignore"):
        return np.arccos(np.sum(q * k) / (_norm(q) * _norm(k)))


@mistake("angle-in-degrees", replaces="angle")
def angle_in_degrees(q, k):
    return np.degrees(reference.angle(q, k))


@mistake("angle-accepts-zero-vector", replaces="angle")
def angle_accepts_zero_vector(q, k):
    # Reusing the eps-guarded cosine turns a zero vector into a right angle.
    cosine = reference.cosine_similarity(q, k)
    return np.arccos(np.clip(cosine, -1.0, 1.0))


@mistake("dot-mean-not-sum", replaces="dot")
def dot_mean_not_sum(q, k):
    _check_lengths(q, k)
    return np.mean(q * k)


@mistake("dot-zip-truncates", replaces="dot")
def dot_zip_truncates(q, k):
    # The tutorial loop: zip stops at the shorter vector instead of complaining.
    return sum(a * b for a, b in zip(q, k))


@mistake("cosine-norm-without-sqrt", replaces="cosine_similarity")
def cosine_norm_without_sqrt(q, k, eps=1e-8):
    _check_lengths(q, k)
    return np.sum(q * k) / max(np.sum(q * q) * np.sum(k * k), eps)


@mistake("cosine-eps-per-norm", replaces="cosine_similarity")
def cosine_eps_per_norm(q, k, eps=1e-8):
    # Each norm clamped on its own (as in some library versions), not their product.
    _check_lengths(q, k)
    return np.sum(q * k) / (max(_norm(q), eps) * max(_norm(k), eps))
