"""The class-wide files of a results folder: gradebook.csv, summary.md, summary.html and run.json.

Always rebuilt from the students' committed records, so one run, a ``--resume`` and a merge of
shards over the same students write the same files.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterable

from grader.classroom import analytics, gradebook
from grader.storage import write_atomic

RUN_FILE = "run.json"


def write_run(out: Path, shard: str | None, skipped: list[tuple[str, str]], duration: float,
              graded: int, reused: int, refused: list[tuple[str, str]] = (),  # type: ignore[assignment]
              **extra: Any) -> None:
    """What this grade-all run did (read back when shards are merged). REFUSED: the students'
    folders whose names cannot be used (they have no folder of their own to hold a record).
    EXTRA: more fields, such as the submissions folder and course that `learn similarity` and
    the merge find here."""
    write_atomic(out / RUN_FILE, json.dumps({"shard": shard, "skipped": skipped, "duration": round(duration, 3),
                                             "graded": graded, "reused": reused, "refused": list(refused),
                                             **extra}, indent=2) + "\n")


def read_run(folder: Path) -> dict[str, Any] | None:
    """FOLDER's run.json (None if missing or unreadable: that grade-all did not finish)."""
    try:
        run = json.loads((folder / RUN_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return run if isinstance(run, dict) else None


def _runs(results: Iterable[Path]) -> list[dict[str, Any]]:
    return [run for run in map(read_run, results) if run is not None]


def merged_runs(results: Iterable[Path]) -> tuple[list[tuple[str, str]], float]:
    """The skipped folders of every shard and the longest shard's duration (they ran side by side)."""
    skipped: dict[str, str] = {}
    duration = 0.0
    for run in _runs(results):
        skipped.update({name: reason for name, reason in run.get("skipped", [])})
        duration = max(duration, float(run.get("duration", 0.0)))
    return sorted(skipped.items()), duration


def refused_records(refused: Iterable[tuple[str, str]]) -> list[dict[str, Any]]:
    """A gradebook row's record for each refused student folder (name, reason), once each."""
    return [{"student": name, "outcome": "refused", "reason": reason} for name, reason in sorted(dict(refused).items())]


def merged_refused(results: Iterable[Path]) -> list[tuple[str, str]]:
    """The refused student folders of every shard (each shard sees the whole submissions folder)."""
    return [(name, reason) for run in _runs(results) for name, reason in run.get("refused", [])]


def write_class_files(out: Path, records: list[dict[str, Any]], skipped: list[tuple[str, str]],
                      duration: float, id_column: str, similarity: dict[str, Any] | None = None,
                      late: dict[str, Any] | None = None, graded: int | None = None,
                      reused: int = 0) -> analytics.ClassSummary:
    """gradebook.csv and the summary in Markdown and HTML; also the Actions job summary.
    SIMILARITY: what `learn similarity` wrote into OUT/similarity, for the summary's section.
    LATE: the run's late work (grader.classroom.late.assess): adjusted columns in the gradebook.
    GRADED and REUSED: students graded in DURATION and kept by --resume (the summary's timing)."""
    from grader import reports
    from grader.classroom import late as lateness
    summary = analytics.summarize(records, skipped, duration, graded_in_run=graded, reused=reused)
    summary.similarity = similarity
    extra = lateness.columns(late, gradebook.exercise_columns(records)) if late else None
    write_atomic(out / "gradebook.csv", gradebook.to_csv(records, id_column, extra))
    markdown = reports.render_summary(summary, "markdown")
    write_atomic(out / "summary.md", markdown)
    write_atomic(out / "summary.html", reports.render_summary(summary, "html"))
    step_summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if os.environ.get("GITHUB_ACTIONS") == "true" and step_summary:
        with open(step_summary, "a", encoding="utf-8") as handle:
            handle.write(markdown + "\n")
    return summary
