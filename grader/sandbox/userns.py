"""Namespaces without root: the fork server in an unprivileged user namespace of its own.

A user namespace gives its creator every capability *inside* it, which is what building a
worker's root needs (mount, chroot, new PID and network namespaces), without root on the host
(CI runners, laptops). The way bubblewrap does it, minus the setuid helper:

1. :func:`enter`, in the fork server, once: ``unshare`` a user namespace (our uid and gid
   mapped to themselves, ``setgroups`` denied), with a PID and a network namespace owned by it,
   then fork. The child, PID 1 of that PID namespace, goes on as the server; the parent only
   waits for it and exits with its status (it is the process the grader started). The server
   must own the PID and network namespaces it returns to after forking a worker into a new one
   (``setns`` back needs CAP_SYS_ADMIN over them), hence the two namespaces of its own.
2. The worker is built exactly as under root (:mod:`grader.sandbox.namespaces`), then
   :func:`drop_capabilities` empties every capability set and the bounding set and sets
   no_new_privs: it cannot unmount the masks, remount a bind writable, chroot, or regain a
   capability, and being chrooted it cannot create a user namespace of its own either.
3. The server knows its workers by their pids in its own PID namespace; the grader kills them
   by host pid: :func:`host_pid` translates through a pidfd.

:func:`obstacle` names what prevents this on a machine (a sysctl, AppArmor's restriction on
Ubuntu 24.04, a seccomp filter, no uid map), for the layer's reason.
"""
from __future__ import annotations

import ctypes
import functools
import os
import signal
from pathlib import Path

CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
PR_SET_PDEATHSIG, PR_CAPBSET_DROP, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 1, 24, 47, 4
PR_SET_NO_NEW_PRIVS = 38
CAPABILITY_VERSION_3 = 0x20080522

_libc = ctypes.CDLL(None, use_errno=True)


class _Header(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _Data(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def _prctl(option: int, argument: int = 0) -> int:
    return _libc.prctl(ctypes.c_int(option), *(ctypes.c_ulong(a) for a in (argument, 0, 0, 0)))


def _checked(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def obstacle() -> str | None:
    """Why this machine's settings refuse unprivileged user namespaces, if they visibly do."""
    if not hasattr(os, "pidfd_open"):
        return "no pidfds here (Linux 5.3, Python 3.9): the grader could not tell its workers' pids"
    for path, refusing, why in (
            ("/proc/sys/kernel/unprivileged_userns_clone", "0", "kernel.unprivileged_userns_clone=0"),
            ("/proc/sys/user/max_user_namespaces", "0", "user.max_user_namespaces=0"),
            ("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", "1",
             "AppArmor restricts them (kernel.apparmor_restrict_unprivileged_userns=1)")):
        try:
            if Path(path).read_text().strip() == refusing:
                return why
        except OSError:
            continue
    return None


@functools.cache
def last_capability() -> int:
    """The highest capability number of this kernel (read before the worker loses /proc)."""
    try:
        return int(Path("/proc/sys/kernel/cap_last_cap").read_text())
    except (OSError, ValueError):
        return 63


def enter() -> None:
    """Move the calling process (single-threaded) into a new user namespace, with PID and network
    namespaces of its own, and return in a child that is PID 1 there. The caller's own process
    never returns: it waits for that child and exits with its status."""
    uid, gid = os.geteuid(), os.getegid()
    _checked(_libc.unshare(CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET), "unshare(CLONE_NEWUSER)")
    Path("/proc/self/setgroups").write_text("deny")
    Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
    Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")
    child = os.fork()
    if child == 0:
        _checked(_prctl(PR_SET_PDEATHSIG, signal.SIGKILL), "prctl")
        return
    os.closerange(3, os.sysconf("SC_OPEN_MAX"))  # the control socket is the child's alone
    status = 1
    try:
        while True:
            try:
                _, status = os.waitpid(child, 0)
                break
            except InterruptedError:
                continue
    finally:
        os._exit(os.waitstatus_to_exitcode(status) & 0xFF if os.WIFEXITED(status) else 1)


def drop_capabilities() -> None:
    """Leave the calling process with no capability at all, for good: bounding and ambient
    sets cleared, effective/permitted/inheritable emptied, no_new_privs set."""
    for capability in range(last_capability() + 1):
        if _prctl(PR_CAPBSET_DROP, capability) != 0 \
                and ctypes.get_errno() != 22:  # EINVAL: a capability this kernel does not have
            _checked(-1, "prctl(PR_CAPBSET_DROP)")
    _checked(_prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL), "prctl(PR_CAP_AMBIENT)")
    header, data = _Header(CAPABILITY_VERSION_3, 0), (_Data * 2)()
    _checked(_libc.capset(ctypes.byref(header), data), "capset")
    _checked(_prctl(PR_SET_NO_NEW_PRIVS, 1), "prctl(PR_SET_NO_NEW_PRIVS)")


def capabilities() -> int:
    """The calling process's effective and permitted capabilities, as one bit mask (0: none)."""
    header, data = _Header(CAPABILITY_VERSION_3, 0), (_Data * 2)()
    _checked(_libc.capget(ctypes.byref(header), data), "capget")
    return sum((d.effective | d.permitted) << (32 * i) for i, d in enumerate(data))


def host_pid(pid: int) -> int:
    """PID (in the server's PID namespace) as the host sees it: what the grader kills.
    ProcessLookupError when it has already ended (the server reaps its workers at once)."""
    fd = os.pidfd_open(pid)
    try:
        return pid_of(fd)
    finally:
        os.close(fd)


def pid_of(pidfd: int) -> int:
    """The host's pid of the process PIDFD refers to; ProcessLookupError once it has ended and been
    reaped (the kernel then says -1: a worker that exited at import, before the server asked)."""
    with open(f"/proc/self/fdinfo/{pidfd}", encoding="ascii") as info:
        for line in info:
            if line.startswith("Pid:"):
                pid = int(line.split()[1])
                if pid <= 0:
                    raise ProcessLookupError(f"process {pidfd} has ended")
                return pid
    raise OSError(f"no host pid for pidfd {pidfd}")
