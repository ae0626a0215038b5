"""Ignore SIGTERM, SIGINT and SIGHUP, then spin: only SIGKILL can stop this."""
import signal

for _sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    signal.signal(_sig, signal.SIG_IGN)


def dot(q, k):
    while True:
        pass


cosine_similarity = angle = lambda q, k, eps=1e-8: dot(q, k)
