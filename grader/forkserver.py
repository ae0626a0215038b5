"""A warm process that forks one worker per student file.

The server is started with a scrubbed environment before the grader loads anything of the
course, imports numpy once, and then forks workers on request, so isolation costs a fork, not
a Python start-up. Requests arrive on a SOCK_SEQPACKET socket together with the worker's end
of a fresh socket pair (SCM_RIGHTS); the server answers with the worker's pid. The server
never sees the hidden tests or the reference: it is a clean interpreter.
"""
from __future__ import annotations

import json
import os
import select
import selectors
import signal
import socket
import subprocess
import sys
import time
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from grader import sandbox
# The sandbox modules are imported where used, by the server: `learn grade-all` starts its
# server before anything else loads (grader.launcher), and the client side needs neither.

# needed on some CPUs, or the operator forcing a layer (LEARN_SANDBOX=process); none is secret
PASSED_THROUGH_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "LEARN_SANDBOX")
MAX_FDS = 64  # per request: a standby request brings one channel per worker (batch.STANDBY_WORKERS)


def worker_environment() -> dict[str, str]:
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
        "HOME": "/nonexistent", "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1",
        "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
    }
    env.update({k: os.environ[k] for k in PASSED_THROUGH_ENV if k in os.environ})
    return env


def serve(control_fd: int) -> None:
    """The server's main loop (runs in the fork server process).

    CONTROL_FD belongs to the process that started the server; it may hand over more control
    sockets ("lanes", one per grading process of ``learn grade-all``), each served alike. The
    server exits when the starter's socket closes.
    """
    from grader import sandbox
    import numpy  # noqa: F401  (warm: every worker inherits it)
    import numpy.linalg  # noqa: F401  numpy imports these lazily: once here, not once per worker
    import numpy.random  # noqa: F401  (~15 ms each time a worker first touched np.random)
    from grader import worker
    worker.warm_up()  # before the first fork: every worker inherits the specialized code
    sandbox.prepare()  # the layer probed (a fork, ~10 ms) and the workers' root built now, not when a worker is due
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # workers are reaped automatically
    starter = socket.socket(fileno=control_fd)
    lanes = selectors.DefaultSelector()
    lanes.register(starter, selectors.EVENT_READ)
    while True:
        events = lanes.select(0 if _standby.queue else None)
        if not events:  # nothing asked of the server right now: fork the next standby worker
            _standby.start_next()
            continue
        for key, _mask in events:
            control: socket.socket = key.fileobj  # type: ignore[assignment]
            try:
                data, fds, _flags, _addr = socket.recv_fds(control, 65536, MAX_FDS)
            except OSError:
                data, fds = b"", []
            if not data:
                if control is starter:  # done: skip the interpreter's slow teardown (~30 ms with numpy)
                    sandbox.remove_scratch_folders()
                    os._exit(0)
                lanes.unregister(control)
                network = _networks.pop(control.fileno(), None)
                if network is not None:
                    os.close(network)
                control.close()
                continue
            lane = _answer(control, json.loads(data), fds)
            if lane is not None:
                lanes.register(lane, selectors.EVENT_READ)


# control socket (fd) -> the network namespace its workers join: one per client, so the workers
# of one grading process share one, one after another, and concurrent ones never do
_networks: dict[int, int] = {}


def _network_of(control: socket.socket) -> int | None:
    from grader import namespaces, sandbox
    if sandbox.isolation()[0] != "namespaces":
        return None
    if control.fileno() not in _networks:
        try:
            _networks[control.fileno()] = namespaces.new_network_namespace()
        except OSError:
            return None  # each worker makes its own, or fails to and is refused, as before
    return _networks[control.fileno()]


def _answer(control: socket.socket, request: dict, fds: list[int]) -> socket.socket | None:
    """Answer one request on CONTROL; return a new lane to serve, if that was the request."""
    from grader import sandbox
    lane = None
    if "standby" in request:  # unanswered: the starter goes on loading while these are forked
        _standby.enqueue(request, fds)
        return None
    try:
        if request.get("query") == "isolation":  # what the sandbox really achieves here
            layer, why = sandbox.isolation()
            answer: dict[str, Any] = {"isolation": layer, "why": why}
        elif request.get("query") == "lane":
            _standby.stop()  # grading begins: from now on the CPUs are the lanes'
            lane, fds = socket.socket(fileno=fds[0]), fds[1:]
            answer = {"lane": True}
        else:
            _standby.stop()
            cpus = request.get("cpus") or None
            limits = sandbox.Limits(**request["limits"])
            answer = _standby.adopt(request.get("standby_for"), limits, cpus) or {
                "pid": sandbox.start_worker(fds[0], Path(request["file"]), limits, cpus, _network_of(control))}
    except Exception as exc:  # report, keep serving
        answer = {"error": f"{type(exc).__name__}: {exc}"}
    finally:
        for fd in fds:
            os.close(fd)
    try:
        control.send(json.dumps(answer).encode())
    except OSError:
        pass  # that client died meanwhile (a killed grading process): the others keep their server
    return lane


class Standby:
    """Workers forked ahead of need, while the starter is still loading the course.

    ``learn grade-all`` spends its first few hundred milliseconds importing pytest, numpy and the
    hidden tests in one process; the server, ready sooner, would sit idle on the other CPUs. The
    starter names the first student files it will grade; the server forks and confines a worker
    for each, but only when no request is waiting, and only until the first lane opens. Each
    such worker stops before importing the student's file and waits for its grader's ``go``:
    no student code runs before a grader is there to bound it. Each has a network namespace
    of its own (two of them may later run side by side). A grader that asks for a worker for
    one of these files adopts it: it is pinned to that grader's CPU and its pid is answered on
    the control socket, never taken from the worker's own channel. Workers never adopted die
    with the server.
    """

    def __init__(self) -> None:
        self.queue: deque[tuple[str, int]] = deque()   # (student file, the worker's end of its channel)
        self.ready: dict[str, tuple[int, int]] = {}    # student file -> (pid, pidfd)
        self.cpus: set[int] | None = None              # where standby workers run: not the starter's CPU
        self.own_cpus: set[int] | None = None          # the server's affinity before it moved there
        self.accepting = True

    def enqueue(self, request: dict, fds: list[int]) -> None:
        files = request.get("standby")
        if not self.accepting or not isinstance(files, list) or len(files) != len(fds) \
                or not hasattr(os, "pidfd_open"):
            for fd in fds:  # too late (a lane is open) or malformed: the grader spawns as usual
                os.close(fd)
            return
        self.cpus = set(request.get("cpus") or []) or None
        self.queue.extend(zip(map(str, files), fds))

    def start_next(self) -> None:
        from grader import sandbox
        file, fd = self.queue.popleft()
        try:
            if self.cpus and self.own_cpus is None:
                self.own_cpus = os.sched_getaffinity(0)
                os.sched_setaffinity(0, self.cpus)
            pid = sandbox.start_worker(fd, Path(file), sandbox.Limits(), sorted(self.cpus or ()) or None,
                                       standby=True)
        except Exception:  # noqa: BLE001  the grader will ask for this worker as usual
            return
        finally:
            os.close(fd)
        try:
            self.ready[file] = (pid, os.pidfd_open(pid))
        except OSError:  # a kernel without pidfds (before Linux 5.3): no standby workers here
            _kill_group(pid)
            self.stop()

    def stop(self) -> None:
        self.accepting = False
        while self.queue:
            os.close(self.queue.popleft()[1])  # its grader reads end-of-file: no standby worker
        if self.own_cpus is not None:
            os.sched_setaffinity(0, self.own_cpus)
            self.own_cpus = None

    def adopt(self, file: Any, limits: sandbox.Limits, cpus: list[int] | None) -> dict | None:
        """The answer to a spawn request for FILE if a standby worker serves it, else None."""
        from grader import sandbox
        entry = self.ready.pop(str(file), None) if file is not None else None
        if entry is None:
            return None
        pid, pidfd = entry
        try:
            exited = bool(select.select([pidfd], [], [], 0)[0])  # the pid may already be another process's
        finally:
            os.close(pidfd)
        if exited or limits != sandbox.Limits():
            if not exited:
                _kill_group(pid)
            return None
        if cpus:
            try:
                os.sched_setaffinity(pid, cpus)
            except OSError:
                pass  # it runs unpinned, merely slower
        return {"pid": pid, "standby": True}


def _kill_group(pid: int) -> None:
    """SIGKILL the worker PID and its process group (it called setsid)."""
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


_standby = Standby()


class WorkerDied(Exception):
    """The worker exited or broke the protocol."""


class WorkerTimedOut(Exception):
    """The worker did not answer within its time limit."""


class Worker:
    """The grader's handle on one worker process."""

    def __init__(self, pid: int, sock: socket.socket) -> None:
        self.pid, self.sock, self.alive = pid, sock, True

    def receive(self, timeout: float) -> dict:
        from grader import channel  # here, not at the top: starting a server must not wait for numpy
        try:
            reply = channel.recv(self.sock, timeout)
        except channel.ChannelTimeout:
            self.kill()
            raise WorkerTimedOut() from None
        except (channel.ChannelClosed, ValueError, OSError) as exc:
            self.kill()
            raise WorkerDied(str(exc) or type(exc).__name__) from None
        if not isinstance(reply, dict):
            self.kill()
            raise WorkerDied("the worker sent something that is not a reply")
        return reply

    def call(self, name: str, args: list, kwargs: dict, timeout: float) -> dict:
        """TIMEOUT bounds the whole call: sending the arguments, the work, the reply."""
        from grader import channel
        if not self.alive:
            raise WorkerDied("the worker is no longer running")
        deadline = time.monotonic() + timeout
        try:
            request = {"call": name, "args": args, "kwargs": kwargs} if kwargs else {"call": name, "args": args}
            channel.send(self.sock, request, timeout)
        except channel.ChannelTimeout:
            self.kill()
            raise WorkerTimedOut() from None
        except OSError as exc:
            self.kill()
            raise WorkerDied(str(exc)) from None
        return self.receive(max(deadline - time.monotonic(), 0.0))

    def kill(self) -> None:
        if self.alive:
            self.alive = False
            _kill_group(self.pid)
            self.sock.close()


class ForkClient:
    """One control socket to a fork server: asks it for workers, one request at a time.

    CPUS, when given, pins every worker of this client to those CPUs. ``learn grade-all`` pins
    each grading process and its workers to one CPU: a call into the worker is then a context
    switch on that CPU rather than a wake-up on another one (measured 3-5x cheaper on a 2-CPU VM).
    """

    def __init__(self, control: socket.socket, cpus: frozenset[int] | None = None,
                 standby: dict[str, socket.socket] | None = None) -> None:
        self._control, self.cpus = control, cpus
        self._isolation: tuple[str, str] | None = None
        # student file -> our end of the channel of a worker the server may have on standby for it
        self.standby: dict[str, socket.socket] = standby if standby is not None else {}

    @property
    def isolation(self) -> str:
        """The layer the server's workers actually run under (``namespaces`` or ``process``)."""
        return self._query_isolation()[0]

    @property
    def isolation_reason(self) -> str:
        return self._query_isolation()[1]

    def _query_isolation(self) -> tuple[str, str]:
        from grader.sandbox import ISOLATION
        if self._isolation is None:
            try:
                answer = self._request({"query": "isolation"})
                self._isolation = (str(answer.get("isolation", ISOLATION)), str(answer.get("why", "")))
            except (OSError, ValueError):
                return ISOLATION, "the fork server did not answer"
        return self._isolation

    def _request(self, request: dict, fds: tuple[int, ...] = ()) -> dict:
        socket.send_fds(self._control, [json.dumps(request).encode()], list(fds))
        answer = json.loads(self._control.recv(65536) or b"{}")
        return answer if isinstance(answer, dict) else {}

    def spawn(self, student_file: Path, limits: sandbox.Limits) -> Worker:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        request: dict[str, Any] = {"file": str(student_file), "limits": limits.as_dict()}
        if self.cpus:
            request["cpus"] = sorted(self.cpus)
        standby = self.standby.pop(str(student_file), None)
        if standby is not None:
            request["standby_for"] = str(student_file)  # adopted if the server has it ready
        try:
            answer = self._request(request, (theirs.fileno(),))
        finally:
            theirs.close()
        if not isinstance(answer.get("pid"), int) or answer["pid"] <= 1:  # never kill init or a group 0
            for sock in (ours, standby):
                if sock is not None:
                    sock.close()
            raise RuntimeError(f"the fork server could not start a worker: {answer.get('error', 'no answer')}")
        if not (answer.get("standby") and standby is not None):
            if standby is not None:
                standby.close()
            return Worker(int(answer["pid"]), ours)
        ours.close()  # unused: the server kept the fresh worker's end to itself and closed it
        worker = Worker(int(answer["pid"]), standby)
        from grader import channel, worker as worker_side
        try:
            channel.send(standby, worker_side.GO, 1.0)
        except (OSError, channel.ChannelTimeout):  # it died since the server looked: start one as usual
            worker.kill()
            return self.spawn(student_file, limits)
        return worker

    def close(self) -> None:
        """Hang up; the server forgets this client (and exits, if it was the starter's)."""
        self._query_isolation()  # results read it after close: ask while the server still listens
        self._control.close()

    def detach(self) -> None:
        """Drop this process's copy of the socket after a fork: the other process uses it."""
        self._control.close()


class ForkServer(ForkClient):
    """Start the server once, then ask it for workers (or for more clients: :meth:`open_lane`)."""

    def __init__(self) -> None:
        control, server_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        super().__init__(control)
        root = str(Path(__file__).resolve().parent.parent)
        bootstrap = (f"import sys; sys.path.insert(0, {root!r}); "
                     f"from grader.forkserver import serve; serve({server_end.fileno()})")
        self._process = subprocess.Popen(
            [sys.executable, "-I", "-c", bootstrap], pass_fds=(server_end.fileno(),),
            env=worker_environment(), stdin=subprocess.DEVNULL, cwd="/",
            start_new_session=True)
        server_end.close()

    def open_lane(self, cpus: frozenset[int] | None = None) -> ForkClient:
        """A new, independent client of this server, e.g. for a forked grading process."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            answer = self._request({"query": "lane"}, (theirs.fileno(),))
        finally:
            theirs.close()
        if answer.get("lane") is not True:
            ours.close()
            raise RuntimeError(f"the fork server did not open a lane: {answer.get('error', 'no answer')}")
        return ForkClient(ours, cpus, self.standby)

    def stand_by(self, files: list[Path], cpus: set[int]) -> None:
        """Ask the server to fork and confine workers for FILES on CPUS while this process goes on
        loading (see Standby). Nothing is waited for: a file whose worker is not ready by the
        time a grader asks for it is spawned as usual."""
        if not files or not cpus:
            return
        pairs = [socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM) for _ in files]
        request = json.dumps({"standby": [str(f) for f in files], "cpus": sorted(cpus)}).encode()
        try:
            socket.send_fds(self._control, [request], [theirs.fileno() for _, theirs in pairs])
        except OSError:
            for ours, _ in pairs:
                ours.close()
            return
        finally:
            for _, theirs in pairs:
                theirs.close()
        self.standby.update({str(f): ours for f, (ours, _) in zip(files, pairs)})

    def hang_up(self) -> None:
        """Tell the server to exit and do not wait for it (:meth:`close` later reaps it)."""
        for sock in self.standby.values():  # workers never adopted die with the server
            sock.close()
        self.standby.clear()
        if self._control.fileno() != -1:
            super().close()

    def close(self) -> None:
        self.hang_up()
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def __enter__(self) -> "ForkServer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_early: ForkServer | None = None


def start_early() -> None:
    """Start the server a command will want, before that command's modules load (grader.launcher)."""
    global _early
    _early = ForkServer()


def early_or_new() -> ForkServer:
    """The server started by start_early, if any (each one serves one command), else a new one."""
    global _early
    server, _early = _early, None
    return server or ForkServer()
