"""Allocate far more memory than any machine has, three ways."""
import numpy as np


def dot(q, k):
    return float(np.ones(10 ** 11).sum())


def cosine_similarity(q, k, eps=1e-8):
    return len(bytearray(64 * 1024 ** 3))


def angle(q, k):
    hoard = []
    while True:
        hoard.append(bytearray(10 ** 9))
