"""Take a long time to import, then crash on every call: each call restarts the worker, which
imports the file again. With an import just under its 20 s limit, that once multiplied into
minutes for one student; imports now share one budget per exercise, restarts included."""
import os
import time

time.sleep(0.1)


def dot(q, k):
    os._exit(1)


def cosine_similarity(q, k, eps=1e-8):
    os._exit(1)


def angle(q, k):
    os._exit(1)
