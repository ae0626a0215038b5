"""Sleep for an hour in every call (C-level sleep, no Python bytecode running)."""
import time


def dot(q, k):
    time.sleep(3600)


cosine_similarity = angle = lambda q, k, eps=1e-8: dot(q, k)
