"""The ``student`` fixture: calls into the student's code, recorded, with results as plain data.

A backend does the calling: :class:`WorkerBackend` talks to a sandboxed worker (untrusted
code), :class:`InProcessBackend` calls trusted functions directly (the reference and the
mistake catalogue, when the course checks itself). Both answer with the same validated reply
types (:mod:`grader.sandbox.replies`), so the hidden tests cannot tell them apart, and nothing
here acts on a reply the validator has not accepted.
"""
from __future__ import annotations

import builtins
import contextlib
import copy
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Union

import numpy as np

from grader.sandbox import replies, wire
from grader.sandbox import ForkServer, Limits, Worker, WorkerDied, WorkerGarbled, WorkerTimedOut
from grader.results import StudentError
from grader.spelling import misspelt
from grader.testing import Call, current_context

IMPORT_TIME_LIMIT = 20.0  # seconds to import a student's file, per exercise: restarts after a crash included
CALL_BUDGET = 30          # the student's code gets this many times the exercise's time limit, on top
# Calls sent to a worker at once by ``student.f.each``: well within a socket's send buffer (~200 KB
# on Linux), so sending never waits for a worker that is busy writing its answers.
PIPELINE_BYTES = 64 * 1024
FORGED = "something in your file wrote to the grader's channel"
# Why a process running the student's code may end before it answers, in the student's terms
ENDED = "os._exit, a crash such as a segfault, or the memory or CPU limit?"


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


class StudentMissing(StudentBadReturn):
    """The student's file does not define the function the test calls (no smaller input helps)."""


class GraderFailure(GradingInterrupt):
    """The grader could not run the student's code (its fork server failed): never the student's fault."""
    status = "grader_error"


class StudentException(Exception):
    """Mixin of every exception re-raised from student code; ``info`` is what the worker sent."""
    info: StudentError


_EXCEPTION_CLASSES: dict[type, type] = {}


def _base_class(mro: tuple[str, ...]) -> type[Exception]:
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


def student_exception(info: StudentError) -> StudentException:
    base = _base_class(info.classes)
    cls = _EXCEPTION_CLASSES.get(base)
    if cls is None:  # SystemExit, KeyboardInterrupt and friends fall back to plain Exception
        cls = StudentException if base is Exception else type(f"Student{base.__name__}", (base, StudentException), {})
        _EXCEPTION_CLASSES[base] = cls
    exc = cls(info.message)
    exc.info = info
    return exc


def format_student_exception(info: StudentError) -> str:
    """The student's traceback: their own frames, their file name, their message."""
    return info.traceback()


@dataclass(frozen=True)
class ImportTimedOut:
    """The import did not finish within its limit (the grader's observation, not a reply)."""
    seconds: float


@dataclass(frozen=True)
class ImportCrashed:
    """The worker ended before it greeted (the grader's observation)."""


@dataclass(frozen=True)
class ImportForged:
    """The worker greeted with a message no honest worker sends (the grader's observation)."""
    reason: str


Start = Union[replies.Hello, replies.ImportFailed, ImportTimedOut, ImportCrashed, ImportForged]


class WorkerBackend:
    """Runs calls in a sandboxed worker; restarts it after a crash or a timeout.

    Two budgets bound what one student file costs, whatever it does (a crash per call restarts
    the worker per call): importing the file may take IMPORT_TIME_LIMIT seconds in total, restarts
    included, and the student's code (imports and calls) CALL_BUDGET times the exercise's time
    limit on top. Only time spent waiting for the worker counts, never the grader's own work.
    """

    def __init__(self, server: ForkServer, student_file: Path, time_limit: float,
                 limits: Limits = Limits()) -> None:
        self.server, self.student_file, self.time_limit, self.limits = server, student_file, time_limit, limits
        self.worker = None
        self.hello: Start = ImportCrashed()
        self.import_left = IMPORT_TIME_LIMIT
        self.budget = IMPORT_TIME_LIMIT + CALL_BUDGET * time_limit
        self.left = self.budget

    def start(self) -> Start:
        """Start a worker and import the student's file; return its greeting, or why there is none."""
        limit = min(self.import_left, self.left)
        if limit <= 0:
            self.worker, self.hello = None, ImportTimedOut(0.0)
            return self.hello
        self.worker = self.server.spawn(self.student_file, self.limits)
        started = time.monotonic()
        try:
            self.hello = replies.greeting(self.worker.receive(limit))
        except WorkerTimedOut:
            self.worker = None
            self.hello = ImportTimedOut(limit)
        except (WorkerGarbled, replies.MalformedReply) as exc:  # bytes or a greeting no honest worker sends
            self.close()
            self.worker = None
            self.hello = ImportForged(str(exc))
        except WorkerDied:
            self.worker = None
            self.hello = ImportCrashed()
        spent = time.monotonic() - started
        self.import_left -= spent
        self.left -= spent
        return self.hello

    def _ready(self, name: str) -> float:
        """A worker that has imported the file (started again after a crash or a timeout), and the
        time the next call may take; raises what the call ends with if there is neither."""
        if self.worker is None or not self.worker.alive:
            try:
                hello = self.start()
            except (OSError, RuntimeError) as exc:  # the fork server could not start a worker
                raise GraderFailure(f"the grader could not start a process to run {name}() ({exc})") from None
            if isinstance(hello, ImportTimedOut):
                raise StudentTimeout(f"{name}() could not run: importing your file again (after an earlier crash "
                                     f"or timeout) did not finish within the {hello.seconds:.3g} s left. Imports may "
                                     f"take {IMPORT_TIME_LIMIT:g} s in total per exercise, restarts included.")
            if not isinstance(hello, replies.Hello):
                raise StudentCrashed("your file could not be imported again after an earlier crash")
        limit = min(self.time_limit, self.left)
        if limit <= 0:
            raise StudentTimeout(f"{name}() was not run: your code has used up the exercise's time budget "
                                 f"({self.budget:g} s of imports and calls)")
        return limit

    @contextlib.contextmanager
    def _talking(self, name: str, limit: float) -> Iterator[None]:
        """Charge the time spent to the budget; turn the worker's failures into what the call ends with."""
        started = time.monotonic()
        try:
            yield
        except WorkerTimedOut:
            if limit < self.time_limit:
                raise StudentTimeout(f"{name}() did not finish within the {limit:.3g} s left of the exercise's "
                                     f"time budget ({self.budget:g} s of imports and calls)") from None
            raise StudentTimeout(f"{name}() did not finish within {self.time_limit:g} s "
                                 "(an infinite loop, or far too much work?)") from None
        except (WorkerGarbled, replies.MalformedReply) as exc:
            self.close()  # its next message could be anything: a fresh worker answers the next call
            raise StudentCrashed(f"the process running {name}() sent a reply the grader cannot accept "
                                 f"({exc}): {FORGED}") from None
        except WorkerDied:
            raise StudentCrashed(f"the process running {name}() ended before it answered ({ENDED})") from None
        finally:
            self.left -= time.monotonic() - started

    def call(self, name: str, args: list, kwargs: dict) -> replies.Answer:
        limit = self._ready(name)
        with self._talking(name, limit):
            return replies.answer(self.worker.call(name, args, kwargs, limit))

    def call_many(self, name: str, calls: list[tuple[list, dict]],
                  on_answer: Callable[[replies.Answer], None]) -> None:
        """Make CALLS of NAME (arguments and keyword arguments each) as many calls one after
        another would, handing each answer to ON_ANSWER in order. The calls are sent in windows
        (:meth:`_window_bytes`): the worker answers a whole window without waiting for the
        grader, which wakes it once per window instead of once per call. Each answer may take
        the time limit after the one before it (the worker starts a call once it has answered
        the previous one). A call that ends without an answer raises as :meth:`call` does;
        ON_ANSWER raising (the student's exception) ends the calls too. Either way, if calls
        already sent are unanswered, the worker is stopped: waiting for answers nobody reads
        would spend the student's time budget on calls a loop never makes, and the next call
        starts a fresh worker, whose next answer is that call's."""
        frames = [Worker.call_frame(name, args, kwargs) for args, kwargs in calls]
        self._ready(name)  # the worker whose socket sizes the windows
        for window in _windows(frames, self._window_bytes()):
            limit = self._ready(name)
            with self._talking(name, limit):
                self.worker.send_calls(window, limit)
            unread = len(window)
            try:
                for _ in window:
                    limit = self._left(name)
                    with self._talking(name, limit):
                        answer = replies.answer(self.worker.receive(limit))
                    unread -= 1
                    on_answer(answer)
            finally:
                if unread:
                    self.close()

    def _window_bytes(self) -> int:
        """Calls sent at once: PIPELINE_BYTES, or a fourth of the socket's send buffer if that is
        less (a machine may grant less than Linux's ~200 KB). What is sent must fit there whole:
        the grader would otherwise wait to send while the worker waits for the grader to read."""
        try:
            return max(1, min(PIPELINE_BYTES, self.worker.sock.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF) // 4))
        except (AttributeError, OSError):  # no worker yet (_ready starts one), or no such option
            return PIPELINE_BYTES

    def _left(self, name: str) -> float:
        limit = min(self.time_limit, self.left)
        if limit <= 0:
            raise StudentTimeout(f"{name}() was not run: your code has used up the exercise's time budget "
                                 f"({self.budget:g} s of imports and calls)")
        return limit

    def close(self) -> None:
        if self.worker is not None:
            self.worker.kill()


def _windows(frames: list[bytes], size: int) -> Iterator[list[bytes]]:
    """FRAMES in consecutive groups of at most SIZE bytes (a larger frame alone)."""
    window: list[bytes] = []
    used = 0
    for frame in frames:
        if window and used + len(frame) > size:
            yield window
            window, used = [], 0
        window.append(frame)
        used += len(frame)
    if window:
        yield window


class InProcessBackend:
    """Calls trusted functions directly, with the same replies as a worker."""

    def __init__(self, functions: dict[str, Callable], file_name: str = "") -> None:
        self.functions, self.file_name = functions, file_name

    def call(self, name: str, args: list, kwargs: dict) -> replies.Answer:
        from grader.sandbox.worker import describe_exception, watch_arguments
        function = self.functions.get(name)
        if function is None:
            return replies.Missing(f"{self.file_name} does not define a function named {name}")
        args, kwargs = wire.loads(wire.dumps(args)), wire.loads(wire.dumps(kwargs))
        modified = watch_arguments(args, kwargs)  # as a worker would see it (a mutant may modify its input)
        try:
            value = function(*args, **kwargs)
        except Exception as exc:
            code = getattr(function, "__code__", None)
            return replies.Raised(replies.student_error(
                describe_exception(exc, Path(code.co_filename) if code else Path())))
        try:
            return replies.Returned(wire.loads(wire.dumps(value)), mutated=tuple(modified()))
        except wire.WireError as exc:
            return replies.BadValue(f"{type(value).__name__}: {exc}")

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
        return _copied_generator(value)
    return value  # immutable: numbers, strings, None, numpy scalars


_ANY_SEED = np.random.SeedSequence(0)  # overwritten at once by the state copied: no OS entropy
_BIT_GENERATORS = (np.random.PCG64, np.random.PCG64DXSM, np.random.MT19937, np.random.Philox, np.random.SFC64)


def _copied_generator(rng: np.random.Generator) -> np.random.Generator:
    """A generator in RNG's state (a fourth of deepcopy's cost: the init exercises pass one per call)."""
    bit_generator = rng.bit_generator
    if type(rng) is not np.random.Generator or type(bit_generator) not in _BIT_GENERATORS:
        return copy.deepcopy(rng)  # a subclass or a bit generator of the test's own: as it copies itself
    fresh = type(bit_generator)(_ANY_SEED)
    fresh.state = bit_generator.state
    return np.random.Generator(fresh)


@contextlib.contextmanager
def _students_time() -> Iterator[None]:
    """Counts the block as the student's time in the current test (see grader.test_clock)."""
    context = current_context()
    if context is None:
        yield
        return
    started, context.in_student_call = time.monotonic(), True
    try:
        yield
    finally:  # counted before the flag drops: a timer firing in between sees the call as the student's
        context.student_seconds += time.monotonic() - started
        context.in_student_call = False


class StudentProxy:
    """``student.f(*args)`` calls the student's f through the backend and records the call;
    ``student.f.each(arguments, **kwargs)`` makes many calls at once (see :class:`StudentFunction`)."""

    def __init__(self, backend: Any, functions: tuple[str, ...], file_name: str) -> None:
        self._backend, self._functions, self._file = backend, functions, file_name

    def __getattr__(self, name: str) -> "StudentFunction":
        if name.startswith("_"):
            raise AttributeError(name)
        return StudentFunction(self, name)

    def _call(self, name: str, args: list, kwargs: dict) -> Any:
        call = self._recorded(name, args, kwargs)
        with _students_time():
            reply = self._backend.call(name, args, kwargs)
        return self._settled(call, reply)

    def _each(self, name: str, arguments: list[tuple], kwargs: dict) -> list:
        calls = [(list(args), dict(kwargs)) for args in arguments]
        call_many = getattr(self._backend, "call_many", None)
        if call_many is None:  # a trusted backend: one call after another is as fast
            return [self._call(name, args, kw) for args, kw in calls]
        values: list = []
        recorded: list[Call] = []

        def settle(answer: replies.Answer) -> None:
            args, kw = calls[len(recorded)]
            recorded.append(self._recorded(name, args, kw))
            values.append(self._settled(recorded[-1], answer))
        try:
            with _students_time():
                call_many(name, calls, settle)
        except GradingInterrupt:
            if len(recorded) == len(values) < len(calls):  # no answer to this call: recorded as a single call is
                self._recorded(name, *calls[len(values)])
            raise
        return values

    def _did_you_mean(self, name: str) -> str:
        """`, but defines cosine_similarty()` when the file defines a close name (a typo)."""
        hello = getattr(self._backend, "hello", None)
        close = misspelt(name, [f for f in getattr(hello, "functions", ()) if isinstance(f, str)])
        return f", but defines {close}()" if close else ""

    def _recorded(self, name: str, args: list, kwargs: dict) -> Call:
        call = Call(name, _detached(args), _detached(kwargs))  # the test may reuse its arrays afterwards
        context = current_context()
        if context is not None:
            context.calls.append(call)
        return call

    def _settled(self, call: Call, reply: replies.Answer) -> Any:
        """CALL's value, from the worker's REPLY; or the exception the call ends with."""
        name = call.function
        output = getattr(reply, "output", replies.NO_OUTPUT)
        context = current_context()
        if context is not None and output is not replies.NO_OUTPUT:
            context.output.append(output)
        if isinstance(reply, replies.Returned):
            call.returned, call.value, call.mutated = True, reply.value, list(reply.mutated)
            return reply.value
        if isinstance(reply, replies.Raised):
            call.raised = reply.error
            raise student_exception(reply.error)
        if isinstance(reply, replies.BadValue):
            raise StudentBadReturn(f"{name}() returned a value the grader cannot accept "
                                   f"({reply.reason}): return numpy arrays, numbers, "
                                   "tuples or lists of these")
        if isinstance(reply, replies.Missing):
            raise StudentMissing(f"{self._file} does not define {name}(){self._did_you_mean(name)}: keep the "
                                 "function names of the stub")
        raise StudentCrashed(f"the worker sent a malformed reply to {name}()")


class StudentFunction:
    """One of the student's functions, as a hidden test sees it: ``student.f``.

    Called, it is one call. ``each(arguments, **kwargs)`` is ``[f(*args, **kwargs) for args in
    arguments]`` (ARGUMENTS: tuples of positional arguments, the keyword arguments shared), the
    same calls in the same order with the same results and records, up to the first that does
    not return a value (which raises, as the loop would). The worker gets them all at once, so
    a statistical test that draws 64 times wakes it once, not 64 times.
    """

    def __init__(self, proxy: StudentProxy, name: str) -> None:
        self._proxy, self._name = proxy, name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._proxy._call(self._name, list(args), dict(kwargs))

    def each(self, arguments: Any, **kwargs: Any) -> list:
        return self._proxy._each(self._name, [tuple(a) for a in arguments], kwargs)

    def __repr__(self) -> str:
        return f"<the student's {self._name}()>"
