"""What `learn similarity` writes: the ranked table (pairs.csv, pairs.json), index.html, and a
page per listed pair with the matching regions highlighted side by side."""
from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path
from typing import Any

from grader.classroom.gradebook import escape_cell   # the merge switches this to grader.reports.text's escaping
from grader.classroom.similarity import fingerprints, scoring
from grader.classroom.similarity.scoring import ExerciseReport, Pair
from grader.storage import prepare_dir, write_atomic

SCHEMA = "learn.similarity/1"
COLUMNS = ("rank", "exercise", "student_a", "student_b", "score", "shared_fingerprints", "flagged", "page")


def ranked(reports: list[ExerciseReport]) -> list[Pair]:
    """Every listed pair of the class, highest score first (ties: exercise, then names)."""
    pairs = [p for r in reports for p in r.pairs]
    return sorted(pairs, key=lambda p: (-p.score, p.exercise, p.a.student, p.b.student))


def as_json(reports: list[ExerciseReport]) -> dict[str, Any]:
    pairs = ranked(reports)
    return {
        "schema": SCHEMA,
        "method": {"tokens_per_run": fingerprints.K, "window": fingerprints.WINDOW,
                   "threshold": scoring.THRESHOLD, "min_shared": scoring.MIN_SHARED, "listed_from": scoring.REPORTED,
                   "listed_per_exercise": scoring.LISTED, "common_from": [scoring.COMMON, scoring.COMMON_SHARE]},
        "exercises": [{"id": r.id, "submissions": r.submissions, "flagged": r.flagged,
                       "clusters": r.clusters, "skipped": [list(s) for s in r.skipped]} for r in reports],
        "pairs": [{"rank": rank, "exercise": p.exercise, "a": p.a.student, "b": p.b.student, "score": p.score,
                   "shared": p.shared, "flagged": p.flagged, "page": page_name(rank),
                   "regions": [{"a": list(ra), "b": list(rb)} for ra, rb in p.regions]}
                  for rank, p in enumerate(pairs, 1)],
    }


def page_name(rank: int) -> str:
    return f"pairs/{rank:04d}.html"   # never a student's name: those are untrusted


def to_csv(data: dict[str, Any]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for p in data["pairs"]:
        writer.writerow([p["rank"], p["exercise"], escape_cell(p["a"]), escape_cell(p["b"]), f"{p['score']:.3f}",
                         p["shared"], "yes" if p["flagged"] else "no", p["page"]])
    return buffer.getvalue()


def numbered_lines(source: str, spans: list[tuple[int, int]]) -> list[tuple[int, str, int | None]]:
    """(line number, text, region index or None) for each line of SOURCE."""
    region_of: dict[int, int] = {}
    for index, (first, last) in enumerate(spans):
        for line in range(first, last + 1):
            region_of.setdefault(line, index)
    return [(n, text, region_of.get(n)) for n, text in enumerate(source.splitlines(), 1)]


def write(out: Path, reports: list[ExerciseReport]) -> dict[str, Any]:
    """Write every file into OUT (its old pair pages removed first) and return the JSON data."""
    from grader.reports.templating import template
    data = as_json(reports)
    prepare_dir(out)
    if (out / "pairs").is_dir() and not (out / "pairs").is_symlink():
        shutil.rmtree(out / "pairs")
    # Not fsynced: a report that a power cut lost is made again by `learn similarity`.
    write_atomic(out / "pairs.json", json.dumps(data, indent=1, ensure_ascii=False) + "\n", durable=False)
    write_atomic(out / "pairs.csv", to_csv(data), durable=False)
    write_atomic(out / "index.html", template("similarity_index.html.j2").render(data=data), durable=False)
    prepare_dir(out / "pairs")
    page = template("similarity_pair.html.j2")
    for rank, (pair, row) in enumerate(zip(ranked(reports), data["pairs"]), 1):
        write_atomic(out / page_name(rank), page.render(
            pair=row, a=numbered_lines(pair.a.source, [ra for ra, _ in pair.regions]),
            b=numbered_lines(pair.b.source, [rb for _, rb in pair.regions]), method=data["method"]), durable=False)
    return data
