"""The worker's replies, checked by structure: the only shapes the rest of the grader sees.

A reply comes from a process the student controls. :mod:`grader.sandbox.wire` guarantees it is
plain data of bounded size; this module guarantees it is one of the replies a worker sends, with
every field of the right type, before anything acts on it. One function per moment of the
protocol turns a decoded message into a frozen dataclass or raises :class:`MalformedReply`:

- :func:`greeting` after the import: :class:`Hello` or :class:`ImportFailed`;
- :func:`answer` after a call: :class:`Returned`, :class:`Raised`, :class:`BadValue` or
  :class:`Missing` (each with the output printed during the call and the arguments it mutated).

Types, keys and arities are checked strictly (an honest worker sends exactly these shapes, so
anything else is forged); values are clipped instead (text and list lengths to what an honest
worker sends, numbers to machine integers >= 0), and text that UTF-8 cannot carry (lone
surrogates) is replaced, so no field can break a report or a later computation.
A malformed reply is the student's error for that call, never the grader's.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Union

from grader.results import Frame, StudentError  # the result model's own types: what a report shows

OUTPUT_CAP = 8_000        # characters of printed output per phase (grader.sandbox.worker.OUTPUT_CAP)
MESSAGE_CAP = 2_000       # an exception's message, as the worker cuts it
LINE_CAP = 500            # a line of the student's code shown in a traceback
NAME_CAP = 500            # names: exception types and classes, functions, files, argument paths
FRAMES_CAP = 10           # the innermost frames of the student's own file
LIST_CAP = 1_000          # names of functions, classes of an exception, mutated arguments
_INT_CAP = 2 ** 63        # line numbers, columns and counts are machine integers


class MalformedReply(ValueError):
    """The worker sent something no honest worker sends."""


@dataclass(frozen=True)
class Output:
    """What the student's code printed (``dropped``: characters cut beyond the cap)."""
    text: str = ""
    dropped: int = 0

    def shown(self) -> str:
        return self.text + (f"\n[... {self.dropped} more characters of output were cut]" if self.dropped else "")


NO_OUTPUT = Output()


@dataclass(frozen=True)
class Hello:
    functions: tuple[str, ...]
    output: Output = NO_OUTPUT


@dataclass(frozen=True)
class ImportFailed:
    error: StudentError
    output: Output = NO_OUTPUT


@dataclass(frozen=True)
class Returned:
    value: Any
    output: Output = NO_OUTPUT
    mutated: tuple[str, ...] = ()


@dataclass(frozen=True)
class Raised:
    error: StudentError
    output: Output = NO_OUTPUT


@dataclass(frozen=True)
class BadValue:
    """The student's return value could not cross the boundary (an ndarray subclass, an object)."""
    reason: str
    output: Output = NO_OUTPUT
    mutated: tuple[str, ...] = ()


@dataclass(frozen=True)
class Missing:
    message: str


Greeting = Union[Hello, ImportFailed]
Answer = Union[Returned, Raised, BadValue, Missing]


def greeting(raw: Any) -> Greeting:
    """The worker's first message, after importing the student's file."""
    kind, reply = _kind(raw, _GREETINGS)
    output = _output(reply.get("output"))
    if kind == "hello":
        return Hello(tuple(_names(reply["hello"], "hello")), output)
    return ImportFailed(student_error(reply["import_error"]), output)


def answer(raw: Any) -> Answer:
    """The worker's answer to one call."""
    if type(raw) is dict and len(raw) == 1 and "value" in raw:  # the usual one: nothing printed or mutated
        return Returned(raw["value"])
    kind, reply = _kind(raw, _ANSWERS)
    if kind == "value":
        return Returned(reply["value"], _output(reply.get("output")), _mutated(reply.get("mutated", [])))
    if kind == "raised":
        return Raised(student_error(reply["raised"]), _output(reply.get("output")))
    if kind == "bad_value":
        return BadValue(_text(reply["bad_value"], MESSAGE_CAP, "bad_value"), _output(reply.get("output")),
                        _mutated(reply.get("mutated", [])))
    return Missing(_text(reply["missing"], MESSAGE_CAP, "missing"))


# the kinds of reply, each with the keys it may carry besides its own
_GREETINGS = {"hello": {"output"}, "import_error": {"output"}}
_ANSWERS = {"value": {"output", "mutated"}, "raised": {"output"}, "bad_value": {"output", "mutated"},
            "missing": set()}


def _kind(raw: Any, kinds: dict[str, set[str]]) -> tuple[str, dict]:
    if type(raw) is not dict:
        raise MalformedReply(f"expected a reply, got {type(raw).__name__}")
    found = [k for k in kinds if k in raw]
    if len(found) != 1:
        raise MalformedReply(f"expected exactly one of {', '.join(kinds)}")
    extra = raw.keys() - kinds[found[0]] - {found[0]}
    if extra:
        raise MalformedReply(f"unexpected field {sorted(extra)[0][:NAME_CAP]!r}")
    return found[0], raw


def student_error(raw: Any) -> StudentError:
    """An exception as the worker describes it (grader.sandbox.worker.describe_exception)."""
    if type(raw) is not dict:
        raise MalformedReply("an exception must be described by a mapping")
    extra = raw.keys() - {"type", "mro", "message", "frames", "offset"}
    if extra or not {"type", "mro", "message", "frames"} <= raw.keys():
        raise MalformedReply("an exception needs exactly type, mro, message, frames (and an offset)")
    frames = _list(raw["frames"], "frames")
    if len(frames) > FRAMES_CAP:
        frames = frames[-FRAMES_CAP:]  # the innermost ones, as the worker keeps them
    return StudentError(type=_text(raw["type"], NAME_CAP, "type"), classes=tuple(_names(raw["mro"], "mro")),
                        message=_text(raw["message"], MESSAGE_CAP, "message"),
                        frames=tuple(_frame(f) for f in frames), offset=_count(raw.get("offset", 0), "offset"))


def _frame(raw: Any) -> Frame:
    if type(raw) not in (list, tuple) or len(raw) != 4:
        raise MalformedReply("a frame is [file, line, function, code]")
    file, line, function, code = raw
    return Frame(_text(file, NAME_CAP, "file"), 0 if line is None else _count(line, "line"),
                 _text(function, NAME_CAP, "function"), _text(code, LINE_CAP, "code"))


def _output(raw: Any) -> Output:
    if raw is None:
        return NO_OUTPUT
    if type(raw) is not dict or raw.keys() != {"text", "dropped"}:
        raise MalformedReply("output is {text, dropped}")
    text, dropped = _text(raw["text"], None, "output"), _count(raw["dropped"], "dropped")
    if len(text) > OUTPUT_CAP:  # clipped as the worker clips it: the rest counts as dropped
        text, dropped = text[:OUTPUT_CAP], min(dropped + len(text) - OUTPUT_CAP, _INT_CAP - 1)
    if not text and not dropped:
        return NO_OUTPUT
    return Output(text, dropped)


def _mutated(raw: Any) -> tuple[str, ...]:
    return tuple(_names(raw, "mutated"))


def _names(raw: Any, field: str) -> list[str]:
    return [_text(name, NAME_CAP, field) for name in _list(raw, field)[:LIST_CAP]]


def _list(raw: Any, field: str) -> list:
    if type(raw) not in (list, tuple):
        raise MalformedReply(f"{field} must be a list")
    return list(raw)


def _count(raw: Any, field: str) -> int:
    if type(raw) is not int:
        raise MalformedReply(f"{field} must be a whole number")
    return min(max(raw, 0), _INT_CAP - 1)


def _text(raw: Any, cap: int | None, field: str) -> str:
    if type(raw) is not str:
        raise MalformedReply(f"{field} must be text")
    if cap is not None and len(raw) > cap:
        raw = raw[:cap - 1] + "…"
    return utf8(raw)


_SURROGATE = re.compile("[\ud800-\udfff]")


def utf8(text: str) -> str:
    """TEXT with the lone surrogates UTF-8 cannot encode replaced by U+FFFD (the wire carries them)."""
    return text if text.isascii() else _SURROGATE.sub("\ufffd", text)
