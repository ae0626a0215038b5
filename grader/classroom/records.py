"""A student's saved results: the files grade-all writes per student, and the record that commits them.

``RESULTS/<student>/`` holds ``results.json``, ``report.html`` and ``report.md``, written
atomically, and last ``grading.json``: the commit marker with the content hash of what was
graded and the digest of each file. Everything class-wide (the gradebook, the summary,
``--resume``, merging shards) is rebuilt from these.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from grader.classroom.analytics import class_view
from grader.storage import prepare_dir, write_atomic

RECORD = "grading.json"
ARTEFACTS = ("results.json", "report.html", "report.md")  # per student, committed by RECORD
# Beside the students' folders, the class files (grader.classroom.class_files writes them): a
# submission folder with one of these names is refused (grader.classroom.plan.unusable_name).
CLASS_FILES = ("gradebook.csv", "summary.md", "summary.html", "run.json", "similarity")  # "similarity/": the pages of `learn similarity`


def read_record(student_dir: Path) -> dict[str, Any] | None:
    """A student's grading.json plus the results it commits to (None if absent or unreadable).

    A graded record whose files do not match the digests it names (a machine that lost power
    before the page cache reached the disk) comes back as a grader error: --resume re-grades it.
    """
    try:
        record = json.loads((student_dir / RECORD).read_text(encoding="utf-8"))
        if not isinstance(record, dict) or record.get("outcome") != "graded":
            return record if isinstance(record, dict) else None
    except (OSError, ValueError):
        return None
    try:
        contents = {name: (student_dir / name).read_bytes() for name in ARTEFACTS}
        if record.get("files") != {name: digest(data) for name, data in contents.items()}:
            raise ValueError("they do not match grading.json")
        record["results"] = class_view(json.loads(contents["results.json"]))
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else str(exc)
        return {**record, "outcome": "grader_error", "reason": f"the saved results are damaged ({reason}): "
                "grade again with --resume"}
    return record


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# A grader_error record's cause, when it is known and the same for every student it hits: the
# grading machine lacks notebook support (nbformat). grade-all then says once what to install.
NOTEBOOK_SUPPORT_MISSING = "notebook_support_missing"


def crash_record(task: dict, reason: str, cause: str = "") -> dict[str, Any]:
    """The grader, not the student, failed: the row says so and --resume will try again."""
    record = {"student": task["name"], "hash": task["hash"], "seed": task["seed"],
              "outcome": "grader_error", "reason": reason, "duration": 0.0, **({"cause": cause} if cause else {})}
    write_atomic(prepare_dir(Path(task["out"])) / RECORD, json.dumps(record, indent=2) + "\n")
    return record
