"""When each student handed in each exercise, as the instructor says (``--submitted-at``).

``FILE.csv``: columns ``folder,submitted_at`` and optionally ``exercise`` (a row without an
exercise covers all of them; a row with one overrides it). Times are ISO 8601; without a zone
they are UTC, like course.yaml's dates. An LMS or GitHub Classroom export of push times fits.

``git``: each student's folder is a git clone; an exercise's time is the committer date of the
last commit that touched its file. The date is written by the student's machine, so a student
can forge it: use a CSV of push or upload times from a server where that matters. git runs
with no system or global configuration, a hooks path, pager, fsmonitor and signature check
switched off, and never looks above the student's folder (a folder without its own .git has no
time, rather than the instructor's repository's).
"""
from __future__ import annotations

import csv
import datetime
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from grader.errors import LearnError

GIT_SAFETY = ["-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null", "-c", "log.showSignature=false",
              "-c", "core.pager=cat", "--no-pager"]


def for_class(course: Any, students: list[tuple[str, Path]], source: str | None,
              submissions: Path | None = None) -> dict[str, dict[str, datetime.datetime]]:
    """Every student's times (student -> exercise -> time) from SOURCE (``git``, a CSV path or
    None: nobody has a time), for COURSE's late policy; {} when it has none. STUDENTS are this
    run's (one shard's); SUBMISSIONS, the folder of the whole class, tells a CSV's misspelt
    folder from another shard's."""
    if source is not None and course.late_policy is None:
        raise LearnError("--submitted-at: the course sets no late_policy in exercises/course.yaml")
    if course.late_policy is None:
        return {}
    if source is None:
        return {name: {} for name, _ in students}
    if source == "git":
        if shutil.which("git") is None:  # else every clone would read as broken and nobody would be adjusted
            raise LearnError("--submitted-at git: git is not installed on this machine (or not on PATH)")
        return from_git(dict(students), {e.id: e.file for e in course.exercises})
    present = {entry.name for entry in submissions.iterdir()} if submissions is not None else None
    return from_csv(Path(source), [name for name, _ in students], [e.id for e in course.exercises], present)


def parse_time(text: str) -> datetime.datetime:
    value = datetime.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)


def from_csv(path: Path, students: list[str], exercise_ids: list[str],
             present: set[str] | None = None) -> dict[str, dict[str, datetime.datetime]]:
    """student -> exercise -> time, from PATH; every student of the class gets an entry (empty
    when the file does not name them). A folder or (folder, exercise) given twice is an error; a
    folder not in PRESENT (the submissions folder's entries) is warned about."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise LearnError(f"--submitted-at: cannot read {path}: {exc}") from None
    reader = csv.DictReader(text.splitlines())
    fields = [f.strip().lower() for f in reader.fieldnames or ()]
    for needed in ("folder", "submitted_at"):
        if needed not in fields:
            semicolons = ";" in (text.splitlines() or [""])[0]   # Excel's CSV in locales with a decimal comma
            raise LearnError(f"{path}:1: no column {needed!r} (expected folder,submitted_at[,exercise])" +
                             ("; the file seems to use ';' between columns: save it as comma-separated"
                              if semicolons else ""))
    times: dict[str, dict[str, datetime.datetime]] = {s: {} for s in students}
    overrides = []
    lines: dict[tuple[str, str], int] = {}   # (folder, exercise or "") -> its line
    unknown: list[str] = []
    for number, raw in enumerate(reader, 2):
        row = {k.strip().lower(): (v or "") for k, v in raw.items() if k}
        folder, exercise = row["folder"], row.get("exercise", "").strip()
        if not folder.strip():
            continue
        try:
            when = parse_time(row["submitted_at"])
        except ValueError:
            raise LearnError(f"{path}:{number}: submitted_at: expected an ISO 8601 time like "
                             f"2025-03-31T18:00:00+01:00, got {row['submitted_at']!r}") from None
        if exercise and exercise not in exercise_ids:
            raise LearnError(f"{path}:{number}: exercise: no exercise {exercise!r} in this course")
        if (folder, exercise) in lines:   # else the last row silently wins
            raise LearnError(f"{path}:{number}: folder {folder!r}" + (f", exercise {exercise!r}," if exercise else "")
                             + f" is already on line {lines[folder, exercise]}")
        lines[folder, exercise] = number
        # Another shard's student is in the submissions folder; a misspelt one is nowhere. A
        # warning, not an error: a whole-course export may name students with no folder here.
        if present is not None and folder not in present:
            unknown.append(f"{folder!r} (line {number})")
        if folder not in times:
            continue   # not in this run (another shard's, or not handed in)
        if exercise:
            overrides.append((folder, exercise, when))
        else:
            times[folder].update(dict.fromkeys(exercise_ids, when))
    if unknown:
        more = f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
        print(f"Warning: {path}: no such folder in the submissions folder, so these times are not used "
              f"(a misspelt name?): {', '.join(unknown[:10])}{more}", file=sys.stderr, flush=True)
    for folder, exercise, when in overrides:
        times[folder][exercise] = when
    return times


def from_git(folders: dict[str, Path], files: dict[str, str]) -> dict[str, dict[str, datetime.datetime]]:
    """student -> exercise -> committer date of the last commit touching FILES[exercise]."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    environment.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull, GIT_TERMINAL_PROMPT="0",
                       GIT_OPTIONAL_LOCKS="0")
    times: dict[str, dict[str, datetime.datetime]] = {}
    for student, folder in folders.items():
        times[student] = {}
        git_dir = folder / ".git"
        if not git_dir.is_dir() or git_dir.is_symlink():
            continue
        failures = []
        for exercise, file in files.items():
            when, failed = _last_commit(git_dir, folder, f"{exercise}/{file}", environment)
            if when is not None:
                times[student][exercise] = when
            elif failed:
                failures.append(failed)
        if failures and not times[student]:  # a broken clone must not pass for work without a date
            times[student] = NoTimes(f"git failed in this clone: {failures[0]}")
    return times


class NoTimes(dict):
    """A student with no submission time, and WHY (a clone git cannot read): the gradebook says it."""

    def __init__(self, why: str) -> None:
        super().__init__()
        self.why = why


def _last_commit(git_dir: Path, folder: Path, path: str,
                 environment: dict[str, Any]) -> tuple[datetime.datetime | None, str]:
    """(the last commit's time of PATH, or None; what went wrong when git itself failed)."""
    try:
        proc = subprocess.run(["git", *GIT_SAFETY, f"--git-dir={git_dir}", f"--work-tree={folder}", "log", "-1",
                               "--format=%cI", "--", path], capture_output=True, text=True, timeout=30,
                              env=environment, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, type(exc).__name__
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines()
        return None, (lines[0] if lines else f"exit status {proc.returncode}")[:120]
    try:
        return (parse_time(proc.stdout) if proc.stdout.strip() else None), ""
    except ValueError:
        return None, f"an unreadable date {proc.stdout.strip()[:40]!r}"
