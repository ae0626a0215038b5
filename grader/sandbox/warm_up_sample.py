"""A stand-in student file: the fork server runs the worker's path on it before serving.

See :func:`grader.sandbox.worker.warm_up`. Kept to the numpy calls most exercises' students make.
"""
import numpy as np


def similarity(q, k):
    q, k = np.asarray(q, dtype=float), np.asarray(k, dtype=float)
    if q.shape != k.shape:
        raise ValueError("shapes differ")
    cosine = np.dot(q, k) / (np.linalg.norm(q) * np.linalg.norm(k))
    return float(np.arccos(np.clip(cosine, -1.0, 1.0))), q @ k, np.sum(q * k), q.T.copy()


def refuse(q, k):
    raise ValueError(f"refused: {q.shape} {k.shape}")
