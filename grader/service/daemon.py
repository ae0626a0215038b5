"""The grading service: one warm process per user, course and installed grader.

Started detached by :func:`grader.service.client.start`. It takes a lock (a second service for
the same course exits at once), starts its fork server before anything of the course loads
(the server stays clean, as in every other command), loads the course, its hidden tests and
references and the grader's CLI, then listens on its socket. Each request is a `learn grade`
command line with the caller's working folder, environment and standard streams (passed as
file descriptors): the service opens a lane to its fork server, forks a child that runs the
command on those streams exactly as `learn grade` would, and goes back to listening. The child
tells the caller its pid (so Ctrl-C reaches it) and, at the end, the exit status.

It refuses to serve, and exits, once the grader's files or the course's changed since it
started (the caller then grades in-process and starts a fresh service), and exits after
``LEARN_SERVICE_IDLE`` seconds (default 900) without a request. Peers other than its own user
are refused even if they could reach the socket.
"""
from __future__ import annotations

import fcntl
import gc
import json
import os
import select
import signal
import socket
import struct
import sys
import time
from pathlib import Path
from typing import Any

from grader.locations import PACKAGE_DIR
from grader.service import fingerprint, place

IDLE_SECONDS = 900.0
MAX_REQUEST = 1 << 20
REQUEST_TIMEOUT = 5.0   # to send a request once connected: a stuck caller cannot block the service
BACKLOG = 16


def idle_limit() -> float:
    try:
        return max(float(os.environ.get("LEARN_SERVICE_IDLE", IDLE_SECONDS)), 0.0)
    except ValueError:
        return IDLE_SECONDS


class Service:
    def __init__(self, course_root: Path) -> None:
        self.course_root = course_root
        self.socket_path = place.socket_path(PACKAGE_DIR, course_root)
        self.started_from = fingerprint.of(PACKAGE_DIR, course_root)
        self.children: set[int] = set()
        self.listener: socket.socket | None = None
        self.server: Any = None

    # -- life ------------------------------------------------------------------------------------

    def lock(self) -> Any:
        """Exclusive for this course, held for the service's life; None if another holds it."""
        handle = open(place.lock_path(PACKAGE_DIR, self.course_root), "a")
        deadline = time.monotonic() + 2.0  # a stale service may still be exiting
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                handle.truncate(0)
                handle.write(f"{os.getpid()}\n")  # who serves: `learn service` reads it
                handle.flush()
                self.held = handle
                return handle
            except BlockingIOError:
                if time.monotonic() > deadline:
                    handle.close()
                    return None
                time.sleep(0.05)

    def load(self) -> None:
        from grader.sandbox import ForkServer
        self.server = ForkServer()  # before any instructor material loads: the server stays clean
        import grader.cli  # noqa: F401  everything `learn grade` imports, once
        import grader.cli.student  # noqa: F401
        from grader import reports
        from grader.course import load_course
        from grader.grading import solution_for
        from grader.reports import documents  # noqa: F401
        course = load_course(self.course_root)
        for exercise in course.exercises:
            solution_for(exercise)  # hidden tests and references, inherited by every child
        for fmt in ("terminal", "json"):
            reports.FORMATS[fmt].renderer()  # import the renderers (and compile their templates below)
        from grader.reports.templating import template
        template("terminal.txt.j2")

    def listen(self) -> None:
        try:
            os.unlink(self.socket_path)  # a dead service's socket (we hold the lock: no live one)
        except FileNotFoundError:
            pass
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)
        try:
            listener.bind(str(self.socket_path))
        finally:
            os.umask(old)
        listener.listen(BACKLOG)
        self.listener = listener
        self.inode = os.stat(self.socket_path).st_ino
        self.held.write("listening\n")  # what `learn service status` (client.running) waits for
        self.held.flush()

    def close(self) -> None:
        try:
            if os.stat(self.socket_path).st_ino == self.inode:
                os.unlink(self.socket_path)  # only our own: a newer service may have replaced it
        except (OSError, AttributeError):
            pass
        if self.server is not None:
            self.server.close()

    def run(self) -> None:
        idle = idle_limit()
        last = time.monotonic()
        gc.freeze()  # what is loaded is never collected in a child: its pages stay shared
        while True:
            self.reap()
            wait = max(last + idle - time.monotonic(), 0.0)
            if wait == 0.0 and not self.children:
                return
            ready, _, _ = select.select([self.listener], [], [], min(wait, 1.0) if wait else 1.0)
            if ready:
                connection, _ = self.listener.accept()
                last = time.monotonic()
                if not self.answer(connection):
                    return

    def reap(self) -> None:
        for pid in list(self.children):
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                done = pid
            if done:
                self.children.discard(pid)

    # -- one request -----------------------------------------------------------------------------

    def answer(self, connection: socket.socket) -> bool:
        """Serve one request; False when the service must stop (it is stale)."""
        fds: list[int] = []
        try:
            pid, uid, _ = struct.unpack("3i", connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
            if uid != os.getuid() or confined(pid):
                return True  # never another user's request, nor a sandboxed worker's (below)
            connection.settimeout(REQUEST_TIMEOUT)
            request, fds = _receive(connection)
            connection.settimeout(None)
            if fingerprint.of(PACKAGE_DIR, self.course_root) != self.started_from:
                _reply(connection, {"refused": "the grader or the course changed since this service started"})
                return False
            self.fork_child(connection, request, fds)
            return True
        except (OSError, ValueError):
            return True  # a broken request costs that caller only
        finally:
            for fd in fds:
                os.close(fd)
            connection.close()

    def fork_child(self, connection: socket.socket, request: dict, fds: list[int]) -> None:
        lane = self.server.open_lane()
        pid = os.fork()
        if pid:
            lane.detach()
            self.children.add(pid)
            return
        status = 3
        try:  # the child: never returns into the service's loop
            signal.signal(signal.SIGINT, signal.default_int_handler)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            assert self.listener is not None
            self.listener.close()
            self.server.detach()
            status = _run_request(connection, request, fds, lane)
        finally:
            os._exit(status)


def confined(pid: int) -> bool:
    """Is PID a confined process (no_new_privs set)? Every worker of the process layer is (Landlock
    requires it), and it runs as this user: a worker that got past the audit hook must not have the
    service run `learn grade --output ANYWHERE` for it, outside its sandbox. (Workers of the
    namespace layer cannot reach the socket at all: it is not in their root.) A process whose state
    cannot be read is refused too."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("NoNewPrivs:"):
                    return line.split()[1] != "0"
    except OSError:
        return True
    return False  # a kernel before 4.10 does not say (nor has Landlock)


def _receive(connection: socket.socket) -> tuple[dict, list[int]]:
    """One request: a 4-byte length, the JSON, and the caller's stdin, stdout and stderr."""
    fds: list[int] = []
    data = b""
    header_size = 4
    while len(data) < header_size:
        chunk, ancillary, _flags, _addr = connection.recvmsg(65536, socket.CMSG_SPACE(3 * 4))
        for level, kind, payload in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds += list(struct.unpack(f"{len(payload) // 4}i", payload[:len(payload) // 4 * 4]))
        if not chunk:
            raise ValueError("the caller hung up")
        data += chunk
    length = int.from_bytes(data[:4], "big")
    if length > MAX_REQUEST:
        raise ValueError("request too large")
    while len(data) < 4 + length:
        chunk = connection.recv(min(65536, 4 + length - len(data)))
        if not chunk:
            raise ValueError("the caller hung up")
        data += chunk
    request = json.loads(data[4:4 + length])
    valid = (isinstance(request, dict) and isinstance(request.get("argv"), list)
             and all(isinstance(a, str) for a in request["argv"]) and isinstance(request.get("cwd"), str)
             and isinstance(request.get("env"), dict)
             and all(isinstance(k, str) and isinstance(v, str) for k, v in request["env"].items()))
    if not valid or len(fds) != 3:
        for fd in fds:
            os.close(fd)
        raise ValueError("malformed request")
    from grader.service.client import servable
    if not servable(request["argv"]):
        for fd in fds:
            os.close(fd)
        raise ValueError("not a command the service runs")
    return request, fds


def _reply(connection: socket.socket, message: dict) -> None:
    connection.sendall(json.dumps(message).encode() + b"\n")


def _run_request(connection: socket.socket, request: dict, fds: list[int], lane: Any) -> int:
    """In the child: become the caller's `learn grade` and run it."""
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    fds.clear()
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    _reply(connection, {"pid": os.getpid()})
    from grader.sandbox import client
    client.adopt_server(lane)  # the command's grading uses the service's warm fork server
    from grader.cli import exit_status
    code = 3
    try:
        code = exit_status(request["argv"])
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        try:
            _reply(connection, {"exit": code})
        except OSError:
            pass
    return 0


def main(course_root: str) -> None:
    """``python -m grader.service COURSE_ROOT``: serve until idle, stale or killed."""
    root = Path(course_root).resolve()
    try:
        service = Service(root)
        held = service.lock()
    except OSError:
        return
    if held is None:
        return  # another service for this course is running (or starting)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # `learn service stop`: clean up on the way out
    try:
        service.load()
        service.listen()
        service.run()
    finally:
        service.close()
        held.close()
