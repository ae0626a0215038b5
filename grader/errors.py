"""Exceptions that know their exit status and how to show themselves.

Only the CLI turns them into output and an exit code; everything below it raises.
"""
from __future__ import annotations


class LearnError(Exception):
    """A problem the user can fix: bad arguments, a broken course, a missing file."""

    exit_code = 2

    def show(self) -> str:
        return f"Error: {self}"


class CourseError(LearnError):
    """The course itself is broken (YAML, missing stub, bad test module)."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 field: str | None = None) -> None:
        where = ""
        if path:
            where = path if line is None else f"{path}:{line}"
            where += ": "
        if field:
            where += f"{field}: "
        super().__init__(f"{where}{message}")
        self.path, self.line, self.field = path, line, field


class WorkspaceError(LearnError):
    """The student's workspace cannot be used as asked."""


class GraderBug(Exception):
    """The grader itself failed. Never the student's fault."""

    exit_code = 3

    def show(self) -> str:
        return (f"Internal error: {self}\n"
                "This is a bug in the grader, not in your code. Please report it with the "
                "command you ran and `learn --debug` output.")
