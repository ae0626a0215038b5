"""Linux namespaces for one worker: the calls Python does not wrap, and the worker's tiny root.

Used by :mod:`grader.sandbox` on the grader's side of the trust boundary (ctypes is fine
here: no student code has run yet). The sequence for one worker:

1. in the fork server, :func:`fork_into_new_pid_namespace`: ``unshare(CLONE_NEWPID)``, fork,
   then ``setns`` back, so the child is PID 1 of a fresh PID namespace (killing it kills
   everything it started) while the server stays where it was; one fork per worker;
2. in the child, :func:`enter` new mount, IPC and UTS namespaces, and the network namespace
   of its lane (:func:`new_network_namespace`: only a loopback interface, and it is down).
   Creating and destroying a network namespace costs ~1.5 ms of CPU, a twentieth of a
   student's grading, so the server makes one per lane (one per grading process of
   ``learn grade-all``) and that lane's workers, which run one after another, join it. A
   worker cannot configure it (no capabilities) and its sockets close when it is killed, so
   it leaves nothing there for the next student; concurrent lanes never share one;
3. :func:`build_root`: a tmpfs holding read-only binds of ``/usr``, the Python installation
   and the grader package (its ``_course`` masked), four devices, a scratch ``/tmp`` and a
   copy of the submission; then ``chroot`` into it. No ``/proc``, no course solutions, no
   results folders, no other students: they do not exist in there.
"""
from __future__ import annotations

import ctypes
import os
import signal
from typing import Sequence

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWPID, CLONE_NEWNET = 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 2, 4, 32, 4096, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_SET_CHILD_SUBREAPER = 1, 36
DEVICES = ("null", "zero", "urandom", "random")
SYSTEM = ("/usr", "/etc/ld.so.cache")
LINKS = ("/bin", "/lib", "/lib64", "/sbin")   # merged-/usr symlinks, recreated as links
MOUNT_BASES = ("/mnt", "/media", "/srv", "/opt", "/var/tmp", "/tmp")
SUBMISSION = "/submission"

_libc = ctypes.CDLL(None, use_errno=True)
_own_pid_namespace: int | None = None


def _checked(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    def enc(s: str | None) -> bytes | None:
        return None if s is None else s.encode()
    _checked(_libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)),
             f"mount {target}")


def die_with_parent(parent: int | None) -> None:
    """SIGKILL this process when its parent (the fork server) exits; exit now if PARENT already did.

    Set after the uid changes (which clears it). Whatever kills the grader, the server sees its
    control socket close and exits, and with it every worker: a sleeping or looping submission
    cannot outlive a grader that was killed or interrupted. (PID 1 of a new PID namespace sees
    its parent as 0, so there PARENT is None and a server that died in the few milliseconds
    since the fork goes unnoticed; RLIMIT_CPU still ends a looping worker.)
    """
    _checked(_libc.prctl(PR_SET_PDEATHSIG, ctypes.c_ulong(signal.SIGKILL), 0, 0, 0), "prctl")
    if parent is not None and os.getppid() != parent:
        os._exit(0)


def become_subreaper() -> None:
    """Orphans of this process's children are reaped here, not left as zombies of init."""
    _checked(_libc.prctl(PR_SET_CHILD_SUBREAPER, ctypes.c_ulong(1), 0, 0, 0), "prctl")


def fork_into_new_pid_namespace() -> int:
    """os.fork(), but the child is PID 1 of a new PID namespace. The caller's own namespace
    for later children is restored at once (unshare changes it for every later fork)."""
    global _own_pid_namespace
    if _own_pid_namespace is None:
        _own_pid_namespace = os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC)
    _checked(_libc.unshare(CLONE_NEWPID), "unshare(CLONE_NEWPID)")
    try:
        pid = os.fork()
    except BaseException:
        pid = -1
        raise
    finally:
        if pid != 0:  # the parent only: the child must never return into the server's loop
            _checked(_libc.setns(_own_pid_namespace, CLONE_NEWPID), "setns(CLONE_NEWPID)")
    return pid


def new_network_namespace() -> int:
    """A file descriptor holding a new network namespace (a loopback interface, down) for
    workers to :func:`join_network`; the calling process stays in its own namespace."""
    own = os.open("/proc/self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
    try:
        _checked(_libc.unshare(CLONE_NEWNET), "unshare(CLONE_NEWNET)")
        try:
            return os.open("/proc/self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
        finally:
            _checked(_libc.setns(own, CLONE_NEWNET), "setns(CLONE_NEWNET)")
    finally:
        os.close(own)


def join_network(namespace: int) -> None:
    """Move the calling process into the network namespace held by the file descriptor NAMESPACE."""
    _checked(_libc.setns(namespace, CLONE_NEWNET), "setns(CLONE_NEWNET)")


def enter(new_network: bool = True) -> None:
    """New mount, IPC and UTS namespaces for the calling process, and a new network namespace
    unless it already joined one (:func:`join_network`)."""
    _checked(_libc.unshare(CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS | (CLONE_NEWNET if new_network else 0)),
             "unshare")


def _mount_base(visible: list[str]) -> str:
    for base in MOUNT_BASES:
        if os.path.isdir(base) and not any(v == base or v.startswith(base + "/") or base.startswith(v + "/")
                                           for v in visible):
            return base
    raise OSError("no folder to build the worker's root in")


def _bind(source: str, root: str, writable: bool = False) -> None:
    target = root + source
    if os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        open(target, "a").close()
    _mount(source, target, None, MS_BIND | MS_REC)
    if not writable:
        _mount(None, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID)


def build_root(visible: Sequence[str], hidden: Sequence[str], source: bytes, name: str, size: int,
               owner: tuple[int, int] | None) -> None:
    """Chroot into a fresh tmpfs holding VISIBLE (read-only, HIDDEN masked), the devices, a
    scratch /tmp of at most SIZE bytes owned by OWNER, and SOURCE as /submission/NAME."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)  # nothing we mount leaks back to the host
    root = _mount_base(visible)
    _mount("learn-worker", root, "tmpfs", MS_NOSUID | MS_NODEV, f"size={size},mode=0755")
    for link in LINKS:
        if os.path.islink(link):
            os.symlink(os.readlink(link), root + link)
    for path in [*SYSTEM, *visible]:
        if os.path.exists(path) and not os.path.islink(path):
            _bind(path, root)
    for path in hidden:
        if os.path.isdir(root + path):
            _mount("hidden", root + path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "size=4k,mode=0555")
    os.makedirs(root + "/dev")
    for device in DEVICES:
        _bind(f"/dev/{device}", root, writable=True)
    os.makedirs(root + "/tmp", exist_ok=True)  # it may exist: a virtualenv under /tmp is bound there
    os.chmod(root + "/tmp", 0o700)
    os.makedirs(root + SUBMISSION)
    with open(f"{root}{SUBMISSION}/{name}", "wb") as handle:
        handle.write(source)
    os.chmod(f"{root}{SUBMISSION}/{name}", 0o444)
    os.chmod(root + SUBMISSION, 0o555)
    if owner and os.geteuid() == 0:
        os.chown(root + "/tmp", *owner)
    os.chroot(root)
    os.chdir("/tmp")
