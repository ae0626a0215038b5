"""The ``student`` fixture: calls into the student's code, recorded, with results as plain data.

A backend does the calling: :class:`WorkerBackend` talks to a sandboxed worker (untrusted
code), :class:`InProcessBackend` calls trusted functions directly (the reference and the
mistake catalogue, when the course checks itself). Both answer with the same reply shape, so
the hidden tests cannot tell them apart.
"""
from __future__ import annotations

import builtins
import copy
from pathlib import Path
from typing import Any, Callable

import numpy as np

from grader.results import Frame, StudentError
from grader.sandbox import wire
from grader.sandbox import ForkServer, Limits, WorkerDied, WorkerTimedOut
from grader.testing import Call, current_context

IMPORT_TIME_LIMIT = 20.0


class GradingInterrupt(BaseException):
    """Ends a test from inside the proxy; BaseException so a test's `except Exception` misses it."""
    status = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class StudentTimeout(GradingInterrupt):
    status = "timeout"


class StudentCrashed(GradingInterrupt):
    status = "error"


class StudentBadReturn(GradingInterrupt):
    status = "failed"


class StudentException(Exception):
    """Mixin of every exception re-raised from student code; ``info`` is what the worker sent."""
    info: dict = {}


_EXCEPTION_CLASSES: dict[type, type] = {}


def _base_class(mro: list[str]) -> type[Exception]:
    """The most specific trusted exception class among the names the student's exception claims."""
    for qualified in mro:
        module, _, name = qualified.rpartition(".")
        if module.startswith("numpy") and name == "LinAlgError":
            return np.linalg.LinAlgError
        if module == "builtins":
            candidate = getattr(builtins, name, None)
            if isinstance(candidate, type) and issubclass(candidate, Exception):
                return candidate
    return Exception


def student_exception(info: dict) -> StudentException:
    base = _base_class([str(n) for n in info.get("mro", [])])
    cls = _EXCEPTION_CLASSES.get(base)
    if cls is None:  # SystemExit, KeyboardInterrupt and friends fall back to plain Exception
        cls = StudentException if base is Exception else type(f"Student{base.__name__}", (base, StudentException), {})
        _EXCEPTION_CLASSES[base] = cls
    exc = cls(str(info.get("message", "")))
    exc.info = info
    return exc


def format_student_exception(info: dict) -> str:
    """The student's traceback: their own frames, their file name, their message."""
    lines = []
    for frame in info.get("frames", []):
        file, line, function, text = (list(frame) + ["", 0, "", ""])[:4]
        lines.append(f'  File "{file}", line {line}, in {function}')
        if text:
            lines.append(f"    {str(text).strip()}")
            if info.get("offset") and function == "<module>":
                lines.append("    " + " " * max(int(info["offset"]) - 1 - (len(str(text)) - len(str(text).lstrip())), 0) + "^")
    message = str(info.get("message", ""))
    lines.append(f"{info.get('type', 'Exception')}: {message}" if message else str(info.get("type", "Exception")))
    return "\n".join(lines)


def student_error(info: dict) -> StudentError:
    """The student's exception as data, from what the worker sent (untrusted: every field is
    coerced to its type and cut to size)."""
    frames = []
    for frame in info.get("frames", []) if isinstance(info.get("frames"), list) else []:
        file, line, function, code = (list(frame) + ["", 0, "", ""])[:4] if isinstance(frame, (list, tuple)) \
            else ("", 0, "", "")
        frames.append(Frame(str(file)[:200], line if isinstance(line, int) else 0, str(function)[:200],
                            str(code or "").strip()[:500]))
    return StudentError(str(info.get("type", "Exception"))[:200], str(info.get("message", ""))[:2000], frames)


def _output_text(reply: dict) -> str:
    output = reply.get("output") or {}
    text = str(output.get("text", "")) if isinstance(output, dict) else ""
    dropped = output.get("dropped", 0) if isinstance(output, dict) else 0
    if isinstance(dropped, int) and dropped > 0:
        text += f"\n[... {dropped} more characters of output were cut]"
    return text


class WorkerBackend:
    """Runs calls in a sandboxed worker; restarts it after a crash or a timeout."""

    def __init__(self, server: ForkServer, student_file: Path, time_limit: float,
                 limits: Limits = Limits()) -> None:
        self.server, self.student_file, self.time_limit, self.limits = server, student_file, time_limit, limits
        self.worker = None
        self.hello: dict = {}

    def start(self) -> dict:
        """Start a worker and import the student's file; return its hello (or import_error)."""
        self.worker = self.server.spawn(self.student_file, self.limits)
        try:
            self.hello = self.worker.receive(IMPORT_TIME_LIMIT)
        except WorkerTimedOut:
            self.worker = None
            self.hello = {"import_timeout": IMPORT_TIME_LIMIT}
        except WorkerDied as exc:
            self.worker = None
            self.hello = {"import_crash": str(exc)}
        return self.hello

    def call(self, name: str, args: list, kwargs: dict) -> dict:
        if self.worker is None or not self.worker.alive:
            hello = self.start()
            if "hello" not in hello:
                raise StudentCrashed("your file could not be imported again after an earlier crash")
        try:
            return self.worker.call(name, args, kwargs, self.time_limit)
        except WorkerTimedOut:
            raise StudentTimeout(f"{name}() did not finish within {self.time_limit:g} s "
                                 "(an infinite loop, or far too much work?)") from None
        except WorkerDied as exc:
            raise StudentCrashed(f"the process running {name}() died ({exc}): a segfault, "
                                 "os._exit, or the memory or CPU limit") from None

    def close(self) -> None:
        if self.worker is not None:
            self.worker.kill()


class InProcessBackend:
    """Calls trusted functions directly, with the same reply shape as a worker."""

    def __init__(self, functions: dict[str, Callable], file_name: str = "") -> None:
        self.functions, self.file_name = functions, file_name

    def call(self, name: str, args: list, kwargs: dict) -> dict:
        from grader.sandbox.worker import describe_exception, watch_arguments
        function = self.functions.get(name)
        if function is None:
            return {"missing": f"{self.file_name} does not define a function named {name}"}
        args, kwargs = wire.loads(wire.dumps(args)), wire.loads(wire.dumps(kwargs))
        modified = watch_arguments(args, kwargs)  # as a worker would see it (a mutant may modify its input)
        try:
            value = function(*args, **kwargs)
        except Exception as exc:
            code = getattr(function, "__code__", None)
            return {"raised": describe_exception(exc, Path(code.co_filename) if code else Path())}
        try:
            return {"value": wire.loads(wire.dumps(value)), "mutated": modified()}
        except wire.WireError as exc:
            return {"bad_value": f"{type(value).__name__}: {exc}"}

    def close(self) -> None:
        pass


def _detached(value: Any) -> Any:
    """A copy of the call's arguments for the record: arrays copied, containers rebuilt.

    Arguments are plain data (they are about to cross the wire), so this is deepcopy without
    its memo and dispatch (a tenth of the cost)."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if type(value) is list:
        return [_detached(v) for v in value]
    if type(value) is tuple:
        return tuple(_detached(v) for v in value)
    if type(value) is dict:
        return {k: _detached(v) for k, v in value.items()}
    if isinstance(value, np.random.Generator):
        return copy.deepcopy(value)
    return value  # immutable: numbers, strings, None, numpy scalars


class StudentProxy:
    """``student.f(*args)`` calls the student's f through the backend and records the call."""

    def __init__(self, backend: Any, functions: tuple[str, ...], file_name: str) -> None:
        self._backend, self._functions, self._file = backend, functions, file_name

    def __getattr__(self, name: str) -> Callable:
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda *args, **kwargs: self._call(name, list(args), dict(kwargs))

    def _call(self, name: str, args: list, kwargs: dict) -> Any:
        context = current_context()
        call = Call(name, _detached(args), _detached(kwargs))  # the test may reuse its arrays afterwards
        if context is not None:
            context.calls.append(call)
        reply = self._backend.call(name, args, kwargs)
        if context is not None and reply.get("output"):
            text = _output_text(reply)
            if text:
                context.output.append(text)
        if "missing" in reply:
            raise StudentBadReturn(f"{self._file} does not define {name}(): keep the function names of the stub")
        if "raised" in reply:
            call.raised = reply["raised"] if isinstance(reply["raised"], dict) else {}
            raise student_exception(call.raised)
        if "bad_value" in reply:
            raise StudentBadReturn(f"{name}() returned a value the grader cannot accept "
                                   f"({reply['bad_value']}): return numpy arrays, numbers, "
                                   "tuples or lists of these")
        if "value" not in reply:
            raise StudentCrashed(f"the worker sent a malformed reply to {name}()")
        call.returned, call.value = True, reply["value"]
        mutated = reply.get("mutated", [])
        call.mutated = [str(m) for m in mutated] if isinstance(mutated, list) else []
        return reply["value"]
