"""What a hidden test shows of what the student's code did, and why no more.

A hidden test never shows its inputs or expected values (docs/security.md). What the student's
code prints, the message of what it raises, its frames' code and function names are text that
code writes, and a hostile worker can forge any of it: each could carry the test's inputs back
to the student. So a hidden test shows only words of the grader's own vocabulary, each choice
from a small fixed set (a few bits, the bounded channel a verdict already is):

- what was printed: that something was, and numpy's first floating-point warning in numpy's
  fixed words (``numpy warned: invalid value encountered in arccos``, the clue to a NaN);
- what was raised: its type if Python's or numpy's (else the first such class it derives from),
  the sandbox's own refusals (a ``breakpoint()`` left in), and where: the student's file (or a
  notebook's cell), at a line that exists in what was graded.
"""
from __future__ import annotations

import builtins
import re
from typing import TYPE_CHECKING

import numpy as np

from grader.notebook.layout import notebook_name
from grader.results import Frame, StudentError
from grader.sandbox import guard

if TYPE_CHECKING:
    from grader.course import Exercise

_NUMPY_WARNING = re.compile(r"RuntimeWarning: (invalid value|divide by zero|overflow|underflow) encountered in "
                            r"(scalar )?(\w{1,32})$", re.MULTILINE)
# vars(), not dir() and getattr(): numpy's module __getattr__ imports its lazy submodules (90 ms)
_NUMPY_OPERATIONS = frozenset(name for name, value in vars(np).items() if isinstance(value, np.ufunc)) | {
    "cast", "reduce", "accumulate"}

# numpy.exceptions exists from numpy 1.25; before it, these lived in numpy itself
_NUMPY_EXCEPTIONS = {"AxisError", "ComplexWarning", "DTypePromotionError", "ModuleDeprecationWarning",
                     "RankWarning", "TooHardError", "VisibleDeprecationWarning", "LinAlgError"}
KNOWN_EXCEPTIONS = frozenset(
    [name for name, value in vars(builtins).items() if isinstance(value, type) and issubclass(value, BaseException)]
    + [name for name in vars(np).get("exceptions", builtins).__dict__ if name[:1].isupper()]
    + sorted(_NUMPY_EXCEPTIONS))
_OWN_MODULES = ("builtins.", "numpy.")
MESSAGE = "its message is not shown in a hidden test: it may hold the test's inputs"
# The sandbox's own refusals ("sys.settrace is not allowed while grading"): the report says what to do.
_REFUSALS = frozenset(f"{event} is not allowed while grading" for event in guard.REFUSED)
_MOST_CELLS = 9999  # a notebook cell's number, as a frame may name it


def printed(text: str, count: int) -> str:
    """What a hidden test shows of COUNT characters printed, TEXT being what was kept of them. The
    count itself is not shown: the student's code chooses it (a forged one up to 2**63)."""
    if not count:
        return ""
    warning = first_numpy_warning(text)
    return (f"{warning}\n" if warning else "") + (
        "[your code printed during this hidden test: not shown, since it may hold its inputs]")


def first_numpy_warning(text: str) -> str:
    """The first numpy floating-point warning in TEXT, in numpy's fixed words; '' if none."""
    for match in _NUMPY_WARNING.finditer(text):
        if match[3] in _NUMPY_OPERATIONS:
            return f"numpy warned: {match[1]} encountered in {match[2] or ''}{match[3]}"
    return ""


def raised(error: StudentError, exercise: Exercise, lines: int) -> StudentError:
    """ERROR as a hidden test shows it; LINES, how many lines the graded file has."""
    return StudentError(_type(error), error.message if error.message in _REFUSALS else MESSAGE,
                        _where(error, exercise, lines))


def _type(error: StudentError) -> str:
    ours = [name.rsplit(".", 1)[-1] for name in error.classes if name.startswith(_OWN_MODULES)]
    ours = [name for name in ours if name in KNOWN_EXCEPTIONS]
    if error.type in KNOWN_EXCEPTIONS and ours and ours[0] == error.type:
        return error.type
    # a class of the student's (its name could be made of the inputs, or borrow a builtin's)
    own = "an exception of your code's own class"
    return f"{own}, derived from {ours[0]}" if ours else own


def _where(error: StudentError, exercise: Exercise, lines: int) -> tuple[Frame, ...]:
    """The innermost frame in the student's own file, named as the grader names it, at a line that
    exists there; nothing else of the frames."""
    cell = re.compile(re.escape(notebook_name(exercise)) + r", cell (\d{1,4})")
    for frame in reversed(error.frames):
        in_notebook = cell.fullmatch(frame.file)
        if frame.file != exercise.file and not (in_notebook and 0 < int(in_notebook[1]) <= _MOST_CELLS):
            continue
        return (Frame(frame.file, frame.line, ""),) if 0 < frame.line <= lines else ()
    return ()
