"""Where an exception came from in the student's own file, read back from its traceback text.

The worker already trims a traceback to the student's frames (``proxy.format_student_exception``);
the report only needs the innermost of them, to point at one line: "scores.py, line 30, in
attention_scores: return s / Q.shape[-1]". Reading it from the message keeps renderers pure
functions of the result, with no new field in the result model.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_FRAME = re.compile(r'^\s*File "(?P<file>[^"\n]+)", line (?P<line>\d+)(?:, in (?P<function>[^\n]+))?\n'
                    r'(?:(?P<code>[ \t]+\S[^\n]*)\n)?', re.MULTILINE)
_LAST_LINE = re.compile(r"^(?P<error>[A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Warning)\b[^\n]*)$",
                        re.MULTILINE)


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


def origin(message: str, file: str | None = None) -> Origin | None:
    """The innermost frame in MESSAGE (in FILE when given), or None when there is no traceback."""
    frames = [m for m in _FRAME.finditer(str(message or "") + "\n")
              if file is None or _in_file(m.group("file"), file)]
    if not frames:
        return None
    last = frames[-1]
    errors = _LAST_LINE.findall(str(message)[last.end():])
    return Origin(file=last.group("file"), line=int(last.group("line")),
                  function=(last.group("function") or "").strip(),
                  code=(last.group("code") or "").strip(), error=errors[0] if errors else "")
