"""GitHub Actions workflow commands: ``::error file=...,line=...::`` on the student's lines."""
from __future__ import annotations

import re
from pathlib import Path

from grader.reports import text
from grader.reports.origins import origin
from grader.reports.text import test_text
from grader.results import CourseResult, ExerciseResult, Status, StudentError
from grader.sources import read_source

MAX_ANNOTATIONS_PER_EXERCISE = 5


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
            where = str(path.relative_to(base.resolve()))
            read = read_source(path)
            source = read.text.splitlines() if read and not read.too_large else []
        except (ValueError, OSError):
            where, source = f"{ex.id}/{ex.file}", []
        pins = [(v.line, f"forbidden: {v.message}", "rule") for v in ex.violations]
        if ex.error and not ex.violations:
            pins.append((_line_of(ex.exception, "", ex, source), ex.error, ex.status.value))
        if ex.status is Status.GRADER_ERROR:  # the grader's failure: not pinned on the student's lines
            broken = ", ".join(t.name for t in ex.tests if t.status is Status.GRADER_ERROR)
            commands.append(f"::error title={text.shown(f'{ex.id}: grader error', 'annotation-property')}::"
                            + text.shown(f"The grader could not check {broken}: not the student's code. "
                                         "The score is incomplete until the exercise is fixed.", "annotation"))
        failing = [t for t in ex.tests if t.status not in (Status.PASSED, Status.NOT_STARTED, Status.GRADER_ERROR)]
        if not ex.error:
            pins += [(_line_of(t.exception, t.name, ex, source), test_text(t), t.name) for t in failing]
        for line, message, title in pins[:MAX_ANNOTATIONS_PER_EXERCISE]:
            props = f"file={text.shown(where, 'annotation-property')},line={line}," \
                    f"title={text.shown(f'{ex.id}: {title}', 'annotation-property')}"
            commands.append(f"::error {props}::{text.shown(message, 'annotation')}")
    return commands
