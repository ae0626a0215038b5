"""Leave a tree of folders thousands deep in the scratch folder, then crash so that the worker is
replaced: removing the tree recursively raised RecursionError in the fork server, after which it
started no worker at all for the rest of the run (every later call: the grader's failure).

Deep folders are slow to make under the audit hook (it resolves every path), so the tree grows a
little at each call and the worker crashes once it is deep enough or a call has grown slow:
either way it dies (rather than times out) with the deepest tree it could make behind it."""
import os
import time

DEPTH = [0]


def _grow():
    started = time.monotonic()
    for _ in range(100):
        os.mkdir("d")     # relative steps: the path soon outgrows what a path may hold
        os.chdir("d")
        if time.monotonic() - started > 1.0:
            os._exit(1)
    DEPTH[0] += 100
    if DEPTH[0] >= 1200:  # deeper than the recursion limit lets a recursive removal go
        os._exit(1)
    return 0.0


def dot(q, k):
    return _grow()


def cosine_similarity(q, k, eps=1e-8):
    return _grow()


def angle(q, k):
    return _grow()
