"""Leave a tree of folders thousands deep in the scratch folder, then crash so that the worker is
replaced: removing the tree recursively raised RecursionError in the fork server, after which it
started no worker at all for the rest of the run (every later call: the grader's failure)."""
import os

DEPTH = [0]


def dot(q, k):
    for _ in range(300):  # a few calls' worth (folders are slow to make on some disks)
        os.mkdir("d")     # relative steps: the path soon outgrows what a path may hold
        os.chdir("d")
    DEPTH[0] += 300
    if DEPTH[0] >= 1500:
        os._exit(1)
    return 0.0


def cosine_similarity(q, k, eps=1e-8):
    return 0.0


def angle(q, k):
    return 0.0
