"""dot-product, written with plain Python loops: every result a Python float."""
import math


def _pairs(q, k):
    if len(q.shape) != 1 or q.shape != k.shape:
        raise ValueError(f"q and k must be vectors of the same length, got {q.shape} and {k.shape}")
    return range(q.shape[0])


def dot(q, k):
    total = 0.0
    for i in _pairs(q, k):
        total += float(q[i]) * float(k[i])
    return total


def _length(v):
    return math.sqrt(dot(v, v))


def cosine_similarity(q, k, eps=1e-8):
    product = dot(q, k)
    return product / max(_length(q) * _length(k), eps)


def angle(q, k):
    product = dot(q, k)
    nq, nk = _length(q), _length(k)
    if nq == 0.0 or nk == 0.0:
        raise ValueError("a zero vector has no direction")
    cosine = product / (nq * nk)
    return math.acos(min(1.0, max(-1.0, cosine)))
