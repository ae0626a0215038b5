"""How a worker is confined: the strongest layer this machine allows, chosen once and reported.

The fork server calls :func:`start_worker` for every student file. The forked child reads the
submission (refusing symbolic links), then confines itself, in this order, before a line of
student code runs:

``namespaces`` (Linux, as root, or without root in a user namespace of the server's own;
probed once per fork server by :func:`isolation`):
    the worker is forked as PID 1 of a new PID namespace (killing it, as the grader does on
    timeout, kills everything it started) and enters new mount, network, IPC and UTS
    namespaces; it chroots into a tmpfs with read-only binds of ``/usr``, the Python
    installation and the grader package (every hidden folder masked:
    :mod:`grader.sandbox.visibility`), a copy of the submission at ``/submission/<file>``, a
    scratch ``/tmp`` and four devices (see :mod:`grader.sandbox.namespaces`). The course's
    solutions, results folders, other students and ``/proc`` do not exist in there; the only
    network interface is a loopback that is down. Then it drops to ``nobody`` (as root), or
    empties every capability set (in the user namespace: :mod:`grader.sandbox.userns`).
``process`` (everywhere else):
    a new session (the grader kills the whole group), a fresh scratch folder as cwd, and, where
    the kernel has Landlock (:mod:`grader.sandbox.landlock`), the kernel's own path, TCP and
    signal policy; as root, uid ``nobody``.

Both layers then apply hard rlimits (CPU, address space, file size, open files, no core
dumps, no new processes once unprivileged), keep the scrubbed environment of the fork server,
close stdin, send stdout/stderr to /dev/null (the worker captures ``print`` itself), and
install the :mod:`grader.sandbox.guard` audit hook just before the student's file is imported.
"""
from __future__ import annotations

import atexit
import os
import resource
import signal
import socket
import tempfile
import time
from pathlib import Path

from grader.sandbox import guard, landlock, namespaces, probe, scratch, shield, userns
from grader.sandbox.limits import Limits
from grader.sandbox.namespaces import SUBMISSION
from grader.sandbox.probe import isolation
from grader.sandbox.visibility import hidden_paths, inside, visible_paths, world_readable
from grader.storage import linked_part, read_regular_file

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
        if everything and self.by_pid:  # the server is exiting: the rest is removed without us
            scratch.remove_detached(list(self.by_pid.values()))
            self.by_pid.clear()


_scratch = ScratchFolders()


def remove_scratch_folders() -> None:
    """The fork server is exiting: its workers' scratch folders go with it (and the template)."""
    _scratch.sweep(everything=True)
    if _template is not None:
        namespaces.remove_template(_template)


_template: str | None = None  # the read-only part of every worker's root, built once per server


def prepare() -> None:
    """In the fork server, before it serves: probe the layer, move into the server's own user
    namespace if that is how namespaces are had here, make the server non-dumpable (a worker of
    the same user must not ptrace it), and build the workers' template root, so none of it
    happens while a grader waits for its first worker."""
    global _template
    layer, _why = isolation()
    if probe.mode() == "userns":
        userns.enter()  # from here on this process is PID 1 of the server's own namespaces
    shield.forbid_inspection()
    if layer == "namespaces" and _template is None:
        try:
            _template = namespaces.build_template(visible_paths(), hidden_paths())
        except OSError:
            _template = None  # each worker builds its whole root, as the probe did


def hide(paths: list[str]) -> list[str]:
    """Hide PATHS from every later worker (see visibility.hide); mask the ones the template
    shows. Returns the ones that needed a mask."""
    from grader.sandbox import visibility
    global _rules
    before = hidden_paths()
    masked = visibility.hide(paths)
    if _rules is not None and hidden_paths() != before:  # Landlock's rules are split around them anew
        _rules.close()
        _rules = None
    if _template is not None and masked:
        # the new masks may cover older ones that a folder bound again inside them shows anew
        namespaces.mask(_template, [h for h in hidden_paths() if inside(h, masked)], visible_paths())
    return masked


def outer_pid(pid: int) -> int:
    """The pid the grader knows a worker by (the host's, when the server has a PID namespace of its own)."""
    return userns.host_pid(pid) if probe.mode() == "userns" else pid


_rules: landlock.Rules | None = None


def _landlock_rules() -> landlock.Rules | None:
    """The process layer's Landlock rules, prepared in the server once (again after a hide)."""
    global _rules
    version = probe.landlock_version()
    if version and _rules is None:
        from grader.sandbox.visibility import landlock_readable
        _rules = landlock.Rules(landlock_readable(), version)
    return _rules


def _read_submission(student_file: Path) -> bytes:
    """The student's file, refusing links: a link could point at the reference."""
    linked = linked_part(student_file)
    if linked is not None:
        raise PermissionError(f"{student_file.name}: {linked.name} is a symbolic link; submit a regular file")
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
    """Fork a confined worker serving STUDENT_FILE on CHANNEL_FD; return its pid (in the server's
    PID namespace: :func:`outer_pid` for the grader's). CPUS pins the worker (see
    client.ForkClient). NETWORK, a file descriptor from namespaces.new_network_namespace, is the
    network namespace it joins (else it gets a new one). STANDBY: confined now, it imports the
    student's file only when its grader says go (see server.Standby)."""
    layer, _why = isolation()
    rootless = probe.mode() == "userns"
    owner = probe.nobody() if not rootless else None
    from grader.sandbox import worker  # the worker's own imports happen before any confinement
    nobody_runs_python = all(world_readable(p) for p in visible_paths())  # cached here, inherited by the child
    scratch = _scratch.create() if layer == "process" else "/tmp"
    rules = _landlock_rules() if layer == "process" else None
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
        if rules is not None:
            rules.restrict(scratch)  # before its descriptors are closed below
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
                namespaces.enter_root(_template, visible_paths(), hidden_paths(), source, student_file.name,
                                      limits.scratch_bytes, owner, new_network=network is None)
                probe.lose_privileges(rootless)
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
            probe.drop_privileges(owner)
            if os.geteuid() == 0:  # root still (nobody could not run this Python): no capability at all
                userns.drop_capabilities()
        namespaces.die_with_parent(server if layer == "process" else None)
        confine(limits)
        os.environ.update({"TMPDIR": scratch, "HOME": scratch})
        guard.install(scratch, readable, hidden_paths(), native=visible_paths())
        worker.serve(sock, file, source, wait_for_go=standby)
    finally:
        os._exit(0)
