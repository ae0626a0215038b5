"""How a worker is confined: the one module that the sandbox hardening changes.

The fork server calls :func:`start_worker` for every student file; it forks a child that puts
itself in a new session (so a timeout kills everything it started), applies hard resource
limits before the student's file is imported, and then hands over to :func:`grader.worker.serve`.
"""
from __future__ import annotations

import os
import resource
import socket
from dataclasses import asdict, dataclass
from pathlib import Path

ISOLATION = "process"


@dataclass(frozen=True)
class Limits:
    cpu_seconds: int = 120            # the whole worker; the per-call limit is wall clock
    memory_bytes: int = 2 * 1024 ** 3  # address space: numpy arrays past this raise MemoryError
    file_bytes: int = 1024 ** 2
    open_files: int = 64

    def as_dict(self) -> dict:
        return asdict(self)


def confine(limits: Limits) -> None:
    """Apply the limits to the current (child) process. Irreversible by design."""
    for which, value in (
        (resource.RLIMIT_CPU, limits.cpu_seconds),
        (resource.RLIMIT_AS, limits.memory_bytes),
        (resource.RLIMIT_FSIZE, limits.file_bytes),
        (resource.RLIMIT_NOFILE, limits.open_files),
        (resource.RLIMIT_CORE, 0),
    ):
        resource.setrlimit(which, (value, value))


def start_worker(channel_fd: int, student_file: Path, limits: Limits) -> int:
    """Fork a confined worker serving STUDENT_FILE on CHANNEL_FD; return its pid."""
    pid = os.fork()
    if pid:
        return pid
    try:
        os.setsid()
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        confine(limits)
        from grader import worker
        worker.serve(socket.socket(fileno=channel_fd), student_file)
    finally:
        os._exit(0)
