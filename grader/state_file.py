"""The student's state file, ``.learn/state.json``: what each field holds, checked whenever it is read.

Everything that reads the state trusts its shape (``state["best"][id]["score"]`` is a number), so
the shape is checked once, here, field by field. A file that fails the check (cut short, edited
by hand, written by something else) is damaged: it is renamed beside itself to
``state.json.damaged-<time>`` (kept, never deleted: it is the student's progress) and the
command goes on with fresh progress. Fields this version does not know are kept as they are
(a newer learn may have written them). Locking and writing stay with grader.workspace.
"""
from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path
from typing import Any, Callable

from grader.errors import WorkspaceError
from grader.notebook.layout import FORMATS
from grader.storage import sync_folder


def _text(value: Any) -> bool:
    return isinstance(value, str)


def _number(value: Any) -> bool:
    return type(value) in (int, float) and math.isfinite(value)


def _count(value: Any) -> bool:
    return type(value) is int and value >= 0


def _flag(value: Any) -> bool:
    return type(value) is bool


def _best(value: Any) -> bool:
    return type(value) is dict and all(_number(value.get(key)) for key in ("score", "max"))


# field: (what it must be, its check); PER_EXERCISE fields map exercise ids to such values
FIELDS: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "_": ("a string", _text),
    "course": ("a course folder's path", _text),
    "current": ("an exercise id", _text),
    "format": (" or ".join(repr(f) for f in FORMATS), lambda value: isinstance(value, str) and value in FORMATS),
}
PER_EXERCISE: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "started": ("a time in seconds", _number),
    "hints": ("a whole number of hints seen", _count),
    "best": ('{"score": a number, "max": a number}', _best),
    "passed": ("true or false", _flag),
    "last": ("a status", _text),
}


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "true or false",
            type(None): "null", int: "a number", float: "a number"}.get(type(value), type(value).__name__)


def problem(state: Any) -> str:
    """What is wrong with STATE (parsed JSON), or "" when every field has its type."""
    if type(state) is not dict:
        return f"expected an object, got {_kind(state)}"
    for name, value in state.items():
        if name in FIELDS:
            wanted, check = FIELDS[name]
            if not check(value):
                return f"{name}: expected {wanted}, got {_kind(value)}"
        elif name in PER_EXERCISE:
            wanted, check = PER_EXERCISE[name]
            if type(value) is not dict:
                return f"{name}: expected an object (exercise id: {wanted}), got {_kind(value)}"
            for exercise, item in value.items():
                if not check(item):
                    return f"{name}.{exercise}: expected {wanted}, got {_kind(item)}"
    return ""


def read(path: Path) -> tuple[dict[str, Any], str]:
    """The state at PATH and "" (a missing file is fresh progress), or ({}, what is wrong with it).
    A file that exists but cannot be read is a WorkspaceError: it is not ignored, then overwritten."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}, ""
    except OSError as exc:
        raise WorkspaceError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        state = json.loads(raw.decode("utf-8"))
    except json.JSONDecodeError as exc:
        return {}, f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
    except (ValueError, RecursionError) as exc:  # not UTF-8, or nested too deeply
        return {}, f"not valid JSON ({type(exc).__name__})"
    wrong = problem(state)
    return ({}, wrong) if wrong else (state, "")


def set_aside(path: Path, why: str) -> str:
    """Rename the damaged file at PATH beside itself (never over another file); the warning to show.
    The caller holds the state lock, so no other learn process reads or replaces it meanwhile."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    backup = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while os.path.lexists(backup):
        n += 1
        backup = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
    try:
        os.rename(path, backup)
        sync_folder(path.parent)
    except OSError as exc:
        return left_in_place(path, why, exc)
    return (f"Warning: {path} is damaged ({why}). learn moved it to {backup} and goes on with fresh "
            "progress (scores, hints seen); your exercise files are untouched.")


def left_in_place(path: Path, why: str, error: OSError) -> str:
    """The warning for a damaged file that could not be renamed (ERROR says why)."""
    return (f"Warning: {path} is damaged ({why}) and could not be moved aside ({error.strerror or error}): "
            "learn goes on without the progress it recorded.")
