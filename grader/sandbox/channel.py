"""Framed messages over a socket, with a deadline: the only way bytes cross the trust boundary."""
from __future__ import annotations

import select
import socket
import time
from typing import Any

from grader.sandbox import wire


class ChannelClosed(Exception):
    """The other side hung up (the worker crashed or exited)."""


class ChannelTimeout(Exception):
    """The other side did not answer before the deadline."""


def send(sock: socket.socket, message: Any, timeout: float | None = None) -> None:
    """Send one message; with TIMEOUT, raise ChannelTimeout if the other side stops reading.

    A worker that never reads (student code can replace the worker's loop) must not block the
    grader once a large message fills the socket buffer.
    """
    send_bytes(sock, wire.frame(wire.dumps(message)), timeout)


def send_bytes(sock: socket.socket, data: bytes, timeout: float | None = None) -> None:
    """Send framed messages DATA, as :func:`send` does."""
    if timeout is None:
        sock.sendall(data)
        return
    try:
        sent = sock.send(data, socket.MSG_DONTWAIT)  # the usual case: it fits in the buffer at once
    except BlockingIOError:
        sent = 0
    if sent == len(data):
        return
    sock.settimeout(timeout)  # a bound on the whole rest, however slowly the other side reads
    try:
        sock.sendall(memoryview(data)[sent:])
    except TimeoutError:
        raise ChannelTimeout() from None
    finally:
        sock.settimeout(None)


def _recv_exact(sock: socket.socket, n: int, deadline: float | None, arrived: bool = False) -> bytes:
    """N bytes by DEADLINE; ARRIVED: they are probably there already (try before waiting)."""
    chunks, remaining = [], n
    while remaining:
        try:
            if arrived and deadline is not None:
                try:
                    chunk = sock.recv(min(remaining, 1 << 20), socket.MSG_DONTWAIT)
                except BlockingIOError:
                    arrived = False
                    continue
            else:
                if deadline is not None:
                    wait = deadline - time.monotonic()
                    if wait <= 0 or not select.select([sock], [], [], wait)[0]:
                        raise ChannelTimeout()
                chunk = sock.recv(min(remaining, 1 << 20))
        except (ConnectionResetError, BrokenPipeError):
            chunk = b""
        if not chunk:
            raise ChannelClosed()
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def recv(sock: socket.socket, timeout: float | None = None) -> Any:
    """Receive one message; raise ChannelTimeout, ChannelClosed or wire.WireError."""
    deadline = None if timeout is None else time.monotonic() + timeout
    length = wire.header_length(_recv_exact(sock, 4, deadline))
    return wire.loads(_recv_exact(sock, length, deadline, arrived=True))  # sent with its header
