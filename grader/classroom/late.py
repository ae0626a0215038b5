"""Late work: due dates per exercise, a late policy, and what it does to each student's score.

``exercises/course.yaml`` sets the course's ``due_date`` (which also reveals after_due_date
tests), optional ``due_dates`` per exercise, and a ``late_policy``::

    due_date: 2025-03-31
    due_dates: {softmax: 2025-03-15T18:00:00+01:00}
    late_policy: {kind: per_day, percent: 10, max_days: 5, grace_minutes: 15}

``none`` only reports lateness; ``per_day`` keeps ``1 - percent/100 * days`` of an exercise's
score for each started day late (0 past ``max_days``); ``cutoff`` gives late work 0. The
submission times come from the instructor (:mod:`grader.classroom.submitted`). A student's
lateness is a factor per exercise, decided from times and dates alone, so it is computed once
per grade-all run, kept in run.json, and the gradebook (of a run or of merged shards) and the
LMS exports apply it to the raw scores.
"""
from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from typing import Any

from grader.spelling import unknown_field

KINDS = ("none", "per_day", "cutoff")
DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class LatePolicy:
    kind: str
    percent: float = 0.0          # per_day: share of the score lost per started day late
    max_days: int | None = None   # per_day: more days late than this scores 0
    grace_minutes: int = 0

    def factor(self, submitted: datetime.datetime, due: datetime.datetime) -> tuple[int, float]:
        """(days late, share of the score kept) for work SUBMITTED against DUE."""
        late = submitted - due - datetime.timedelta(minutes=self.grace_minutes)
        if late <= datetime.timedelta(0):
            return 0, 1.0
        days = math.ceil(late / DAY)
        if self.kind == "cutoff" or (self.max_days is not None and days > self.max_days):
            return days, 0.0
        if self.kind == "per_day":
            return days, max(0.0, round(1 - self.percent / 100 * days, 6))
        return days, 1.0

    def describe(self) -> str:
        grace = f", {self.grace_minutes} min grace" if self.grace_minutes else ""
        if self.kind == "per_day":
            cap = f", 0 after {self.max_days} days" if self.max_days is not None else ""
            return f"-{self.percent:g}% per started day late{cap}{grace}"
        return ("late work scores 0" if self.kind == "cutoff" else "lateness reported, no penalty") + grace


def parse_policy(doc: Any, value: Any) -> LatePolicy:
    """course.yaml's late_policy, checked; DOC (a YamlDoc) fails with the file, line and field."""
    if not isinstance(value, dict):
        doc.fail("late_policy", "expected a mapping like {kind: per_day, percent: 10}")
    allowed = {"kind", "percent", "max_days", "grace_minutes"}
    for key in value:
        if key not in allowed:
            doc.fail(f"late_policy.{key}", unknown_field(key, allowed))
    kind = value.get("kind")
    if kind not in KINDS:
        doc.fail("late_policy.kind", f"expected one of {', '.join(KINDS)}, got {kind!r}")
    percent = value.get("percent", 0)
    if kind == "per_day" and (isinstance(percent, bool) or not isinstance(percent, (int, float))
                              or not 0 < percent <= 100):
        doc.fail("late_policy.percent", "expected the percentage lost per day late, above 0 and at most 100")
    if kind != "per_day" and ("percent" in value or "max_days" in value):
        doc.fail("late_policy", f"percent and max_days belong to kind per_day, not {kind}")
    for key in ("max_days", "grace_minutes"):
        number = value.get(key)
        if number is not None and (isinstance(number, bool) or not isinstance(number, int) or number < 0):
            doc.fail(f"late_policy.{key}", "expected a whole number >= 0")
    return LatePolicy(kind, float(percent), value.get("max_days"), value.get("grace_minutes") or 0)


def assess(course: Any, times: dict[str, dict[str, datetime.datetime]]) -> dict[str, Any]:
    """What run.json keeps: the policy and, per student of TIMES (student -> exercise -> time;
    an empty mapping when no time is known), each exercise's time, days late and factor."""
    policy: LatePolicy = course.late_policy
    students = {}
    for student, submitted in times.items():
        exercises = {}
        for exercise in course.exercises:
            due = course.due_dates.get(exercise.id, course.due_date)
            when = submitted.get(exercise.id)
            if when is None or due is None:
                continue
            days, factor = policy.factor(when, due)
            exercises[exercise.id] = {"submitted": when.isoformat(), "days_late": days, "factor": factor}
        students[student] = {"known": bool(submitted), "exercises": exercises,
                             **({"why": submitted.why} if getattr(submitted, "why", "") else {})}
    return {"policy": policy.describe(), "students": students}


def columns(late: dict[str, Any], exercise_ids: list[str]) -> tuple[list[str], Any]:
    """The gradebook columns appended after ``reason`` when a late policy is set, and a function
    giving a record's cells. Raw scores stay in their columns; these add the adjusted ones."""
    header = ["raw_total", "adjusted_total", *[f"adjusted:{e}" for e in exercise_ids], "submitted", "days_late", "late"]

    def cells(record: dict[str, Any]) -> list[str]:
        results = record.get("results")
        entry = late["students"].get(record["student"], {"known": False, "exercises": {}})
        if record.get("outcome") != "graded" or not results:
            return [""] * len(header)
        adjusted = adjusted_scores(results, entry)
        # A time for the whole folder covers every exercise; only work handed in can be late (a
        # missing or untouched file said "2 days late, kept 80%" of a 0).
        handed_in = {ex["id"] for ex in results["exercises"] if ex["status"] != "not_started"}
        done = {e: x for e, x in entry["exercises"].items() if e in handed_in}
        times = [e["submitted"] for e in done.values()]
        notes = [f"{e}: {x['days_late']} day{'s' if x['days_late'] != 1 else ''} late, kept {x['factor']:.0%}"
                 for e, x in done.items() if x["days_late"]]
        if not entry["known"]:
            notes = [f"no submission time ({entry['why']}): not adjusted" if entry.get("why")
                     else "no submission time: not adjusted"]
        return [f"{float(results['score']):g}", f"{round(sum(adjusted.values()), 4):g}",
                *[f"{adjusted[e]:g}" if e in adjusted else "" for e in exercise_ids],
                max(times, key=datetime.datetime.fromisoformat, default=""), str(max((x["days_late"] for x in done.values()), default=0)),
                "; ".join(notes)]
    return header, cells


def adjusted_scores(results: dict[str, Any], entry: dict[str, Any]) -> dict[str, float]:
    """Each exercise's score after the policy (unknown times and missing work: unchanged)."""
    return {ex["id"]: round(float(ex["score"]) * entry["exercises"].get(ex["id"], {}).get("factor", 1.0), 4)
            for ex in results["exercises"]}


def total(record: dict[str, Any], late: dict[str, Any] | None) -> float:
    """A graded record's total: adjusted by LATE when a policy is set, else raw."""
    results = record["results"]
    if not late:
        return float(results["score"])
    entry = late["students"].get(record["student"], {"known": False, "exercises": {}})
    return round(sum(adjusted_scores(results, entry).values()), 4)


def merged(runs: list[dict[str, Any] | None]) -> dict[str, Any] | None:
    """The late data of the given run.json files as one (shards each assessed their students)."""
    parts = [run["late"] for run in runs if run and run.get("late")]
    if not parts:
        return None
    return {"policy": parts[0]["policy"], "students": {s: v for part in parts for s, v in part["students"].items()}}
