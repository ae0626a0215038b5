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


class CourseErrors(CourseError):
    """Every problem found in a course's YAML, not only the first: an author fixes them in one go.
    Shown a line each, each line the one a single CourseError shows (``file:line: field: what``)."""

    def __init__(self, errors: list[CourseError]) -> None:
        Exception.__init__(self, "\n".join(map(str, errors)))
        self.errors = errors
        self.path, self.line, self.field = errors[0].path, errors[0].line, errors[0].field

    @staticmethod
    def raise_any(errors: list[CourseError]) -> None:
        """Raise ERRORS: the only one as itself, several together; nothing when there are none."""
        flat = [e for error in errors for e in (error.errors if isinstance(error, CourseErrors) else [error])]
        if len(flat) == 1:
            raise flat[0]
        if flat:
            raise CourseErrors(flat)

    def show(self) -> str:
        return "\n".join(f"Error: {error}" for error in self.errors)


class WorkspaceError(LearnError):
    """The student's workspace cannot be used as asked."""


class GraderBug(Exception):
    """The grader itself failed. Never the student's fault."""

    exit_code = 3

    def show(self) -> str:
        return (f"Internal error: {self}\n"
                "This is a bug in the grader, not in your code. Please report it with the "
                "command you ran and `learn --debug` output.")
