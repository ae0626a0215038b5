"""Which layer this machine allows, found once per fork server by trying it, and what a
worker loses under it.

:func:`isolation` forks a child that builds a namespaced worker the way :mod:`grader.sandbox.layers`
will (as root; else, without root, inside a user namespace of its own: :mod:`grader.sandbox.userns`)
and checks that it ends up PID 1, rooted, and without privileges. What it finds is what every
result reports; the reason names what gave the layer (root, a user namespace) or what refused
namespaces, and whether Landlock backs the process layer. :func:`lose_privileges` is the last
step of a namespaced worker: uid ``nobody`` as root, no capability at all in a user namespace.
"""
from __future__ import annotations

import functools
import os
import pwd
import signal
import sys
from typing import Callable

from grader.sandbox import landlock, namespaces, userns
from grader.sandbox.limits import Limits
from grader.sandbox.visibility import hidden_paths, visible_paths


@functools.cache
def nobody() -> tuple[int, int] | None:
    try:
        entry = pwd.getpwnam("nobody")
    except KeyError:
        return None
    return entry.pw_uid, entry.pw_gid


def drop_privileges(owner: tuple[int, int] | None) -> None:
    """As root: become OWNER (uid, gid), with no supplementary group."""
    if os.geteuid() == 0 and owner is not None:
        os.setgroups([])
        os.setgid(owner[1])
        os.setuid(owner[0])


_chosen: tuple[str, str] | None = None
_mode = "process"  # how the layer is had: "root", "userns" (namespaces), or "process"


def isolation() -> tuple[str, str]:
    """(layer, why): probed once per process by starting a namespaced child that does nothing."""
    global _chosen
    if _chosen is None:
        _chosen = _probe()
    return _chosen


def _probe() -> tuple[str, str]:
    global _mode
    if os.environ.get("LEARN_SANDBOX") == "process":
        return "process", with_landlock("LEARN_SANDBOX=process asked for the process layer only")
    if not sys.platform.startswith("linux"):
        return "process", with_landlock("namespaces need Linux")
    if os.geteuid() == 0:
        if nobody() is None:
            return "process", with_landlock("there is no user 'nobody' to drop to")
        if not _succeeds(_namespaced_worker, False):
            return "process", with_landlock("as root, creating mount/network namespaces failed "
                                            "(a container without CAP_SYS_ADMIN?)")
        try:
            namespaces.become_subreaper()
        except OSError:
            pass
        _mode = "root"
        return "namespaces", "as root: mount, network, PID, IPC and UTS namespaces; chroot; uid nobody"
    if not _succeeds(_in_user_namespace):
        why = userns.obstacle() or "the kernel or a seccomp filter refused them"
        return "process", with_landlock(f"not root, and user namespaces are not available: {why}")
    _mode = "userns"
    return "namespaces", ("in a user namespace of its own (not root): mount, network, PID, IPC and UTS "
                          "namespaces; chroot; no capabilities")


def with_landlock(why: str) -> str:
    """The process layer's reason: WHY there are no namespaces, and what guards files instead."""
    version = landlock_version()
    if version:
        return f"{why}; Landlock (ABI {version}) confines files, TCP and signals"
    return f"{why}; no Landlock here: only the audit hook guards files"


@functools.cache
def landlock_version() -> int:
    """The Landlock ABI the process layer uses here (0: none, or LEARN_LANDLOCK=off)."""
    if os.environ.get("LEARN_LANDLOCK") == "off" or not sys.platform.startswith("linux"):
        return 0
    return landlock.abi()


def _succeeds(trial: Callable[..., int], *args: object) -> bool:
    """TRIAL(*ARGS) in a child process exits 0."""
    previous = signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    try:
        pid = os.fork()
        if pid == 0:
            try:
                os._exit(trial(*args))
            except BaseException:
                os._exit(1)
        _, status = os.waitpid(pid, 0)
    except OSError:
        return False
    finally:
        signal.signal(signal.SIGCHLD, previous)
    return os.waitstatus_to_exitcode(status) == 0


def _in_user_namespace() -> int:
    userns.enter()
    return _namespaced_worker(True)


def _namespaced_worker(rootless: bool) -> int:
    """0 if a worker can be forked into its namespaces, rooted and left without privileges."""
    pid = namespaces.fork_into_new_pid_namespace()
    if pid == 0:
        try:
            namespaces.enter_root(None, visible_paths(), hidden_paths(), b"", "probe.py",
                                  Limits().scratch_bytes, None if rootless else nobody())
            lose_privileges(rootless)
            import numpy  # noqa: F401  (already loaded: this only proves the root is usable)
            unprivileged = userns.capabilities() == 0 if rootless else os.getuid() != 0
            os._exit(0 if unprivileged and os.getpid() == 1 else 1)
        except BaseException:
            os._exit(1)
    if rootless:
        userns.host_pid(pid)  # the grader must learn its workers' pids: this needs pidfds (Linux 5.3)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def lose_privileges(rootless: bool) -> None:
    """A namespaced worker's last step before its limits: uid nobody as root, no capability in a user namespace."""
    if rootless:
        userns.drop_capabilities()
    else:
        drop_privileges(nobody())


def mode() -> str:
    """How the layer is had here: "root" or "userns" (namespaces), or "process"."""
    isolation()
    return _mode
