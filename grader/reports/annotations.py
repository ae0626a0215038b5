"""GitHub Actions workflow commands: ``::error file=...,line=...::`` on the student's lines."""
from __future__ import annotations

import re
from pathlib import Path

from grader.reports.origins import origin
from grader.reports.text import plain, test_text
from grader.results import CourseResult, ExerciseResult, Status, StudentError

MAX_ANNOTATIONS_PER_EXERCISE = 5


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _line_of(exception: StudentError | None, test_name: str, ex: ExerciseResult, source: list[str]) -> int:
    """Where to pin a failure: the student's own innermost frame if the code raised, else the
    def of the function the test is named after."""
    raised = origin(exception, ex.file)
    if raised:
        return raised.line
    for number, line in enumerate(source, 1):
        match = re.match(r"\s*def\s+(\w+)", line)  # the student's source, not our text
        if match and match[1] in test_name:
            return number
    return 1


def github_annotations(result: CourseResult, workspace: Path, base: Path) -> list[str]:
    """``::error`` workflow commands for what failed, with paths relative to BASE (the checkout)."""
    commands = []
    for ex in result.exercises:
        if ex.status in (Status.PASSED, Status.NOT_STARTED):
            continue
        path = (workspace / ex.id / ex.file).resolve()
        try:
            shown = str(path.relative_to(base.resolve()))
            source = path.read_text(encoding="utf-8", errors="replace").splitlines()
        except (ValueError, OSError):
            shown, source = f"{ex.id}/{ex.file}", []
        pins = [(v.line, f"forbidden: {v.message}", "rule") for v in ex.violations]
        if ex.error and not ex.violations:
            pins.append((_line_of(ex.exception, "", ex, source), ex.error, ex.status.value))
        failing = [t for t in ex.tests if t.status not in (Status.PASSED, Status.NOT_STARTED)]
        if not ex.error:
            pins += [(_line_of(t.exception, t.name, ex, source), test_text(t), t.name) for t in failing]
        for line, message, title in pins[:MAX_ANNOTATIONS_PER_EXERCISE]:
            props = f"file={_escape_property(shown)},line={line},title={_escape_property(f'{ex.id}: {title}')}"
            commands.append(f"::error {props}::{_escape_data(plain(message))}")
    return commands
