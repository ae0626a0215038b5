"""A worker that ends before the fork server can name it (a student file that calls sys.exit at
import, on a loaded machine) is the student's: its last words are read, nothing is killed.

In the unprivileged layer the server lives in a PID namespace of its own and translates each
worker's pid to the host's through a pidfd. A worker that had already exited and been reaped
read as pid -1: the grader took that for "no answer" and failed with exit 3 (seen once in CI,
in the red team run as nobody, on sys_exit_at_import's notebook twin).
"""
from __future__ import annotations

import json
import os
import socket
import threading
from pathlib import Path

import pytest

from grader.sandbox import channel, userns
from grader.sandbox.client import ForkClient
from grader.sandbox.limits import Limits


def test_the_host_pid_of_a_process_that_has_ended_is_refused_not_minus_one():
    wake_read, wake_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child waits to be told to end
        os.read(wake_read, 1)
        os._exit(0)
    pidfd = os.pidfd_open(pid)
    try:
        try:
            alive = userns.pid_of(pidfd)  # alive: its pid, as this namespace sees it
        finally:  # whatever happened, the child ends and is reaped, as the server's SIGCHLD=SIG_IGN does
            os.write(wake_write, b"x")
            os.waitpid(pid, 0)
        assert alive == pid
        with pytest.raises(ProcessLookupError):
            userns.pid_of(pidfd)
    finally:
        os.close(pidfd)
        os.close(wake_read)
        os.close(wake_write)


def test_a_worker_that_ended_before_the_server_named_it_is_read_and_never_killed(monkeypatch):
    """The server answers {"pid": 0, "ended": true}: the client reads what the worker wrote before
    it went (here a greeting) and never signals pid 0, which would be its own process group."""
    grader_end, server_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    words = {"import_error": {"type": "SystemExit", "message": "0", "frames": []}, "output": {"text": "", "dropped": 0}}

    def fake_server() -> None:
        data, fds, _flags, _address = socket.recv_fds(server_end, 65536, 4)
        assert json.loads(data)["file"] == "similarity.py"
        with socket.socket(fileno=fds[0]) as worker_end:  # what the worker said, then it is gone
            channel.send(worker_end, words)
        server_end.send(json.dumps({"pid": 0, "ended": True}).encode())

    signalled = []
    monkeypatch.setattr(os, "killpg", lambda *args: signalled.append(("killpg", args)))
    monkeypatch.setattr(os, "kill", lambda *args: signalled.append(("kill", args)))
    server = threading.Thread(target=fake_server)
    server.start()
    try:
        worker = ForkClient(grader_end).spawn(Path("similarity.py"), Limits())
    finally:
        server.join(10)
    assert not server.is_alive()
    assert worker.receive(5.0) == words
    worker.kill()
    assert signalled == [] and worker.sock.fileno() == -1
    grader_end.close()
    server_end.close()
