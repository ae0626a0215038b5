"""The class gradebook: one CSV row per student, rebuilt from the per-student result files.

The CSV is what an LMS imports (Canvas, Moodle, Blackboard all take "id column, then score
columns"): the first column's header is configurable (``--id-column "SIS User ID"``), then
total, max, one column per exercise, then status and reason (an exercise whose code crashed or
hung, one whose file is missing while another file sits in its place). Student-controlled text is
escaped by grader.reports.text (``csv``): one line, no control characters, and a cell starting
with ``= + - @`` is prefixed with a quote against spreadsheet formula injection, as OWASP recommends.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any, Callable, Iterable

from grader.errors import LearnError
from grader.reports.text import shown

DEFAULT_ID_COLUMN = "student"


def escape_cell(text: str) -> str:
    """Neutralize a student-controlled cell so a spreadsheet shows it instead of running it."""
    return shown(text, "csv")


def _points(value: Any) -> str:
    return f"{float(value):g}"


def exercise_columns(records: Iterable[dict[str, Any]]) -> list[str]:
    """Exercise ids in course order, from the first graded student's results."""
    columns: list[str] = []
    for record in records:
        for exercise in record.get("results", {}).get("exercises", []):
            if exercise["id"] not in columns:
                columns.append(exercise["id"])
    return columns


NOTHING_STARTED = "no exercise started (no exercise's file found, or only untouched stubs)"


def to_csv(records: list[dict[str, Any]], id_column: str = DEFAULT_ID_COLUMN,
           extra: tuple[list[str], Callable[[dict[str, Any]], list[str]]] | None = None) -> str:
    """The gradebook text: rows sorted by student, so any run over the same students is identical.
    EXTRA: (header, cells of a record) of columns appended after ``reason`` (late work's)."""
    # here: importing this module stays cheap (see grader.cli)
    from grader.classroom.analytics import grader_failure_reason, grader_failures, misnamed_of, started_nothing
    columns = exercise_columns(records)
    max_by_exercise: dict[str, float] = {}
    for record in records:
        for exercise in record.get("results", {}).get("exercises", []):
            max_by_exercise.setdefault(exercise["id"], exercise["max_score"])
    course_max = sum(max_by_exercise.values())
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    header, cells = extra or ([], lambda record: [])
    writer.writerow([escape_cell(id_column), "total", "max", *columns, "status", "reason", *header])
    for record in sorted(records, key=lambda r: r["student"]):
        results = record.get("results")
        if record.get("outcome") != "graded" or not results:
            # Refused (its folder's name cannot be used) or the grader failed: leave the scores blank
            # rather than give the student a 0.
            status = "refused" if record.get("outcome") == "refused" else "grader_error"
            writer.writerow([escape_cell(record["student"]), "", _points(course_max), *([""] * len(columns)),
                             status, escape_cell(record.get("reason", "")), *cells(record)])
            continue
        scores = {e["id"]: e for e in results["exercises"] if e["status"] != "grader_error"}
        problems = [f"{e['id']}: {trouble}" for e in results["exercises"]
                    if (trouble := e.get("trouble") or misnamed_of(e))]
        if started_nothing(results):
            problems.append(NOTHING_STARTED)  # a 0 that says why: an empty folder, or the stubs untouched
        failures = grader_failures(results)
        if failures:  # not final: the total and the exercises the grader failed on stay blank
            problems.insert(0, grader_failure_reason(failures))
        writer.writerow([escape_cell(record["student"]), "" if failures else _points(results["score"]),
                         _points(results["max_score"]), *[_points(scores[c]["score"]) if c in scores else "" for c in columns],
                         "grader_error" if failures else "graded", escape_cell("; ".join(problems)), *cells(record)])
    return buffer.getvalue()


def load_records(results_dirs: Iterable[Path]) -> list[dict[str, Any]]:
    """Every student's record under the given RESULTS folders (shard outputs), one per student."""
    from grader.classroom.records import read_record
    found: dict[str, dict[str, Any]] = {}
    for results_dir in results_dirs:
        if not results_dir.is_dir():
            raise LearnError(f"{results_dir} is not a results folder (from `learn grade-all --out`)")
        for student_dir in sorted(p for p in results_dir.iterdir() if p.is_dir() and not p.is_symlink()):
            record = read_record(student_dir)
            if record is None:
                continue
            previous = found.get(record["student"])
            if previous is not None and previous.get("outcome") == "graded" and record.get("outcome") != "graded":
                continue  # a shard that graded the student beats one where the grader failed
            found[record["student"]] = record
    if not found:
        raise LearnError("no graded students found in " + ", ".join(str(d) for d in results_dirs))
    return sorted(found.values(), key=lambda r: r["student"])
