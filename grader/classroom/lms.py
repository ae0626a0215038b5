"""Grade import files for Canvas, Moodle and Blackboard, from the class's scores and a roster.

Each writer follows the format its LMS documents for importing grades (docs/instructors.md,
"Grades into your LMS", says where each rule comes from):

- **Canvas** (Grades > Import): a CSV with the identity columns ``Student, ID, SIS User ID,
  SIS Login ID, Section``, then one column per assignment headed ``Name (assignment id)``; the
  second row is ``Points Possible``. Canvas matches a row on ID, SIS User ID or SIS Login ID.
- **Moodle** (Grades > Import > CSV file): a CSV whose identifier column is mapped to a user
  field on import (email address, username or ID number) and whose grade column is mapped to a
  grade item.
- **Blackboard** (Grade Center > Work Offline > Upload): comma-delimited, every value inside
  double quotes; ``Last Name, First Name, Username`` (Username is the key), then a column
  headed ``Name [Total Pts: N Score] |column_id`` (without the ``|column_id`` Blackboard
  creates a new column instead).

One assignment column, the course total. A student in the results but not in the roster, one
in the roster without results, and one the grader failed on are listed (never silently
dropped); the last two are exported with an empty grade, which every LMS leaves as it was.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from pathlib import Path
from typing import Any

from grader.classroom.roster import Roster
from grader.errors import LearnError

SYSTEMS = ("canvas", "moodle", "blackboard")
GRADES_KEY = "grades"   # in a merged folder's run.json: grades() of every student
MOODLE_IDS = {"email": "Email address", "username": "Username", "idnumber": "ID number"}  # Moodle's own headers
CANVAS_IDS = ("id", "sis_user_id", "sis_login_id")


def identity(lms: str, moodle_id: str = "email") -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(columns every roster row needs, columns of which each row needs one) for LMS."""
    return {"canvas": ((), CANVAS_IDS), "moodle": ((moodle_id,), ()),
            "blackboard": (("username",), ())}[lms]


@dataclass
class Export:
    text: str
    not_in_roster: list[str] = field(default_factory=list)       # graded, but the roster does not know them
    no_results: list[str] = field(default_factory=list)          # in the roster, not in the results
    not_graded: list[tuple[str, str]] = field(default_factory=list)  # the grader failed: (student, reason)

    @property
    def complete(self) -> bool:
        return not (self.not_in_roster or self.no_results or self.not_graded)


def export(lms: str, roster: Roster, scores: dict[str, float | None], reasons: dict[str, str], max_points: float,
           assignment: str, assignment_id: str | None = None, moodle_id: str = "email") -> Export:
    """The import file for LMS. SCORES: student folder -> score (None: the grader failed, REASONS says why)."""
    result = Export("", sorted(s for s in scores if s not in roster.rows),
                    [f for f in roster.rows if f not in scores],
                    sorted((s, reasons.get(s, "")) for s, v in scores.items() if v is None and s in roster.rows))
    buffer = io.StringIO()
    quoting = csv.QUOTE_ALL if lms == "blackboard" else csv.QUOTE_MINIMAL
    writer = csv.writer(buffer, quoting=quoting, lineterminator="\r\n")   # RFC 4180 line ends
    grade = {f: "" if scores.get(f) is None else f"{scores[f]:g}" for f in roster.rows}
    if lms == "canvas":
        writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                         f"{assignment} ({assignment_id})" if assignment_id else assignment])
        writer.writerow(["Points Possible", "", "", "", "", f"{max_points:g}"])
        for folder, row in roster.rows.items():
            writer.writerow([row.get("name", ""), row.get("id", ""), row.get("sis_user_id", ""),
                             row.get("sis_login_id", ""), row.get("section", ""), grade[folder]])
    elif lms == "moodle":
        writer.writerow([MOODLE_IDS[moodle_id], assignment])
        for folder, row in roster.rows.items():
            writer.writerow([row[moodle_id], grade[folder]])
    else:
        header = f"{assignment} [Total Pts: {max_points:g} Score] |{assignment_id}" if assignment_id else assignment
        writer.writerow(["Last Name", "First Name", "Username", header])
        for folder, row in roster.rows.items():
            writer.writerow([row.get("last_name", ""), row.get("first_name", ""), row["username"], grade[folder]])
    result.text = buffer.getvalue()
    return result


def grades(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the export reads of each student's record: the outcome and its reason, the total and
    each exercise's score (a late policy adjusts them one by one). A merged folder has no student
    folders, so `learn gradebook merge` keeps these in its run.json (GRADES_KEY): a merged folder
    and its shards export alike, byte for byte."""
    view = []
    for record in records:
        entry = {"student": record["student"], "outcome": record.get("outcome"), "reason": record.get("reason", "")}
        results = record.get("results")
        if results:
            entry["results"] = {"score": results["score"], "max_score": results["max_score"], "exercises": [
                {"id": e["id"], "score": e["score"], "status": e["status"]} for e in results["exercises"]]}
        view.append(entry)
    return view


def _records(results: tuple[Path, ...], runs: list[dict[str, Any] | None]) -> list[dict[str, Any]]:
    """grades() of every student of RESULTS: a merged folder's from its run.json, the others' from
    their students' folders (a student in two folders: a graded record wins, as in a merge)."""
    from grader.classroom import gradebook
    for folder, run in zip(results, runs):
        if run is None and (folder / "gradebook.csv").is_file():
            raise LearnError(f"{folder} has a gradebook.csv but no run.json: it was merged by an older learn. "
                             f"Merge the shards again (learn gradebook merge SHARDS... --out {folder}) or pass the shard folders")
    graded_here = [folder for folder, run in zip(results, runs) if not (run and GRADES_KEY in run)]
    found = {r["student"]: r for r in grades(gradebook.load_records(graded_here))} if graded_here else {}
    for run in runs:
        for entry in (run or {}).get(GRADES_KEY, []):
            previous = found.get(entry["student"])
            if not (previous and previous.get("outcome") == "graded" and entry.get("outcome") != "graded"):
                found[entry["student"]] = entry
    if not found:
        raise LearnError("no graded students found in " + ", ".join(str(d) for d in results))
    return sorted(found.values(), key=lambda r: r["student"])


def export_results(results: tuple[Path, ...], lms: str, roster_path: Path, assignment: str,
                   assignment_id: str | None = None, moodle_id: str = "email", raw_scores: bool = False) -> Export:
    """The import file for the students of RESULTS (one results folder, every shard of one run, or
    the folder `learn gradebook merge` wrote), with the late policy's adjusted scores unless RAW_SCORES."""
    from grader.classroom import class_files, late as lateness, roster, shards
    runs = [class_files.read_run(folder) for folder in results]
    records = _records(results, runs)
    shards.check_complete(dict(zip(map(str, results), runs)))
    late = None if raw_scores else lateness.merged(runs)
    graded = {r["student"]: r for r in records}
    unfinished = {s: [e["id"] for e in r["results"]["exercises"] if e["status"] == "grader_error"]
                  for s, r in graded.items() if r.get("results")}
    # As in gradebook.csv: a grade the grader failed on is not final, so nothing is exported for it.
    scores = {s: lateness.total(r, late) if r.get("outcome") == "graded" and r.get("results")
              and not unfinished[s] else None for s, r in graded.items()}
    reasons = {s: (f"the grader failed on {', '.join(unfinished[s])} (not the student's code): --resume grades "
                   "them again") if unfinished.get(s) else r.get("reason", "") for s, r in graded.items()}
    max_points = max((float(r["results"]["max_score"]) for r in records if r.get("results")), default=0.0)
    return export(lms, roster.load_roster(roster_path, *identity(lms, moodle_id)), scores,
                  reasons, max_points, assignment, assignment_id, moodle_id)

