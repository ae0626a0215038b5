"""Landlock: the kernel's own path policy for the process layer, without root (Linux >= 5.13).

Where the worker cannot get namespaces (no root and no user namespaces, or a container without
CAP_SYS_ADMIN), the audit hook alone would stand between a submission and the reference. With
Landlock the kernel refuses instead, whatever the Python code does: a worker may read only
beneath the Python installation, the system libraries and the grader package (minus the
instructor's folders: the deepest rule wins, as in the hook, by splitting a readable folder
around each hidden one), may write only in its scratch folder and ``/dev/null``, and nothing
else: no ``/proc/<pid>/environ``, no other student, no results folder. From ABI 4 it may
neither bind nor connect a TCP socket, and from ABI 6 it may neither signal a process outside
its own domain (the grader, the server) nor reach an abstract unix socket.

Set up with the raw system calls (ctypes, in the worker before any student code runs, so
nothing here is reachable by it). :func:`abi` probes once; where the kernel lacks Landlock the
process layer says so in its reason and goes on without it.
"""
from __future__ import annotations

import ctypes
import functools
import os
import stat
import struct
from typing import Iterable, Sequence

# System call numbers: the same on every architecture Linux added them after 5.x for.
CREATE_RULESET, ADD_RULE, RESTRICT_SELF = 444, 445, 446
CREATE_RULESET_VERSION = 1
RULE_PATH_BENEATH = 1
PR_SET_NO_NEW_PRIVS = 38

EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
REMOVE_DIR, REMOVE_FILE, MAKE_CHAR, MAKE_DIR, MAKE_REG = 1 << 4, 1 << 5, 1 << 6, 1 << 7, 1 << 8
MAKE_SOCK, MAKE_FIFO, MAKE_BLOCK, MAKE_SYM = 1 << 9, 1 << 10, 1 << 11, 1 << 12
REFER, TRUNCATE, IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15          # ABI 2, 3, 5
BIND_TCP, CONNECT_TCP = 1 << 0, 1 << 1                          # ABI 4
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1       # ABI 6

FILE_ONLY = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV  # the rights a rule on a file may carry
READ = EXECUTE | READ_FILE | READ_DIR
DEVICES = {"/dev/null": READ_FILE | WRITE_FILE | TRUNCATE, "/dev/zero": READ_FILE,
           "/dev/urandom": READ_FILE, "/dev/random": READ_FILE}

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long
# landlock_add_rule with its argument types declared: a worker adds one rule per readable folder
_add_rule = ctypes.CFUNCTYPE(ctypes.c_long, ctypes.c_long, ctypes.c_int, ctypes.c_int, ctypes.c_char_p,
                             ctypes.c_uint32, use_errno=True)(("syscall", _libc))


def _syscall(number: int, *args: object) -> int:
    result = _libc.syscall(ctypes.c_long(number), *args)
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"landlock: {os.strerror(err)}")
    return result


@functools.cache
def abi() -> int:
    """The Landlock ABI version this kernel offers, 0 if none (too old, disabled, or refused by
    a seccomp filter)."""
    try:
        return _syscall(CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(CREATE_RULESET_VERSION))
    except OSError:
        return 0


def handled(version: int) -> tuple[int, int, int]:
    """(filesystem rights, network rights, scopes) that VERSION knows: all of them are denied
    unless a rule allows them."""
    fs = (1 << 13) - 1
    fs |= REFER if version >= 2 else 0
    fs |= TRUNCATE if version >= 3 else 0
    fs |= IOCTL_DEV if version >= 5 else 0
    net = BIND_TCP | CONNECT_TCP if version >= 4 else 0
    scopes = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if version >= 6 else 0
    return fs, net, scopes


def split_around(readable: Iterable[str], hidden: Sequence[str]) -> list[tuple[str, int]]:
    """(path, rights) rules for READABLE that give nothing of HIDDEN: a readable folder with a
    hidden one inside may only be listed (Python's importer lists the folders it imports from),
    and its entries get rules of their own, recursively toward the hidden one, which gets none;
    a readable folder inside a hidden one gets its own. Landlock rules only add; this makes "the
    deepest folder decides" out of them (what they cannot hide: the names in a hidden folder,
    which listing its parent's subtree shows). Symbolic links are left out: a rule applies to
    where a path leads."""
    hidden = [h.rstrip("/") for h in hidden]
    kept: list[tuple[str, int]] = []

    def holds(folder: str, path: str) -> bool:
        return path.startswith(folder.rstrip("/") + "/")

    def add(folder: str) -> None:
        if folder in hidden:
            return
        if not any(holds(folder, h) for h in hidden):
            kept.append((folder, READ))
            return
        kept.append((folder, READ_DIR))
        try:
            entries = list(os.scandir(folder))
        except OSError:
            return
        for entry in entries:
            if entry.is_dir(follow_symlinks=False) or (entry.is_file(follow_symlinks=False)):
                add(entry.path)

    readable = list(dict.fromkeys(readable))
    for folder in readable:
        add(folder)
    return kept


class Rules:
    """The rules every worker of a fork server shares, prepared in the server: the folders it
    may read, opened once (``O_PATH``) and packed, so a worker's :meth:`restrict` is a handful
    of system calls. A worker inherits the descriptors and closes them with the rest."""

    def __init__(self, readable: Iterable[tuple[str, int]], version: int) -> None:
        """READABLE: (path, rights) pairs, as split_around makes them."""
        self.version = version
        self.handled = handled(version)
        self.descriptors: list[int] = []
        self.rules: list[bytes] = []
        for path, rights in [*readable, *DEVICES.items()]:
            self._add(path, rights)

    def _add(self, path: str, rights: int) -> None:
        try:
            fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
        except OSError:
            return  # gone meanwhile: nothing to allow
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            rights &= FILE_ONLY
        self.descriptors.append(fd)
        self.rules.append(struct.pack("=Qi", rights & self.handled[0], fd))

    def close(self) -> None:
        for fd in self.descriptors:
            os.close(fd)
        self.descriptors, self.rules = [], []

    def restrict(self, writable: str) -> None:
        """Confine the calling process, for good: these rules, plus read and write beneath
        WRITABLE (the worker's scratch folder); every network right and scope of the ABI denied.
        Sets no_new_privs (Landlock requires it without CAP_SYS_ADMIN; a worker never executes
        anything)."""
        fs, net, scopes = self.handled
        size = 8 if self.version < 4 else 16 if self.version < 6 else 24
        attr = ctypes.create_string_buffer(struct.pack("QQQ", fs, net, scopes), 24)
        ruleset = _syscall(CREATE_RULESET, attr, ctypes.c_size_t(size), ctypes.c_uint32(0))
        scratch = os.open(writable, os.O_PATH | os.O_CLOEXEC | os.O_DIRECTORY)
        try:
            for rule in [*self.rules, struct.pack("=Qi", fs, scratch)]:
                if _add_rule(ADD_RULE, ruleset, RULE_PATH_BENEATH, rule, 0) != 0:
                    raise OSError(ctypes.get_errno(), f"landlock_add_rule: {os.strerror(ctypes.get_errno())}")
            if _libc.prctl(PR_SET_NO_NEW_PRIVS, ctypes.c_ulong(1), ctypes.c_ulong(0), ctypes.c_ulong(0),
                           ctypes.c_ulong(0)) != 0:
                raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
            _syscall(RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0))
        finally:
            os.close(scratch)
            os.close(ruleset)
