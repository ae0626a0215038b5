"""dot-product with numpy reductions and np.linalg.norm for the lengths."""
import numpy as np


def _check(q, k):
    q, k = np.asarray(q), np.asarray(k)
    if q.ndim != 1 or k.ndim != 1 or len(q) != len(k):
        raise ValueError("q and k must be 1-D and of the same length")
    return q, k


def dot(q, k):
    q, k = _check(q, k)
    return np.sum(np.multiply(q, k))


def cosine_similarity(q, k, eps=1e-8):
    q, k = _check(q, k)
    return dot(q, k) / np.maximum(np.linalg.norm(q) * np.linalg.norm(k), eps)


def angle(q, k):
    q, k = _check(q, k)
    if not q.any() or not k.any():
        raise ValueError("angle of a zero vector")
    cosine = dot(q, k) / (np.linalg.norm(q) * np.linalg.norm(k))
    return float(np.arccos(np.clip(cosine, -1.0, 1.0)))
