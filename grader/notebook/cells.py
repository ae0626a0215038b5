"""From the extracted file's lines back to the notebook's cells, after the worker has answered.

The worker imports the extracted answer as ``<stem>.py`` and names that file and its lines in
what it sends (an exception's frames, warnings in the printed output). Nothing in the worker
knows about cells: the grader rewrites those places here, from the :class:`Answer`'s line map,
so a student reads ``File "softmax.ipynb, cell 4", line 2, in softmax``. Frames arrive as
structure (checked replies) and are rewritten as structure; only the student's printed output, which is
text by nature, is rewritten as text, and only where it names the extracted file.
"""
from __future__ import annotations

import dataclasses
import re
from typing import Any

from grader.notebook.answer import Answer
from grader.results import ExerciseResult, StudentError
from grader.sandbox import replies


class Cells:
    """The line map of one extracted answer: EXTRACTED (``softmax.py``) came from NOTEBOOK."""

    def __init__(self, answer: Answer, extracted: str, notebook: str) -> None:
        self.answer, self.extracted, self.notebook = answer, extracted, notebook
        # "/submission/softmax.py:12:" (a warning) or 'File "/tmp/x/softmax.py", line 12' (a printed traceback)
        name = re.escape(extracted)
        self._in_text = re.compile(rf'(?:[^\s"\':]*/)?{name}(?P<sep>:|", line )(?P<line>\d+)')

    def where(self, line: int) -> tuple[str, int] | None:
        """(``softmax.ipynb, cell 4``, line in the cell) for a line of the extracted file."""
        found = self.answer.locate(line)
        return None if found is None else (f"{self.notebook}, cell {found[0]}", found[1])

    def error(self, error: StudentError) -> StudentError:
        """ERROR (checked by grader.sandbox.replies) with its frames in the extracted file named by cell."""
        frames = []
        for frame in error.frames:
            found = self.where(frame.line) if frame.file == self.extracted else None
            frames.append(dataclasses.replace(frame, file=found[0], line=found[1]) if found else frame)
        return dataclasses.replace(error, frames=tuple(frames))

    def text(self, text: str) -> str:
        def replace(match: re.Match) -> str:
            found = self.where(int(match["line"]))
            if found is None:
                return match[0]
            return f"{found[0]}, line {found[1]}" if match["sep"] == ":" else f'{found[0]}", line {found[1]}'
        return self._in_text.sub(replace, text) if self.extracted in text else text

    def _lead(self, error: str) -> str:
        """ERROR with the file its first line names (the grader's own words: "softmax.py could not
        be imported") called by the notebook's name: the student has no softmax.py."""
        first, newline, rest = error.partition("\n")
        return re.sub(rf"(?<![\w/.-]){re.escape(self.extracted)}(?![\w.])", self.notebook, first) + newline + rest

    def result(self, result: ExerciseResult) -> None:
        """Point RESULT (graded from the extracted file) at the notebook: its name, cells, lines."""
        result.file = self.notebook
        result.output = self.text(result.output)
        result.error = self._lead(self.text(result.error))
        for test in result.tests:
            test.output = self.text(test.output)
        for violation in result.violations:
            found = self.answer.locate(violation.line)
            if found is not None:
                violation.cell, violation.line = found


class CellBackend:
    """A worker backend whose replies name cells: frames of import errors and of exceptions."""

    def __init__(self, backend: Any, cells: Cells) -> None:
        self.backend, self.cells = backend, cells

    def start(self) -> Any:
        hello = self.backend.start()
        if isinstance(hello, replies.ImportFailed):
            return dataclasses.replace(hello, error=self.cells.error(hello.error))
        return hello

    def call(self, name: str, args: list, kwargs: dict) -> Any:
        return self._named(self.backend.call(name, args, kwargs))

    def call_many(self, name: str, calls: list, on_answer: Any) -> None:
        self.backend.call_many(name, calls, lambda reply: on_answer(self._named(reply)))

    def _named(self, reply: Any) -> Any:
        if isinstance(reply, replies.Raised):
            return dataclasses.replace(reply, error=self.cells.error(reply.error))
        return reply

    def close(self) -> None:
        self.backend.close()
