"""How a worker is confined: the strongest layer this machine allows, chosen once and reported.

The fork server calls :func:`start_worker` for every student file. The forked child reads the
submission (refusing symbolic links), then confines itself, in this order, before a line of
student code runs:

``namespaces`` (Linux, as root; probed once per fork server by :func:`isolation`):
    new mount, network, PID, IPC and UTS namespaces. The child forks again so the worker is
    PID 1 of its own PID namespace: when it dies, everything it started dies with it, and the
    outer child (which the grader kills on timeout) takes it down through PR_SET_PDEATHSIG.
    The worker then chroots into a fresh tmpfs holding read-only binds of the Python
    installation and the grader package (the course's ``_course`` folder masked), a copy of
    the submission at ``/submission/<file>`` (read-only), a scratch ``/tmp`` and four
    devices. The course's solutions, results folders, other students and ``/proc`` do not
    exist in there, and the network namespace has no interface but a loopback that is down.
    Then it drops to ``nobody``.
``process`` (everywhere else):
    a new session (the grader kills the whole group), a fresh scratch folder as cwd.

Both layers then apply hard rlimits (CPU, address space, file size, open files, no core
dumps, no new processes once unprivileged), keep the scrubbed environment of the fork server,
close stdin, send stdout/stderr to /dev/null (the worker captures ``print`` itself), and
install the :mod:`grader.guard` audit hook just before the student's file is imported.
"""
from __future__ import annotations

import atexit
import ctypes
import os
import pwd
import resource
import shutil
import signal
import socket
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from grader import guard

ISOLATION = "process"  # the floor; ForkServer reports what the server actually achieved

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWPID, CLONE_NEWNET = 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 2, 4, 32, 4096, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_SET_CHILD_SUBREAPER = 1, 36
DEVICES = ("null", "zero", "urandom", "random")
SUBMISSION = "/submission"
MOUNT_BASES = ("/mnt", "/media", "/srv", "/opt", "/var/tmp", "/tmp")
NAMESPACE_FAILED = 97  # exit status of a worker whose namespace setup failed after the probe passed


@dataclass(frozen=True)
class Limits:
    cpu_seconds: int = 120            # the whole worker; the per-call limit is wall clock
    memory_bytes: int = 2 * 1024 ** 3  # address space: numpy arrays past this raise MemoryError
    file_bytes: int = 1024 ** 2
    open_files: int = 64
    processes: int = 1                # once unprivileged: no fork, no thread
    scratch_bytes: int = 16 * 1024 ** 2

    def as_dict(self) -> dict:
        return asdict(self)


def confine(limits: Limits) -> None:
    """Apply the limits to the current (child) process. Irreversible by design."""
    rules = [(resource.RLIMIT_CPU, limits.cpu_seconds), (resource.RLIMIT_AS, limits.memory_bytes),
             (resource.RLIMIT_FSIZE, limits.file_bytes), (resource.RLIMIT_NOFILE, limits.open_files),
             (resource.RLIMIT_CORE, 0)]
    if os.geteuid() != 0:  # root ignores RLIMIT_NPROC; set it only once it binds
        rules.append((resource.RLIMIT_NPROC, limits.processes))
    for which, value in rules:
        resource.setrlimit(which, (value, value))


# --- the libc calls Python does not wrap (grader side: ctypes is fine here) -------------------

_libc = ctypes.CDLL(None, use_errno=True)


def _checked(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    enc = lambda s: None if s is None else s.encode()  # noqa: E731
    _checked(_libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)),
             f"mount {target}")


def _prctl(option: int, value: int) -> None:
    _checked(_libc.prctl(option, ctypes.c_ulong(value), 0, 0, 0), f"prctl {option}")


# --- what the worker may see --------------------------------------------------------------------

def _grader_dir() -> str:
    return str(Path(__file__).resolve().parent)


def visible_paths() -> list[str]:
    """Python's installation and the grader package; never the checkout the grader sits in."""
    checkout = str(Path(_grader_dir()).parent)
    candidates = [sys.prefix, sys.base_prefix, sys.exec_prefix, _grader_dir()]
    candidates += [p for p in sys.path if p and p != checkout]
    real = sorted({os.path.realpath(p) for p in candidates if os.path.isdir(p)} - {"/", "/tmp"}, key=len)
    kept: list[str] = []
    for path in real:  # drop paths already inside a kept one
        if not any(path.startswith(k.rstrip("/") + "/") for k in kept):
            kept.append(path)
    return kept


def hidden_paths() -> list[str]:
    """The course shipped inside the package: its solutions must never be readable."""
    return [os.path.join(_grader_dir(), "_course")]


def _nobody() -> tuple[int, int] | None:
    try:
        entry = pwd.getpwnam("nobody")
    except KeyError:
        return None
    return entry.pw_uid, entry.pw_gid


def _world_readable(path: str) -> bool:
    """Can an unprivileged user reach PATH (every folder on the way searchable by others)?"""
    parts = Path(path).resolve().parts
    return all(os.stat(os.path.join(*parts[:i + 1])).st_mode & 0o005 == 0o005 for i in range(len(parts)))


# --- the namespace layer ------------------------------------------------------------------------

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


def _build_root(source: bytes, name: str, limits: Limits, owner: tuple[int, int] | None) -> None:
    """Chroot into a fresh tmpfs that holds only what the worker needs (current mount namespace)."""
    visible = visible_paths()
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    root = _mount_base(visible)
    _mount("learn-worker", root, "tmpfs", MS_NOSUID | MS_NODEV, f"size={limits.scratch_bytes},mode=0755")
    for link in ("/bin", "/lib", "/lib64", "/sbin"):
        if os.path.islink(link):
            os.symlink(os.readlink(link), root + link)
    for path in ["/usr", "/etc/ld.so.cache"] + visible:
        if os.path.exists(path):
            _bind(path, root)
    for path in hidden_paths():
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


def _enter_namespaces() -> None:
    _checked(_libc.unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS), "unshare")


def _supervise(child: int) -> None:
    """The outer process of a namespaced worker: wait for it, then leave with its status."""
    while True:
        try:
            _, status = os.waitpid(child, 0)
        except ChildProcessError:
            os._exit(0)
        except InterruptedError:
            continue
        os._exit(os.waitstatus_to_exitcode(status) & 0xFF)


def _drop_privileges(owner: tuple[int, int] | None) -> None:
    if os.geteuid() == 0 and owner is not None:
        os.setgroups([])
        os.setgid(owner[1])
        os.setuid(owner[0])


class ScratchFolders:
    """The process layer's scratch folders, removed by the server once their worker is gone."""

    def __init__(self) -> None:
        self.by_pid: dict[int, str] = {}
        self.registered = False

    def create(self) -> str:
        if not self.registered:
            self.registered = atexit.register(self.sweep, everything=True) is not None
        self.sweep()
        return tempfile.mkdtemp(prefix="learn-worker-")

    def track(self, pid: int, folder: str) -> None:
        self.by_pid[pid] = folder

    def sweep(self, everything: bool = False) -> None:
        for pid, folder in list(self.by_pid.items()):
            if not everything:
                try:
                    os.kill(pid, 0)
                    continue  # still running
                except ProcessLookupError:
                    pass
                except PermissionError:
                    continue
            shutil.rmtree(folder, ignore_errors=True)
            del self.by_pid[pid]


_scratch = ScratchFolders()
_chosen: tuple[str, str] | None = None


def isolation() -> tuple[str, str]:
    """(layer, why): probed once per process by starting a namespaced child that does nothing."""
    global _chosen
    if _chosen is None:
        _chosen = _probe()
    return _chosen


def _probe() -> tuple[str, str]:
    if os.environ.get("LEARN_SANDBOX") == "process":
        return "process", "LEARN_SANDBOX=process asked for the process layer only"
    if not sys.platform.startswith("linux"):
        return "process", "namespaces need Linux"
    if os.geteuid() != 0:
        return "process", "namespaces need root here (unprivileged user namespaces are not used)"
    if _nobody() is None:
        return "process", "there is no user 'nobody' to drop to"
    previous = signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    try:
        pid = os.fork()
        if pid == 0:
            try:
                _enter_namespaces()
                inner = os.fork()
                if inner:
                    _supervise(inner)
                _build_root(b"", "probe.py", Limits(), _nobody())
                _drop_privileges(_nobody())
                import numpy  # noqa: F401  (already loaded: this only proves the root is usable)
                os._exit(0 if os.getuid() != 0 else 1)
            except BaseException:
                os._exit(1)
        _, status = os.waitpid(pid, 0)
    finally:
        signal.signal(signal.SIGCHLD, previous)
    if os.waitstatus_to_exitcode(status) != 0:
        return "process", "creating mount/network/PID namespaces failed (a container without CAP_SYS_ADMIN?)"
    try:
        _prctl(PR_SET_CHILD_SUBREAPER, 1)  # orphaned workers are reaped by the server, not left as zombies
    except OSError:
        pass
    return "namespaces", "mount, network, PID, IPC and UTS namespaces; chroot; uid nobody"


def _read_submission(student_file: Path) -> bytes:
    """The student's file, refusing links: a link could point at the reference."""
    for path in (student_file, student_file.parent):
        if path.is_symlink():
            raise PermissionError(f"{student_file.name}: {path.name} is a symbolic link; "
                                  "submit a regular file")
    fd = os.open(student_file, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as handle:
        return handle.read(8 * 1024 ** 2)


def _refuse(sock: socket.socket, exc: BaseException) -> None:
    from grader import channel
    info = {"type": type(exc).__name__, "mro": [f"builtins.{type(exc).__name__}", "builtins.Exception"],
            "message": str(exc)[:500], "frames": []}
    channel.send(sock, {"import_error": info, "output": {"text": "", "dropped": 0}})


def start_worker(channel_fd: int, student_file: Path, limits: Limits) -> int:
    """Fork a confined worker serving STUDENT_FILE on CHANNEL_FD; return its (outer) pid."""
    layer, _why = isolation()
    owner = _nobody()
    from grader import worker  # the worker's own imports happen before any confinement
    scratch = _scratch.create() if layer == "process" else "/tmp"
    pid = os.fork()
    if pid:
        if layer == "process":
            _scratch.track(pid, scratch)
        return pid
    try:
        os.setsid()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        # Nothing but the channel survives: an inherited control socket would let the student
        # forge the fork server's answers (a fake pid the grader would later kill).
        os.closerange(3, channel_fd)
        os.closerange(channel_fd + 1, resource.getrlimit(resource.RLIMIT_NOFILE)[0])
        sock = socket.socket(fileno=channel_fd)
        try:
            source = _read_submission(student_file)
        except OSError as exc:
            _refuse(sock, exc)
            os._exit(0)
        if layer == "namespaces":
            try:
                _enter_namespaces()
                inner = os.fork()
                if inner:
                    sock.close()  # the grader must see EOF the moment the worker dies
                    _supervise(inner)
                _build_root(source, student_file.name, limits, owner)
            except OSError:
                os._exit(NAMESPACE_FAILED)  # never fall back silently to a weaker layer
            file = Path(SUBMISSION) / student_file.name
            readable = visible_paths() + [SUBMISSION]
        else:
            if owner and os.geteuid() == 0 and _world_readable(sys.prefix):
                os.chown(scratch, *owner)
            else:
                owner = None
            os.chdir(scratch)
            file = student_file
            readable = visible_paths() + [str(student_file.parent)]
        _drop_privileges(owner)
        if layer == "namespaces":
            _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # after the uid change, which clears it
        confine(limits)
        os.environ.update({"TMPDIR": scratch, "HOME": scratch})
        guard.install(scratch, readable, hidden_paths())
        worker.serve(sock, file)
    finally:
        os._exit(0)
