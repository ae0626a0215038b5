"""Bring compiled code along: write a shared object into the scratch folder and import it.

Code in a compiled extension module runs no Python and raises no audit event: whatever it does
(open the reference, kill the grader) the audit hook never sees. A real attacker would embed
their own; a standard library module copied from the Python installation shows the way in
(loaded from the scratch folder, it is the attacker's code as far as the sandbox can tell).
"""
import glob
import os
import sys

TOLD = []
SCRATCH = os.getcwd()
try:
    for name in ("_lsprof", "_bisect", "_heapq", "_csv"):
        found = glob.glob(os.path.join(sys.base_prefix, "lib*", "python3*", "lib-dynload", name + ".*.so"))
        if found:
            break
    with open(found[0], "rb") as original, open(os.path.join(SCRATCH, os.path.basename(found[0])), "wb") as copy:
        copy.write(original.read())
    sys.modules.pop(name, None)
    sys.path.insert(0, SCRATCH)
    if name == "_lsprof":
        import _lsprof as loaded
    elif name == "_bisect":
        import _bisect as loaded
    elif name == "_heapq":
        import _heapq as loaded
    else:
        import _csv as loaded
    TOLD.append(f"loaded compiled code from {loaded.__file__}")
except BaseException as exc:
    TOLD.append(f"{type(exc).__name__}: {exc}")


def dot(q, k):
    raise LookupError("; ".join(TOLD))


def cosine_similarity(q, k, eps=1e-8):
    return 0.0


def angle(q, k):
    return 0.0
