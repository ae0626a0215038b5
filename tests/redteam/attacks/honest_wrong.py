"""Baseline: an honest but wrong answer. Every attack must score no more than this."""


def dot(q, k):
    return 0.0


def cosine_similarity(q, k, eps=1e-8):
    return 0.0


def angle(q, k):
    return 0.0
