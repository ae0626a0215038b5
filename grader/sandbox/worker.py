"""The worker: the only process that imports and runs the student's code.

It is forked from the fork server (which holds numpy and nothing of the course), confined by
:mod:`grader.sandbox.layers`, imports the student's file, answers ``hello`` with the functions it
found, then serves calls one at a time. Everything it sends back is plain data
(:mod:`grader.sandbox.wire`); an exception in student code is sent as data, with the student's own
frames only. The grader trusts none of it beyond its type.
"""
from __future__ import annotations

import importlib.util
import io
import linecache
import sys
import traceback
from pathlib import Path
from typing import Any, Callable

import numpy as np

from grader.sandbox import channel, wire

OUTPUT_CAP = 8_000  # characters of captured print output kept per phase
GO = {"go": True}  # a standby worker's signal to import the student's file (server.Standby)


class CappedOutput(io.TextIOBase):
    """A text stream that keeps the first OUTPUT_CAP characters and counts the rest."""

    def __init__(self) -> None:
        self.kept: list[str] = []
        self.size = 0
        self.dropped = 0

    def writable(self) -> bool:
        return True

    def write(self, text: Any) -> int:
        text = str(text)
        room = OUTPUT_CAP - self.size
        if room > 0:
            self.kept.append(text[:room])
        self.size += min(len(text), max(room, 0))
        self.dropped += max(len(text) - max(room, 0), 0)
        return len(text)

    def take(self) -> dict:
        taken = {"text": "".join(self.kept), "dropped": self.dropped}
        self.kept, self.size, self.dropped = [], 0, 0
        return taken


def describe_exception(exc: BaseException, student_file: Path) -> dict:
    """The exception as plain data: type names, message, and the student's frames only."""
    frames = []
    for frame, line in traceback.walk_tb(exc.__traceback__):  # only the student's lines are looked up
        if Path(frame.f_code.co_filename) == student_file:
            text = linecache.getline(frame.f_code.co_filename, line, frame.f_globals).strip()
            frames.append([student_file.name, line, frame.f_code.co_name, text])
    info = {
        "type": type(exc).__name__,
        "mro": [f"{c.__module__}.{c.__qualname__}" for c in type(exc).__mro__],
        "message": _safe_str(exc)[:2000],
        "frames": frames[-10:],
    }
    if isinstance(exc, SyntaxError) and exc.filename and Path(exc.filename) == student_file:
        info["frames"] = [[student_file.name, exc.lineno or 0, "<module>", (exc.text or "").rstrip("\n")]]
        info["offset"] = exc.offset or 0
        info["message"] = str(exc.msg)[:2000]
    return info


def _safe_str(exc: BaseException) -> str:
    try:
        return str(exc)
    except BaseException:  # a hostile __str__ must not take the worker down with it
        return "<the exception's message could not be read>"


def _arrays_in(value: Any, path: str) -> list[tuple[str, np.ndarray]]:
    if isinstance(value, np.ndarray):
        return [(path, value)]
    if isinstance(value, (list, tuple)):
        return [a for i, v in enumerate(value) for a in _arrays_in(v, f"{path}[{i}]")]
    if isinstance(value, dict):
        return [a for k, v in value.items() for a in _arrays_in(v, f"{path}[{k!r}]")]
    return []


def _snapshot(arrays: list[tuple[str, np.ndarray]]) -> list[tuple[tuple[int, ...], bytes]]:
    """What each argument array holds, bit for bit (cheaper than a copy and array_equal)."""
    return [(a.shape, a.tobytes()) for _, a in arrays]


def _mutated(after: list[tuple[str, np.ndarray]], before: list[tuple[tuple[int, ...], bytes]]) -> list[str]:
    return [name for (name, now), (shape, data) in zip(after, before)
            if now.shape != shape or now.tobytes() != data]


def watch_arguments(args: list, kwargs: dict) -> Callable[[], list[str]]:
    """For a call made outside a worker (trusted code, in-process): after the call, the returned
    function names the argument arrays the call modified, as a worker's reply does."""
    before = _snapshot(_arrays_in(args, "args") + _arrays_in(kwargs, "kwargs"))
    return lambda: _mutated(_arrays_in(args, "args") + _arrays_in(kwargs, "kwargs"), before)


def _call(module: Any, message: dict, student_file: Path, out: CappedOutput) -> dict:
    name = message.get("call")
    func = getattr(module, str(name), None)
    if not callable(func):
        return {"missing": f"{student_file.name} does not define a function named {name}"}
    args, kwargs = list(message.get("args", [])), dict(message.get("kwargs", {}))
    arrays_only = not kwargs and all(type(a) is np.ndarray for a in args)  # the usual call: no containers to walk
    watched = [(f"args[{i}]", a) for i, a in enumerate(args)] if arrays_only else \
        _arrays_in(args, "args") + _arrays_in(kwargs, "kwargs")
    before = _snapshot(watched)
    try:
        value = func(*args, **kwargs)
    except BaseException as exc:  # SystemExit and KeyboardInterrupt are the student's too
        return _with_output({"raised": describe_exception(exc, student_file)}, out)
    reply = _with_output({"value": value}, out)
    # Arrays only: the same objects, whose contents may have changed. Containers are walked
    # again: the student may have put another array in one.
    mutated = _mutated(watched if arrays_only else _arrays_in(args, "args") + _arrays_in(kwargs, "kwargs"), before)
    if mutated:  # absent keys are the usual case, and a smaller reply for every call
        reply["mutated"] = mutated
    return reply


def _with_output(reply: dict, out: CappedOutput) -> dict:
    if out.size or out.dropped:
        reply["output"] = out.take()
    return reply


def _unsendable(reply: dict, exc: wire.WireError) -> dict:
    """The reply for a return value the codec refused (it is encoded once, when sent)."""
    value = reply.get("value")
    return {"bad_value": f"{type(value).__name__}: {exc}", "output": reply.get("output", {"text": "", "dropped": 0}),
            "mutated": reply.get("mutated", [])}


def serve(sock: Any, student_file: Path, source: bytes, wait_for_go: bool = False) -> None:
    """Import the student's file from SOURCE (its bytes, read by the server), say hello, then
    answer calls until the grader hangs up. WAIT_FOR_GO: a standby worker compiles SOURCE now
    and runs it only once the grader sends {"go": true}."""
    out = CappedOutput()
    sys.stdout = sys.stderr = out  # before compiling: a SyntaxWarning is the student's output too
    sys.stdin = io.StringIO("")
    sys.path.insert(0, str(student_file.parent))
    sys.dont_write_bytecode = True
    code = _compile(student_file, source)  # parsing runs none of the student's code
    if wait_for_go:
        try:
            if channel.recv(sock) != GO:
                return
        except (channel.ChannelClosed, wire.WireError):
            return  # never adopted
    try:
        module = _import(student_file, code)
    except BaseException as exc:
        channel.send(sock, {"import_error": describe_exception(exc, student_file), "output": out.take()})
        return
    channel.send(sock, {"hello": _functions(module), "output": out.take()})
    linecache.checkcache()
    _answer_calls(sock, module, student_file, out)


def _compile(file: Path, source: bytes) -> Any:
    """SOURCE compiled, or the exception compiling it raised (raised again by _import)."""
    try:
        return compile(source, str(file), "exec", dont_inherit=True)
    except BaseException as exc:  # a SyntaxError is the student's: reported as an import error
        return exc


def _import(file: Path, code: Any) -> Any:
    """The student's module, from CODE (see _compile): what exec_module does, minus looking for
    bytecode and reading the file again (~0.4 ms)."""
    spec = importlib.util.spec_from_file_location(file.stem, file)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[file.stem] = module
    if isinstance(code, BaseException):
        raise code
    exec(code, module.__dict__)
    return module


def _functions(module: Any) -> list[str]:
    return sorted(n for n, v in vars(module).items() if callable(v) and not n.startswith("_"))


def _answer_calls(sock: Any, module: Any, student_file: Path, out: CappedOutput) -> None:
    while True:
        try:
            message = channel.recv(sock)
        except (channel.ChannelClosed, wire.WireError):
            return
        if not isinstance(message, dict):
            return
        reply = _call(module, message, student_file, out)
        try:
            channel.send(sock, reply)  # dumps raises before anything is written
        except wire.WireError as exc:
            channel.send(sock, _unsendable(reply, exc))


WARM_UP_SAMPLE = Path(__file__).with_name("warm_up_sample.py")


def warm_up(rounds: int = 32) -> None:
    """Run a worker's whole path in the fork server, on a sample of ours, before any fork.

    Python 3.11 rewrites bytecode in place as it specializes it (PEP 659). A worker running
    the import, the codec and the call loop for the first time would do that work again and
    copy every page it rewrites (~3 µs a page on a virtual machine; ~400 pages a worker).
    Done once here, the specialized code is inherited and its pages stay shared.
    """
    import socket
    module = _import(WARM_UP_SAMPLE, _compile(WARM_UP_SAMPLE, WARM_UP_SAMPLE.read_bytes()))  # as a worker does
    del sys.modules[WARM_UP_SAMPLE.stem]
    _functions(module)
    q = np.linspace(0.5, 1.0, 8)
    grader_end, worker_end = socket.socketpair()
    with grader_end, worker_end:
        # ~300 bytes a message each way: all of them fit in the socket buffers at once
        for _ in range(rounds):
            for name in _functions(module):
                channel.send(grader_end, {"call": name, "args": [q, q.copy()]})
        grader_end.shutdown(socket.SHUT_WR)
        _answer_calls(worker_end, module, WARM_UP_SAMPLE, CappedOutput())
        worker_end.shutdown(socket.SHUT_WR)
        while True:
            try:
                channel.recv(grader_end, 1.0)
            except channel.ChannelClosed:
                return
