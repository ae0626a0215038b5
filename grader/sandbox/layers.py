"""How a worker is confined: the strongest layer this machine allows, chosen once and reported.

The fork server calls :func:`start_worker` for every student file. The forked child reads the
submission (refusing symbolic links), then confines itself, in this order, before a line of
student code runs:

``namespaces`` (Linux, as root; probed once per fork server by :func:`isolation`):
    the worker is forked as PID 1 of a new PID namespace (killing it, as the grader does on
    timeout, kills everything it started) and enters new mount, network, IPC and UTS
    namespaces; it chroots into a tmpfs with read-only binds of the Python installation and
    the grader package (``_course`` masked), a copy of the submission at
    ``/submission/<file>``, a scratch ``/tmp`` and four devices (see :mod:`grader.sandbox.namespaces`).
    The course's solutions, results folders, other students and ``/proc`` do not exist in
    there; the only network interface is a loopback that is down. Then it drops to ``nobody``.
``process`` (everywhere else):
    a new session (the grader kills the whole group), a fresh scratch folder as cwd.

Both layers then apply hard rlimits (CPU, address space, file size, open files, no core
dumps, no new processes once unprivileged), keep the scrubbed environment of the fork server,
close stdin, send stdout/stderr to /dev/null (the worker captures ``print`` itself), and
install the :mod:`grader.sandbox.guard` audit hook just before the student's file is imported.
"""
from __future__ import annotations

import atexit
import functools
import os
import pwd
import resource
import signal
import socket
import sys
import tempfile
import time
from pathlib import Path

from grader.sandbox import guard, namespaces, scratch
from grader.sandbox.limits import Limits
from grader.sandbox.namespaces import SUBMISSION
from grader.storage import read_regular_file

NAMESPACE_FAILED = 97  # exit status of a worker whose namespace setup failed after the probe passed


def confine(limits: Limits) -> None:
    """Apply the limits to the current (child) process. Irreversible by design."""
    rules = [(resource.RLIMIT_CPU, limits.cpu_seconds), (resource.RLIMIT_AS, limits.memory_bytes),
             (resource.RLIMIT_FSIZE, limits.file_bytes), (resource.RLIMIT_NOFILE, limits.open_files),
             (resource.RLIMIT_CORE, 0)]
    if os.geteuid() != 0:  # root ignores RLIMIT_NPROC; set it only once it binds
        rules.append((resource.RLIMIT_NPROC, limits.processes))
    for which, value in rules:
        resource.setrlimit(which, (value, value))


# --- what the worker may see --------------------------------------------------------------------

def _grader_dir() -> str:
    return str(Path(__file__).resolve().parents[1])  # the grader package, not this subpackage


@functools.cache  # computed once in the fork server, before it forks (each call is dozens of stats)
def visible_paths() -> tuple[str, ...]:
    """Python's installation and the grader package; never the checkout the grader sits in."""
    checkout = str(Path(_grader_dir()).parent)
    candidates = [sys.prefix, sys.base_prefix, sys.exec_prefix, _grader_dir()]
    candidates += [p for p in sys.path if p and p != checkout]
    real = sorted({os.path.realpath(p) for p in candidates if os.path.isdir(p)} - {"/", "/tmp"}, key=len)
    kept: list[str] = []
    for path in real:  # drop paths already inside a kept one
        if not any(path.startswith(k.rstrip("/") + "/") for k in kept):
            kept.append(path)
    return tuple(kept)


@functools.cache
def hidden_paths() -> tuple[str, ...]:
    """The course shipped inside the package: its solutions must never be readable."""
    return (os.path.join(_grader_dir(), "_course"),)


@functools.cache
def _nobody() -> tuple[int, int] | None:
    try:
        entry = pwd.getpwnam("nobody")
    except KeyError:
        return None
    return entry.pw_uid, entry.pw_gid


@functools.cache
def _world_readable(path: str) -> bool:
    """Can an unprivileged user reach PATH (every folder on the way searchable by others)?"""
    parts = Path(path).resolve().parts
    return all(os.stat(os.path.join(*parts[:i + 1])).st_mode & 0o005 == 0o005 for i in range(len(parts)))


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
        # Bounded (grader.sandbox.scratch): a student's tree is removed over several sweeps if it must.
        deadline = time.monotonic() + (scratch.EXIT_SECONDS if everything else scratch.SWEEP_SECONDS)
        for pid, folder in list(self.by_pid.items()):
            if not everything:
                try:
                    os.kill(pid, 0)
                    continue  # still running
                except ProcessLookupError:
                    pass
                except PermissionError:
                    continue
            if scratch.remove_tree(folder, deadline):
                del self.by_pid[pid]


_scratch = ScratchFolders()


def remove_scratch_folders() -> None:
    """The fork server is exiting: its workers' scratch folders go with it (and the template)."""
    _scratch.sweep(everything=True)
    if _template is not None:
        namespaces.remove_template(_template)


_template: str | None = None  # the read-only part of every worker's root, built once per server


def prepare() -> None:
    """In the fork server, before it serves: probe the layer and build the workers' template
    root, so neither happens while a grader waits for its first worker."""
    global _template
    if isolation()[0] == "namespaces" and _template is None:
        try:
            _template = namespaces.build_template(visible_paths(), hidden_paths())
        except OSError:
            _template = None  # each worker builds its whole root, as the probe did


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
        pid = namespaces.fork_into_new_pid_namespace()
        if pid == 0:
            try:
                _enter_root(b"", "probe.py", Limits(), _nobody())
                _drop_privileges(_nobody())
                import numpy  # noqa: F401  (already loaded: this only proves the root is usable)
                os._exit(0 if os.getuid() != 0 and os.getpid() == 1 else 1)
            except BaseException:
                os._exit(1)
        _, status = os.waitpid(pid, 0)
    except OSError as exc:
        return "process", f"creating a PID namespace failed ({exc.strerror})"
    finally:
        signal.signal(signal.SIGCHLD, previous)
    if os.waitstatus_to_exitcode(status) != 0:
        return "process", "creating mount/network namespaces failed (a container without CAP_SYS_ADMIN?)"
    try:
        namespaces.become_subreaper()
    except OSError:
        pass
    return "namespaces", "mount, network, PID, IPC and UTS namespaces; chroot; uid nobody"


def _enter_root(source: bytes, name: str, limits: Limits, owner: tuple[int, int] | None,
                new_network: bool = True) -> None:
    namespaces.enter(new_network)
    if _template is not None:
        namespaces.enter_template(_template, visible_paths(), hidden_paths(), source, name, limits.scratch_bytes, owner)
    else:
        namespaces.build_root(visible_paths(), hidden_paths(), source, name, limits.scratch_bytes, owner)


def _read_submission(student_file: Path) -> bytes:
    """The student's file, refusing links: a link could point at the reference."""
    for path in (student_file, student_file.parent):
        if path.is_symlink():
            raise PermissionError(f"{student_file.name}: {path.name} is a symbolic link; "
                                  "submit a regular file")
    source = read_regular_file(student_file, 8 * 1024 ** 2, follow_symlinks=False)  # a named pipe must not block the server
    if source is None:
        raise PermissionError(f"{student_file.name} is not a regular file; submit a regular file")
    return source


def _refuse(sock: socket.socket, exc: BaseException) -> None:
    from grader.sandbox import channel
    info = {"type": type(exc).__name__, "mro": [f"builtins.{type(exc).__name__}", "builtins.Exception"],
            "message": str(exc)[:500], "frames": []}
    channel.send(sock, {"import_error": info, "output": {"text": "", "dropped": 0}})


def start_worker(channel_fd: int, student_file: Path, limits: Limits, cpus: list[int] | None = None,
                 network: int | None = None, standby: bool = False) -> int:
    """Fork a confined worker serving STUDENT_FILE on CHANNEL_FD; return its (outer) pid.
    CPUS pins the worker (see client.ForkClient). NETWORK, a file descriptor from
    namespaces.new_network_namespace, is the network namespace it joins (else it gets a new one).
    STANDBY: confined now, it imports the student's file only when its grader says go
    (see server.Standby)."""
    layer, _why = isolation()
    owner = _nobody()
    from grader.sandbox import worker  # the worker's own imports happen before any confinement
    nobody_runs_python = all(_world_readable(p) for p in visible_paths())  # cached here, inherited by the child
    scratch = _scratch.create() if layer == "process" else "/tmp"
    server = os.getpid()
    try:  # read here, where the code is warm: the first run of it in a fresh child costs ~0.5 ms
        source, refused = _read_submission(student_file), None
    except OSError as exc:
        source, refused = b"", exc
    pid = namespaces.fork_into_new_pid_namespace() if layer == "namespaces" else os.fork()
    if pid:
        if layer == "process":
            _scratch.track(pid, scratch)
        return pid
    try:
        os.setsid()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        if layer == "namespaces" and network is not None:
            try:
                namespaces.join_network(network)  # before its descriptor is closed below
            except OSError:
                os._exit(NAMESPACE_FAILED)
        if cpus:
            try:
                os.sched_setaffinity(0, cpus)
            except (OSError, ValueError):
                pass  # a CPU that went offline: run unpinned, merely slower
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        # Nothing but the channel survives: an inherited control socket would let the student
        # forge the fork server's answers (a fake pid the grader would later kill).
        os.closerange(3, channel_fd)
        os.closerange(channel_fd + 1, resource.getrlimit(resource.RLIMIT_NOFILE)[0])
        sock = socket.socket(fileno=channel_fd)
        if refused is not None:
            _refuse(sock, refused)
            os._exit(0)
        if layer == "namespaces":
            try:
                _enter_root(source, student_file.name, limits, owner, new_network=network is None)
            except OSError:
                os._exit(NAMESPACE_FAILED)  # never fall back silently to a weaker layer
            file = Path(SUBMISSION) / student_file.name
            readable = [*visible_paths(), SUBMISSION]
        else:
            # A copy, as in the namespace layer: the student's folder may be unreadable to
            # nobody, and the worker needs nothing else from it.
            file = Path(scratch) / student_file.name
            file.write_bytes(source)
            file.chmod(0o444)
            # Drop to nobody only if nobody can still run Python: a venv's prefix may be
            # readable while the interpreter it links to (base_prefix) is not.
            if owner and os.geteuid() == 0 and nobody_runs_python:
                os.chown(scratch, *owner)
            else:
                owner = None
            os.chdir(scratch)
            readable = list(visible_paths())
        _drop_privileges(owner)
        namespaces.die_with_parent(server if layer == "process" else None)
        confine(limits)
        os.environ.update({"TMPDIR": scratch, "HOME": scratch})
        guard.install(scratch, readable, hidden_paths())
        worker.serve(sock, file, source, wait_for_go=standby)
    finally:
        os._exit(0)
