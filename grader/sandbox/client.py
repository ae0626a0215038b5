"""The grader's side of the fork server: start it, ask it for workers, talk to them.

Nothing here imports numpy, ctypes or the layers: `learn grade-all` starts its server before
anything else loads (grader.launcher), and the server imports those on its own side.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from grader.sandbox.limits import ISOLATION, Limits, worker_environment


def kill_group(pid: int) -> None:
    """SIGKILL the worker PID and its process group (it called setsid)."""
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass



REASON_CAP = 200  # characters of a decoder's complaint passed on: it may quote what the worker sent


class WorkerDied(Exception):
    """The worker ended before it answered: it exited, crashed, or a limit killed it. Its message
    is for the grader's log; what the student reads is said where this is caught (grader.proxy)."""


class WorkerGarbled(WorkerDied):
    """The worker sent bytes that are not a message, or a message that is not a reply: something
    in the student's file wrote to the channel. The message says what was wrong with them."""


class WorkerTimedOut(Exception):
    """The worker did not answer within its time limit."""


class Worker:
    """The grader's handle on one worker process."""

    def __init__(self, pid: int, sock: socket.socket, alive: bool = True) -> None:
        # ALIVE false: the process had already ended when the server forked it (pid 0, never killed)
        self.pid, self.sock, self.alive = pid, sock, alive

    def receive(self, timeout: float) -> dict:
        from grader.sandbox import channel  # here, not at the top: starting a server must not wait for numpy
        try:
            reply = channel.recv(self.sock, timeout)
        except channel.ChannelTimeout:
            self.kill()
            raise WorkerTimedOut() from None
        except (channel.ChannelClosed, OSError) as exc:
            self.kill()
            raise WorkerDied(str(exc) or type(exc).__name__) from None
        except ValueError as exc:  # wire.WireError: an honest worker never sends such bytes
            self.kill()
            raise WorkerGarbled(str(exc)[:REASON_CAP] or "not a message") from None  # the student reads it
        if not isinstance(reply, dict):
            self.kill()
            raise WorkerGarbled("a message that is not a reply")
        return reply

    def call(self, name: str, args: list, kwargs: dict, timeout: float) -> dict:
        """TIMEOUT bounds the whole call: sending the arguments, the work, the reply."""
        deadline = time.monotonic() + timeout
        self.send_calls([self.call_frame(name, args, kwargs)], timeout)
        return self.receive(max(deadline - time.monotonic(), 0.0))

    @staticmethod
    def call_frame(name: str, args: list, kwargs: dict) -> bytes:
        """One call as it travels: for :meth:`send_calls` (raises WireError for what cannot)."""
        from grader.sandbox import wire
        return wire.frame(wire.dumps({"call": name, "args": args, "kwargs": kwargs} if kwargs else
                                     {"call": name, "args": args}))

    def send_calls(self, frames: list[bytes], timeout: float) -> None:
        """Send several calls (:meth:`call_frame`) at once, for :meth:`receive` to collect one
        answer each, in order. The worker answers them one after another as if they came one
        by one, but is woken once instead of once per call. The caller keeps them well within
        the socket's buffer (grader.proxy.PIPELINE_BYTES), so sending never waits on a worker
        busy writing its answers."""
        from grader.sandbox import channel
        if not self.alive:
            raise WorkerDied("the worker is no longer running")
        try:
            channel.send_bytes(self.sock, b"".join(frames), timeout)
        except channel.ChannelTimeout:
            self.kill()
            raise WorkerTimedOut() from None
        except OSError as exc:
            self.kill()
            raise WorkerDied(f"sending the call failed ({exc})") from None

    def kill(self) -> None:
        if self.alive:
            self.alive = False
            kill_group(self.pid)
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
        self._hidden: set[str] = set()
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
        if self._isolation is None:
            try:
                answer = self._request({"query": "isolation"})
                self._isolation = (str(answer.get("isolation", ISOLATION)), str(answer.get("why", "")))
            except (OSError, ValueError):
                return ISOLATION, "the fork server did not answer"
        return self._isolation

    def hide(self, *paths: Path | str) -> None:
        """Tell the server that no worker may see PATHS (the course, the student's or the class's
        folders, the results; each must exist), before asking it for a worker: a folder under a
        path the workers' root shows (a course in /usr/src/app) is masked. Nothing is waited for
        (the server applies it before any later request; if it cannot, it refuses every worker
        from then on, saying why). Each path is sent once per client."""
        new = [str(p) for p in paths if str(p) not in self._hidden]
        if new:
            socket.send_fds(self._control, [json.dumps({"hide": new}).encode()], [])
            self._hidden.update(new)

    def _request(self, request: dict, fds: tuple[int, ...] = ()) -> dict:
        socket.send_fds(self._control, [json.dumps(request).encode()], list(fds))
        answer = json.loads(self._control.recv(65536) or b"{}")
        return answer if isinstance(answer, dict) else {}

    def spawn(self, student_file: Path, limits: Limits) -> Worker:
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
        if answer.get("ended") is True and answer.get("pid") == 0:  # gone before the server could name it
            if standby is not None:
                standby.close()
            return Worker(0, ours, alive=False)   # its channel still holds its last words; nothing to kill
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
        from grader.sandbox import channel, worker as worker_side
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
        root = str(Path(__file__).resolve().parents[2])
        bootstrap = (f"import sys; sys.path.insert(0, {root!r}); "
                     f"from grader.sandbox.server import serve; serve({server_end.fileno()})")
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


def adopt_server(server: ForkClient) -> None:
    """The next command's grading uses SERVER (a lane of the grading service's warm server)."""
    global _early
    _early = server  # type: ignore[assignment]


def early_or_new() -> ForkServer:
    """The server started by start_early or adopted (each one serves one command), else a new one."""
    global _early
    server, _early = _early, None
    return server or ForkServer()
