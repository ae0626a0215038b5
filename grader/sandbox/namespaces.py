"""Linux namespaces for one worker: the calls Python does not wrap, and the worker's tiny root.

Used by :mod:`grader.sandbox.layers` on the grader's side of the trust boundary (ctypes is fine
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
3. the worker's root: read-only binds of ``/usr``, the Python installation and the grader
   package, four devices, a scratch ``/tmp`` and a copy of the submission; then ``chroot``
   into it. Every hidden folder that lies under a bind (the package's ``_course``, and the
   course, submissions and results folders the grader names: :mod:`grader.sandbox.visibility`)
   is covered by an empty read-only tmpfs (:func:`mask`). No ``/proc``, no course solutions,
   no results folders, no other students: they do not exist in there. The server builds the
   shared, read-only part once (:func:`build_template`, masked again when the grader names
   another folder); each worker mounts only its own ``/tmp`` and ``/submission`` on top
   (:func:`enter_template`). :func:`build_root` builds the whole root in the worker instead,
   where no template could be made.

The same steps work as root and inside the server's own user namespace (:mod:`grader.sandbox.userns`):
a read-only remount keeps the flags the host's mount has (:func:`_kept_flags`), which a user
namespace may not lift.
"""
from __future__ import annotations

import ctypes
import os
import signal
import tempfile
from typing import Sequence

from grader.sandbox.visibility import LINKS, inside, system_folders

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWPID, CLONE_NEWNET = 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT, MS_BIND, MS_REC = 1, 2, 4, 8, 32, 4096, 16384
MS_NOATIME, MS_NODIRATIME, MS_PRIVATE, MS_SLAVE, MS_STRICTATIME = 1024, 2048, 1 << 18, 1 << 19, 1 << 24
MNT_DETACH = 2
PR_SET_PDEATHSIG, PR_SET_CHILD_SUBREAPER = 1, 36
DEVICES = ("null", "zero", "urandom", "random")
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


def _kept_flags(path: str) -> int:
    """The flags of the mount holding PATH that a read-only remount of a bind must keep: a user
    namespace may add restrictions to a mount it did not make, never lift one (atime included)."""
    have = os.statvfs(path).f_flag
    flags = MS_NOSUID
    for st, ms in ((os.ST_NODEV, MS_NODEV), (os.ST_NOEXEC, MS_NOEXEC), (os.ST_NOATIME, MS_NOATIME),
                   (os.ST_NODIRATIME, MS_NODIRATIME)):
        flags |= ms if have & st else 0
    if not have & (os.ST_NOATIME | os.ST_RELATIME):
        flags |= MS_STRICTATIME
    return flags


def _bind(source: str, root: str, writable: bool = False) -> None:
    target = root + source
    if os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        open(target, "a").close()
    _mount(source, target, None, MS_BIND | MS_REC)
    if not writable:
        _mount(None, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY | _kept_flags(source))


def _bind_visible(root: str, paths: Sequence[str], hidden: Sequence[str]) -> None:
    """Read-only binds of PATHS under ROOT (one for each outermost), with the HIDDEN folders
    among them masked."""
    outermost = [p for p in paths if not any(q != p and inside(p, [q]) for q in paths)]
    for path in outermost:
        if os.path.exists(path) and not os.path.islink(path):
            _bind(path, root)
    mask(root, [h for h in hidden if any(h != p and inside(h, [p]) for p in outermost)], paths)


def mask(root: str, hidden: Sequence[str], visible: Sequence[str]) -> None:
    """Cover each of HIDDEN under ROOT, shallowest first (a folder with an empty read-only tmpfs, a
    file with /dev/null), binding again the VISIBLE folders that lay inside it: the deepest
    folder decides (a hidden folder inside one bound again is covered in its turn)."""
    for path in hidden:
        target = root + path
        if os.path.isdir(target) and not os.path.islink(target):
            _mount("hidden", target, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=0555")
            inner = [v for v in visible if v != path and inside(v, [path]) and os.path.isdir(v)]
            for folder in inner:
                if not any(o != folder and inside(folder, [o]) for o in inner):
                    _bind(folder, root)
            _mount(None, target, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
        elif os.path.lexists(target):
            _mount("/dev/null", target, None, MS_BIND)
            _mount(None, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY | _kept_flags("/dev/null"))


def _fill_root(root: str, visible: Sequence[str], hidden: Sequence[str]) -> None:
    """The part of a worker's root that is the same for every worker: links, binds, devices."""
    for link in LINKS:
        if os.path.islink(link):
            os.symlink(os.readlink(link), root + link)
    _bind_visible(root, [*system_folders(), *visible], hidden)
    os.makedirs(root + "/dev")
    for device in DEVICES:
        _bind(f"/dev/{device}", root, writable=True)


def build_template(visible: Sequence[str], hidden: Sequence[str]) -> str:
    """In the fork server, once: the part of every worker's root that is the same, ready-made.

    The server moves into a mount namespace of its own (host mounts still reach it; its own
    never reach the host) and fills a tmpfs on a fresh empty folder, then makes it read-only.
    Each worker's mount namespace is a copy of the server's, so a worker only mounts its own
    scratch /tmp and /submission on top (:func:`enter_template`): ~1.4 ms instead of ~3.4 ms
    for the whole root. Returns the folder; :func:`remove_template` when the server exits.
    """
    _checked(_libc.unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)")
    _mount(None, "/", None, MS_REC | MS_SLAVE)
    template = tempfile.mkdtemp(prefix="learn-root-")
    try:
        _mount("learn-root", template, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
        _fill_root(template, visible, hidden)
        for folder in ("/tmp", SUBMISSION):
            os.makedirs(template + folder, exist_ok=True)  # /tmp may exist: a virtualenv under /tmp is bound there
        _mount(None, template, None, MS_REC | MS_PRIVATE)
        _mount(None, template, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)  # the tmpfs itself: no writes, even by root
    except OSError:
        remove_template(template)
        raise
    return template


def enter_root(template: str | None, visible: Sequence[str], hidden: Sequence[str], source: bytes, name: str,
               size: int, owner: tuple[int, int] | None, new_network: bool = True) -> None:
    """In a freshly forked worker: new namespaces (:func:`enter`), then chroot into TEMPLATE
    with its own scratch and submission on top, or into a whole root built here without one."""
    enter(new_network)
    if template is not None:
        enter_template(template, visible, hidden, source, name, size, owner)
    else:
        build_root(visible, hidden, source, name, size, owner)


def enter_template(template: str, visible: Sequence[str], hidden: Sequence[str], source: bytes, name: str,
                   size: int, owner: tuple[int, int] | None) -> None:
    """In a worker, after :func:`enter`: chroot into TEMPLATE with a fresh scratch /tmp of at
    most SIZE bytes owned by OWNER and SOURCE as /submission/NAME, both tmpfs of its own."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)  # nothing we mount leaks anywhere
    ids = f",uid={owner[0]},gid={owner[1]}" if owner and os.geteuid() == 0 else ""
    _mount("learn-scratch", template + "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, f"size={size},mode=0700{ids}")
    # the scratch hides what the template bound under /tmp (a virtualenv there): bound again on top
    _bind_visible(template, [p for p in visible if p.startswith("/tmp/")], hidden)
    _mount("learn-submission", template + SUBMISSION, "tmpfs", MS_NOSUID | MS_NODEV,
           f"size={len(source) + 65536},mode=0755")
    _put_submission(template, source, name)
    _mount(None, template + SUBMISSION, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    os.chroot(template)
    os.chdir("/tmp")


def _put_submission(root: str, source: bytes, name: str) -> None:
    """SOURCE as ROOT/submission/NAME, read-only, in a folder nobody can add to."""
    with open(f"{root}{SUBMISSION}/{name}", "wb") as handle:
        handle.write(source)
    os.chmod(f"{root}{SUBMISSION}/{name}", 0o444)
    os.chmod(root + SUBMISSION, 0o555)


def remove_template(template: str) -> None:
    """The server is exiting: detach the template and remove its (empty, on the host) folder."""
    try:
        _checked(_libc.umount2(template.encode(), MNT_DETACH), f"umount {template}")
        os.rmdir(template)
    except OSError:
        pass  # an empty folder in /tmp is all that is left


def build_root(visible: Sequence[str], hidden: Sequence[str], source: bytes, name: str, size: int,
               owner: tuple[int, int] | None) -> None:
    """Chroot into a fresh tmpfs holding VISIBLE (read-only, HIDDEN masked), the devices, a
    scratch /tmp of at most SIZE bytes owned by OWNER, and SOURCE as /submission/NAME.
    (Where no template could be built; also what the layer probe checks.)"""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)  # nothing we mount leaks back to the host
    root = _mount_base(visible)
    _mount("learn-worker", root, "tmpfs", MS_NOSUID | MS_NODEV, f"size={size},mode=0755")
    _fill_root(root, visible, hidden)
    os.makedirs(root + "/tmp", exist_ok=True)  # it may exist: a virtualenv under /tmp is bound there
    os.chmod(root + "/tmp", 0o700)
    os.makedirs(root + SUBMISSION)
    _put_submission(root, source, name)
    if owner and os.geteuid() == 0:
        os.chown(root + "/tmp", *owner)
    os.chroot(root)
    os.chdir("/tmp")
