"""Where an exception came from in the student's own file, from its frames.

The worker trims a traceback to the student's frames and the result keeps them as data
(:class:`grader.results.StudentError`); the report only needs the innermost of them in the
student's file, to point at one line: "scores.py, line 30, in attention_scores: return s / Q.shape[-1]".
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from grader.results import StudentError


@dataclass(frozen=True)
class Origin:
    file: str
    line: int
    function: str
    code: str
    error: str

    @property
    def where(self) -> str:
        return f"{self.file}, line {self.line}" + (f", in {self.function}" if self.function else "")


def _in_file(shown: str, file: str) -> bool:
    """SHOWN (a frame's file) is FILE, or one of its cells: ``softmax.ipynb, cell 4`` (grader.notebook.cells)."""
    name = shown.rsplit("/", 1)[-1]
    return name == file or re.fullmatch(re.escape(file) + r", cell \d+", name) is not None


def origin(exception: StudentError | None, file: str | None = None) -> Origin | None:
    """The innermost frame of EXCEPTION (in FILE when given), or None when there is none."""
    if exception is None:
        return None
    frames = [f for f in exception.frames if f.line > 0 and (file is None or _in_file(f.file, file))]
    if not frames:
        return None
    last = frames[-1]
    error = f"{exception.type}: {exception.message}" if exception.message else exception.type
    return Origin(file=last.file, line=last.line, function=last.function, code=last.code, error=error)
