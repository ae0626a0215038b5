"""The worker's last line of defence: an audit hook installed just before the student's file runs.

An audit hook is not a sandbox (ctypes, ``__subclasses__`` walks and ``_posixsubprocess`` can
get past Python-level checks), which is why :mod:`grader.sandbox.layers` puts the OS layers first. The
hook is defence in depth and, on a machine without namespaces, the layer that gives a
student a clear error instead of silent success: it refuses new processes, sockets, ctypes,
signals to other processes, writes outside the scratch folder, and reads outside the Python
installation, the grader's own package, the submission and the scratch folder.

It is installed after the worker's own imports (numpy, the codec, the channel socket), so
nothing the grader needs is refused; it cannot be removed once installed.
"""
from __future__ import annotations

import os
import sys
from typing import Any, Iterable

# Events refused outright, whatever their arguments.
REFUSED = frozenset({
    "subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
    "os.forkpty", "pty.spawn", "os.kill", "os.killpg", "os.startfile", "signal.pthread_kill",
    "os.chroot", "webbrowser.open",
})
REFUSED_PREFIXES = ("socket.", "ctypes.", "_ctypes.", "urllib.", "http.", "ftplib.", "smtplib.")

# Events whose path arguments must all lie inside the scratch folder.
WRITES = frozenset({
    "os.remove", "os.rmdir", "os.mkdir", "os.rename", "os.link", "os.symlink", "os.chmod",
    "os.chown", "os.truncate", "os.utime", "os.chflags", "os.mkfifo", "os.mknod",
    "os.setxattr", "os.removexattr", "shutil.rmtree", "shutil.copyfile", "shutil.copymode",
    "shutil.copystat", "shutil.copytree", "shutil.move", "shutil.chown", "shutil.unpack_archive",
    "shutil.make_archive",
})
# Events whose path arguments must lie inside a readable folder.
READS = frozenset({"os.listdir", "os.scandir", "os.chdir", "glob.glob", "glob.glob/2",
                   "os.listxattr", "os.getxattr"})
ALWAYS_READABLE = ("/dev/null", "/dev/urandom", "/dev/random", "/dev/zero")
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


class Refused(PermissionError):
    """What the student's code sees when the hook refuses an operation."""


def _inside(path: str, roots: Iterable[str]) -> bool:
    return any(path == root or path.startswith(root.rstrip("/") + "/") for root in roots)


def _path_of(value: Any) -> str | None:
    if isinstance(value, (str, bytes, os.PathLike)):
        try:
            return os.path.realpath(os.fsdecode(value))
        except (TypeError, ValueError, OSError):
            return "\0unreadable"
    return None


class Guard:
    """The policy: which events pass. Kept separate from the hook so it can be tested directly."""

    def __init__(self, scratch: str, readable: Iterable[str], hidden: Iterable[str] = ()) -> None:
        self.scratch = os.path.realpath(scratch)
        self.readable = tuple(os.path.realpath(r) for r in readable) + (self.scratch,) + ALWAYS_READABLE
        self.hidden = tuple(os.path.realpath(h) for h in hidden)

    def may_read(self, path: str) -> bool:
        return _inside(path, self.readable) and not _inside(path, self.hidden)

    def may_write(self, path: str) -> bool:
        return _inside(path, (self.scratch,)) or path == "/dev/null"

    def check(self, event: str, args: tuple) -> None:
        if event in REFUSED or event.startswith(REFUSED_PREFIXES):
            raise Refused(f"{event} is not allowed while grading")
        if event == "open":
            path = _path_of(args[0]) if args else None
            if path is None:  # an inherited file descriptor
                return
            mode, flags = (list(args[1:3]) + [None, None])[:2]
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and bool(flags & WRITE_FLAGS))
            if not (self.may_write(path) if writing else self.may_read(path)):
                raise Refused(f"opening {args[0]!r} is not allowed while grading")
        elif event in WRITES or event in READS:
            allowed = self.may_write if event in WRITES else self.may_read
            for value in args:
                path = _path_of(value)
                if path is not None and not allowed(path):
                    raise Refused(f"{event} on {value!r} is not allowed while grading")

    def __call__(self, event: str, args: tuple) -> None:
        if event == "open" or event in REFUSED or event in WRITES or event in READS \
                or event.startswith(REFUSED_PREFIXES):
            self.check(event, args)


def install(scratch: str, readable: Iterable[str], hidden: Iterable[str] = ()) -> Guard:
    """Install the hook for the rest of this process's life."""
    guard = Guard(scratch, readable, hidden)
    sys.addaudithook(guard)
    return guard
