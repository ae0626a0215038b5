"""dot-product that keeps the input's precision: float32 in, numpy float32 scalars out."""
import numpy as np


def dot(q, k):
    if q.shape != k.shape or q.ndim != 1:
        raise ValueError(f"shapes {q.shape} and {k.shape} differ")
    return np.add.reduce(q * k, dtype=np.result_type(q, k))


def _norm(v):
    return np.sqrt(dot(v, v))


def cosine_similarity(q, k, eps=1e-8):
    numerator = dot(q, k)
    denominator = _norm(q) * _norm(k)
    if denominator < eps:
        denominator = numerator.dtype.type(eps)
    return numerator / denominator


def angle(q, k):
    numerator = dot(q, k)
    if np.all(q == 0) or np.all(k == 0):
        raise ValueError("zero vector")
    cosine = numerator / (_norm(q) * _norm(k))
    return np.arccos(np.minimum(np.maximum(cosine, -1), 1))
