"""Unbounded recursion with the recursion limit lifted: a C stack overflow."""
import sys

sys.setrecursionlimit(10 ** 7)


def _down(n):
    return _down(n + 1) + 1


def dot(q, k):
    return _down(0)


def cosine_similarity(q, k, eps=1e-8):
    return _down(0)


def angle(q, k):
    return _down(0)
