"""The grader's own processes, out of a worker's reach: their environment and their memory.

A worker that runs as the grader's user (the process layer without root) and can see ``/proc``
(no Landlock) could read ``/proc/<grader>/environ`` (the environment the grader *started*
with: deleting a variable from ``os.environ`` does not remove it there) and, with ptrace
rights, ``/proc/<grader>/mem``: the seed secret, the hidden tests' expected values, or the
grades themselves. Two things close that, both cheap and both done before any worker starts:

- :func:`forbid_inspection` makes the process non-dumpable: its ``/proc`` files and ptrace
  then need CAP_SYS_PTRACE, which no worker has (forked children inherit it: the grading
  processes of ``learn grade-all``; the fork server does it for itself and its workers);
- :func:`scrub_environment` removes a variable from ``os.environ`` and overwrites it in the
  process's initial environment block (through ``/proc/self/mem``), so not even a reader with
  those rights finds it there.

The parent shell of a CI step may hold the same variable: only a layer in which the worker
cannot see ``/proc`` at all (namespaces, or Landlock) protects that one. docs/security.md says so.
"""
from __future__ import annotations

import os
import posix
from pathlib import Path
from typing import Iterable

PR_SET_DUMPABLE = 4


def forbid_inspection() -> bool:
    """Make this process (and children it forks later) non-dumpable; False where it cannot."""
    import ctypes  # here: a command that never grades does not pay for it
    libc = ctypes.CDLL(None, use_errno=True)
    zero = ctypes.c_ulong(0)
    return libc.prctl(ctypes.c_int(PR_SET_DUMPABLE), zero, zero, zero, zero) == 0


def scrub_environment(names: Iterable[str]) -> bool:
    """Remove NAMES from this process's environment, including the block ``/proc/self/environ``
    shows. False if that block could not be rewritten (no /proc): then only non-dumpability
    hides it."""
    wanted = {name.encode() for name in names}
    for name in wanted:
        os.environ.pop(name.decode(), None)
        posix.environ.pop(name, None)  # the copy os.environ was made from
    try:
        fields = Path("/proc/self/stat").read_bytes().rsplit(b")", 1)[1].split()
        start, end = int(fields[47]), int(fields[48])  # env_start and env_end: fields 50 and 51 of proc(5)
        with open("/proc/self/mem", "r+b", buffering=0) as memory:
            memory.seek(start)
            block = memory.read(end - start)
            offset = 0
            for entry in block.split(b"\0"):
                if entry.split(b"=", 1)[0] in wanted:
                    memory.seek(start + offset)
                    memory.write(b"\0" * len(entry))
                offset += len(entry) + 1
    except (OSError, ValueError, IndexError):
        return False
    return True
