"""Return values past the codec's caps: a huge array, deep nesting, a giant string."""
import numpy as np


def dot(q, k):
    return np.zeros(20 * 1024 ** 2)


def cosine_similarity(q, k, eps=1e-8):
    value = 0.0
    for _ in range(1000):
        value = [value]
    return value


def angle(q, k):
    return "x" * 50_000_000
