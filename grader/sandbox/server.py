"""The fork server: a warm, clean interpreter that forks one confined worker per request.

Started by :class:`grader.sandbox.client.ForkServer` with a scrubbed environment before the
grader loads anything of the course, it imports numpy once, then forks workers on request, so
isolation costs a fork, not a Python start-up. Requests arrive on a SOCK_SEQPACKET socket
together with the worker's end of a fresh socket pair (SCM_RIGHTS); the server answers with
the worker's pid. Before asking for workers, the grader names the folders no worker may see
(``hide``: the course, the submissions, the results). The server never sees the hidden tests
or the reference.
"""
from __future__ import annotations

import json
import os
import select
import selectors
import signal
import socket
from collections import deque
from pathlib import Path
from typing import Any

from grader.sandbox import layers
from grader.sandbox.client import kill_group
from grader.sandbox.limits import Limits

MAX_FDS = 64  # per request: a standby request brings one channel per worker (classroom.plan.STANDBY_WORKERS)


def serve(control_fd: int) -> None:
    """The server's main loop (runs in the fork server process).

    CONTROL_FD belongs to the process that started the server; it may hand over more control
    sockets ("lanes", one per grading process of ``learn grade-all``), each served alike. The
    server exits when the starter's socket closes.
    """
    import numpy  # noqa: F401  (warm: every worker inherits it)
    import numpy.linalg  # noqa: F401  numpy imports these lazily: once here, not once per worker
    import numpy.random  # noqa: F401  (~15 ms each time a worker first touched np.random)
    from grader.sandbox import worker
    worker.warm_up()  # before the first fork: every worker inherits the specialized code
    layers.prepare()  # the layer probed (a fork, ~10 ms) and the workers' root built now, not when a worker is due
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
                    layers.remove_scratch_folders()
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
    from grader.sandbox import namespaces
    if layers.isolation()[0] != "namespaces":
        return None
    if control.fileno() not in _networks:
        try:
            _networks[control.fileno()] = namespaces.new_network_namespace()
        except OSError:
            return None  # each worker makes its own, or fails to and is refused, as before
    return _networks[control.fileno()]


def _answer(control: socket.socket, request: dict, fds: list[int]) -> socket.socket | None:
    """Answer one request on CONTROL; return a new lane to serve, if that was the request."""
    lane = None
    if "standby" in request:  # unanswered: the starter goes on loading while these are forked
        _standby.enqueue(request, fds)
        return None
    if "hide" in request:  # unanswered too: the grader's own folders (course, submissions, results)
        _hide(request["hide"], fds)
        return None
    try:
        if request.get("query") == "isolation":  # what the sandbox really achieves here
            layer, why = layers.isolation()
            answer: dict[str, Any] = {"isolation": layer, "why": why}
        elif request.get("query") == "lane":
            _standby.stop()  # grading begins: from now on the CPUs are the lanes'
            lane, fds = socket.socket(fileno=fds[0]), fds[1:]
            answer = {"lane": True}
        elif _unmasked:
            raise OSError(f"no worker is started: {_unmasked[0]}")
        else:
            _standby.stop()
            cpus = request.get("cpus") or None
            limits = Limits(**request["limits"])
            answer = _standby.adopt(request.get("standby_for"), limits, cpus) or {
                "pid": layers.start_worker(fds[0], Path(request["file"]), limits, cpus, _network_of(control))}
            try:
                answer["pid"] = layers.outer_pid(answer["pid"])  # the grader kills it by the host's pid
            except ProcessLookupError:  # it already ended (a sys.exit at import): nothing is left to kill,
                answer = {"pid": 0, "ended": True}  # and its channel holds what it said before it went
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


_unmasked: list[str] = []  # why a folder the grader hid could not be masked: then no worker starts


def _hide(paths: Any, fds: list[int]) -> None:
    for fd in fds:
        os.close(fd)
    try:
        layers.hide([str(p) for p in paths])
    except Exception as exc:  # noqa: BLE001  fail closed: a worker that could see it must not start
        _unmasked.append(f"{paths} could not be hidden from workers ({type(exc).__name__}: {exc})")


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
        if _unmasked:  # see _hide: no worker at all
            self.stop()
            return
        file, fd = self.queue.popleft()
        try:
            if self.cpus and self.own_cpus is None:
                self.own_cpus = os.sched_getaffinity(0)
                os.sched_setaffinity(0, self.cpus)
            pid = layers.start_worker(fd, Path(file), Limits(), sorted(self.cpus or ()) or None,
                                       standby=True)
        except Exception:  # noqa: BLE001  the grader will ask for this worker as usual
            return
        finally:
            os.close(fd)
        try:
            self.ready[file] = (pid, os.pidfd_open(pid))
        except OSError:  # a kernel without pidfds (before Linux 5.3): no standby workers here
            kill_group(pid)
            self.stop()

    def stop(self) -> None:
        self.accepting = False
        while self.queue:
            os.close(self.queue.popleft()[1])  # its grader reads end-of-file: no standby worker
        if self.own_cpus is not None:
            os.sched_setaffinity(0, self.own_cpus)
            self.own_cpus = None

    def adopt(self, file: Any, limits: Limits, cpus: list[int] | None) -> dict | None:
        """The answer to a spawn request for FILE if a standby worker serves it, else None."""
        entry = self.ready.pop(str(file), None) if file is not None else None
        if entry is None:
            return None
        pid, pidfd = entry
        try:
            exited = bool(select.select([pidfd], [], [], 0)[0])  # the pid may already be another process's
        finally:
            os.close(pidfd)
        if exited or limits != Limits():
            if not exited:
                kill_group(pid)
            return None
        if cpus:
            try:
                os.sched_setaffinity(pid, cpus)
            except OSError:
                pass  # it runs unpinned, merely slower
        return {"pid": pid, "standby": True}


_standby = Standby()
