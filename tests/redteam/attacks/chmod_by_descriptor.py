"""Change a file the worker may only read, through a descriptor: os.fchmod, os.fchown,
os.utime and os.setxattr on a descriptor raise the same audit events as their path forms, with
an int where the path would be, and Landlock governs none of them. The target is a canary the
test plants beside the grader's code (mode 0644); in the process layer the worker's uid may own
it (root without capabilities, or the grader's own user), so only the hook stands in the way:
made setuid and world-writable, a file like it (a Python binary, the grader package) would
be anyone's way in."""
import os
from pathlib import Path


def _change_through_a_descriptor():
    import grader
    target = Path(grader.__file__).resolve().parent / "redteam-mode-canary.txt"
    changed = []
    try:
        fd = os.open(target, os.O_RDONLY)
    except OSError as exc:
        return f"could not open the canary ({type(exc).__name__})"
    try:
        for what, change in (("fchmod", lambda: os.fchmod(fd, 0o4777)),
                             ("chmod on a descriptor", lambda: os.chmod(fd, 0o4777)),
                             ("fchown", lambda: os.fchown(fd, os.getuid(), os.getgid())),
                             ("utime on a descriptor", lambda: os.utime(fd, (0, 0))),
                             ("fsetxattr", lambda: os.setxattr(fd, "user.pwned", b"1"))):
            try:
                change()
                changed.append(what)
            except OSError:  # PermissionError from the hook, EROFS or EPERM from the kernel
                pass
    finally:
        os.close(fd)
    return changed


def dot(q, k):
    raise RuntimeError(f"changed through a descriptor: {_change_through_a_descriptor()}")


cosine_similarity = angle = lambda q, k, eps=1e-8: 0.0
