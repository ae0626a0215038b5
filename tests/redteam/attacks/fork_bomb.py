"""A bounded fork bomb (at most 20 children, each exits within 20 s), by several routes."""
import os
import time


def _fork_many():
    forked, errors = 0, set()
    for _ in range(20):
        try:
            pid = os.fork()
        except BaseException as exc:
            errors.add(type(exc).__name__)
            continue
        if pid == 0:
            time.sleep(20)
            os._exit(0)
        forked += 1
    try:  # the route the audit hook cannot see
        import _posixsubprocess  # noqa: F401
        import subprocess
        subprocess.Popen(["/bin/sleep", "20"])
        forked += 1
    except BaseException as exc:
        errors.add(type(exc).__name__)
    return forked, sorted(errors)


def dot(q, k):
    forked, errors = _fork_many()
    raise RuntimeError(f"forked {forked} children; errors: {errors}")


cosine_similarity = angle = lambda q, k, eps=1e-8: 0.0
