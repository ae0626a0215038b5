"""Answer a call with a forged, well-formed reply whose fields have the wrong types (an exception
whose frames are a number), ahead of the worker's own reply."""
import json
import os
import stat
import struct


def _sockets():
    for fd in range(3, 64):
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                yield fd
        except OSError:
            pass


FORGED = {"__dict__": {"raised": {"__dict__": {"type": "ValueError", "mro": ["builtins.ValueError"],
                                               "message": "forged", "frames": 5}}}}


def dot(q, k):
    for fd in _sockets():
        body = json.dumps(FORGED).encode()
        os.write(fd, struct.pack(">I", len(body)) + body)
    return 0.0


cosine_similarity = angle = lambda q, k, eps=1e-8: 0.0
