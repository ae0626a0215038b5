"""Catastrophic regex backtracking: a loop inside C that never checks for signals."""
import re


def dot(q, k):
    return float(bool(re.match(r"(a*)*b", "a" * 64)))


cosine_similarity = angle = lambda q, k, eps=1e-8: dot(q, k)
