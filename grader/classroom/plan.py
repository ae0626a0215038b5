"""Planning a class: who the students are, their seeds and content hashes, who --resume reuses.

Cheap on purpose: planning happens before pytest, numpy and the hidden tests load, so the fork
server can start workers for the first students meanwhile (see :func:`standby_files`).
"""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader import __version__, seeds
from grader.classroom.records import read_record
from grader.classroom.shards import in_shard
from grader.course import Course
from grader.errors import LearnError
from grader.notebook.layout import notebook_name
from grader.storage import read_regular_file

# Without --seed-secret every student gets this seed: reproducible, but predictable by anyone
# who reads this line. Real class grading passes --seed-secret.
DEFAULT_SEED = 0
# Workers the fork server may start while this process loads the hidden tests (sandbox.server.Standby):
# about what its idle CPU time allows on a small machine, and a bound on their memory (~4 MB each).
STANDBY_WORKERS = 32

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Submission:
    name: str          # the folder name as the student (untrusted) chose it
    slug: str          # safe as a path component and unique in the class
    path: Path


@dataclass
class Skipped:
    name: str
    reason: str


def sanitize(name: str) -> str:
    """A folder name made safe for paths: no separators, no dot-files, bounded length."""
    slug = _UNSAFE.sub("_", name).strip("._") or "student"
    if slug != name or len(slug) > 80:
        # Two different unsafe names must never collapse onto one folder.
        slug = f"{slug[:64]}-{hashlib.sha256(name.encode('utf-8', 'surrogateescape')).hexdigest()[:8]}"
    return slug


def discover(root: Path) -> tuple[list[Submission], list[Skipped]]:
    """Every subfolder of ROOT is a student; anything else is reported and skipped."""
    if not root.is_dir():
        raise LearnError(f"{root} is not a folder of submissions")
    found, skipped, slugs = [], [], set()
    for entry in sorted(root.iterdir(), key=lambda p: p.name):
        name = entry.name
        if name.startswith("."):
            continue
        if entry.is_symlink():
            skipped.append(Skipped(name, "a symbolic link, not a folder: not graded"))
        elif not entry.is_dir():
            skipped.append(Skipped(name, "a stray file, not a student's folder"))
        elif not _has_python_file(entry):
            skipped.append(Skipped(name, "an empty folder: no Python files or notebooks to grade"))
        else:
            slug = sanitize(name)
            if slug in slugs:
                slug = f"{slug}-{hashlib.sha256(name.encode()).hexdigest()[:8]}"
            slugs.add(slug)
            found.append(Submission(name, slug, entry))
    return found, skipped


def _has_python_file(folder: Path) -> bool:
    """Is there a regular *.py file (or notebook) anywhere under FOLDER? Stops at the first (a class
    of workspaces costs one or two directory reads each, on the start-up path of grade-all)."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return False
    if any(e.name.endswith((".py", ".ipynb")) and e.is_file() for e in entries):
        return True
    return any(e.is_dir(follow_symlinks=False) and _has_python_file(Path(e.path)) for e in entries)


def student_seed(name: str, secret: str | None) -> int:
    return DEFAULT_SEED if secret is None else seeds.seed_from_secret(secret, name)


def course_fingerprint(course: Course) -> str:
    """Changes when anything that decides a grade changes: the grader or the course's files."""
    digest = hashlib.sha256(__version__.encode())
    for exercise in course.exercises:
        for folder in (exercise.directory, exercise.solution_dir):
            for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
                if path.is_file() and "__pycache__" not in path.parts:
                    digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def submission_hash(submission: Submission, course: Course, seed: int, fingerprint: str) -> str:
    digest = hashlib.sha256(f"{fingerprint}:{seed}:{submission.name}".encode("utf-8", "surrogateescape"))
    for exercise in course.exercises:
        for name in (exercise.file, notebook_name(exercise)):  # either may be graded (notebook.layout)
            try:
                content = read_regular_file(submission.path / exercise.id / name)
            except OSError:
                content = None
            digest.update(exercise.id.encode() + b"\0" + hashlib.sha256(b"\0missing" if content is None else content).digest())
    return digest.hexdigest()


@dataclass
class ClassPlan:
    """Who is graded in this run and who is reused, decided before anything heavy loads."""
    found: list[Submission]
    skipped: list[Skipped]
    todo: list[dict[str, Any]]               # one task per student to grade, in grading order
    reused: dict[str, dict[str, Any]]        # slug -> the record --resume keeps


def plan_class(course: Course, submissions: Path, out: Path, secret: str | None = None,
               shard: tuple[int, int] | None = None, resume: bool = False) -> ClassPlan:
    found, skipped = discover(submissions)
    if shard is not None:
        found = [s for s in found if in_shard(s.name, shard)]
    fingerprint = course_fingerprint(course)
    plan = ClassPlan(found, skipped, [], {})
    # Resolved once: discover() made sure no student folder is a link. A planted link in OUT
    # is never followed (each student's folder is prepared with storage.prepare_dir).
    root, results = submissions.resolve(), out.resolve()
    for sub in found:
        seed = student_seed(sub.name, secret)
        digest = submission_hash(sub, course, seed, fingerprint)
        previous = read_record(out / sub.slug) if resume else None
        if previous and previous.get("outcome") == "graded" and previous.get("hash") == digest:
            plan.reused[sub.slug] = previous
            continue
        plan.todo.append({"name": sub.name, "slug": sub.slug, "path": str(root / sub.path.name),
                          "seed": seed, "hash": digest, "out": str(results / sub.slug)})
    return plan


def standby_files(course: Course, plan: ClassPlan, limit: int = STANDBY_WORKERS) -> list[Path]:
    """The first student files the grading processes will ask workers for, in that order: the
    ones grading will run (present, and not the untouched stub; see grading.grade_exercise)."""
    files: list[Path] = []
    for task in plan.todo:
        for exercise in course.exercises:
            file = Path(task["path"]) / exercise.id / exercise.file
            if len(files) < limit and file.is_file() and not file.is_symlink() and not exercise.is_untouched(file):
                files.append(file)
    return files
