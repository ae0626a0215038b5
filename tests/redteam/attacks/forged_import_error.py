"""Greet the grader with a forged, well-formed import error whose fields have the wrong types
(a column that is not a number), then vanish before the worker can say anything itself."""
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


# The wire's own encoding (dicts travel tagged), so the codec accepts it and only its shape is wrong.
FORGED = {"__dict__": {
    "import_error": {"__dict__": {"type": "SyntaxError", "mro": ["builtins.SyntaxError"], "message": "forged",
                                  "frames": [["similarity.py", 1, "<module>", "x = 1"]], "offset": "zz"}},
    "output": {"__dict__": {"text": "", "dropped": 0}}}}
for fd in _sockets():
    body = json.dumps(FORGED).encode()
    os.write(fd, struct.pack(">I", len(body)) + body)
os._exit(0)
