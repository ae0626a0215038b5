"""Planning a class: who the students are, their seeds and content hashes, who --resume reuses.

Cheap on purpose: planning happens before pytest, numpy and the hidden tests load, so the fork
server can start workers for the first students meanwhile (see :func:`standby_files`).
"""
from __future__ import annotations

import hashlib
import itertools
import os
import re
import unicodedata
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from grader import __version__, seeds
from grader.classroom.analytics import grader_failures
from grader.classroom.records import CLASS_FILES, read_record
from grader.classroom.shards import in_shard
from grader.course import Course
from grader.errors import LearnError
from grader.notebook.layout import in_its_place, notebook_name, one_walk
from grader.reports.text import holds_bidi_controls
from grader.sources import read_source

# Without --seed-secret every student gets this seed: reproducible, but predictable by anyone
# who reads this line. Real class grading passes --seed-secret.
DEFAULT_SEED = 0
# Workers the fork server may start while this process loads the hidden tests (sandbox.server.Standby):
# about what its idle CPU time allows on a small machine, and a bound on their memory (~4 MB each).
STANDBY_WORKERS = 32

# Folders that tools put beside the students' (unzipping on a Mac, running Python there): never a student.
TOOL_FOLDERS = {"__MACOSX": "macOS archive metadata (left by unzipping on a Mac), not a student's folder",
                "__pycache__": "Python's bytecode cache, not a student's folder"}
# How far discovery looks for a student's Python files (a workspace's are 2 levels down).
SEARCH_DEPTH = 8
SEARCH_ENTRIES = 10_000



@dataclass(frozen=True)
class Submission:
    name: str          # the folder's own name: the student's in the gradebook, and RESULTS/<name>/
    path: Path
    holds_files: bool = True  # a Python file or notebook somewhere in it (else: graded as nothing handed in)


@dataclass
class Skipped:
    name: str
    reason: str
    student: bool = False   # a student's folder whose name cannot be used: it gets a gradebook row


# Unicode's default-ignorable code points that are not format characters (Cf, refused as well):
# the combining grapheme joiner, Hangul fillers, Khmer and Mongolian invisibles, variation selectors.
_IGNORABLE = re.compile("[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u3164\ufe00-\ufe0f\uffa0"
                        "\U000e0000-\U000e0fff]")


def reads_as(name: str) -> str:
    """What NAME looks like on screen, for telling two names apart: compatibility-normalized (NFKC:
    é composed or not, a no-break space, full-width letters) with its whitespace runs as one space."""
    return " ".join(unicodedata.normalize("NFKC", name).split())


def unusable_name(name: str) -> str:
    """Why a submission folder's NAME cannot name its results folder and gradebook row ('' if it can).

    RESULTS/<name>/ is the folder's own name (it is already a valid folder name), except for the
    class files beside the students' folders, and for names no report can show as they are: bytes
    that are not UTF-8 (Python holds them as lone surrogates) and control characters.
    """
    if name in CLASS_FILES:
        return f"its name is one of the class files of the results folder ({', '.join(CLASS_FILES)})"
    if any("\ud800" <= c <= "\udfff" for c in name):
        return "its name is not valid UTF-8"
    if any(unicodedata.category(c) == "Cc" for c in name):
        return "its name holds control characters (a newline, a tab, an escape)"
    if holds_bidi_controls(name):  # "Trojan Source": a name shown in another order than it is
        return "its name holds bidirectional control characters (they reorder how it is shown)"
    if any(unicodedata.category(c) == "Cf" for c in name) or _IGNORABLE.search(name):  # alice, alice+U+200B: "alice" twice
        return ("its name holds invisible characters (a zero-width space, a soft hyphen, a byte order mark, "
                "a variation selector): it would look like another name, or like none")
    if name != name.strip():
        return "its name begins or ends with a space: it would look like another name"
    return ""


def discover(root: Path) -> tuple[list[Submission], list[Skipped]]:
    """Every subfolder of ROOT is a student (DESIGN.md), one holding no Python file too: their row
    says they handed in nothing. Anything else is reported and skipped."""
    if not root.is_dir():
        raise LearnError(f"{root} is not a folder of submissions")
    found, skipped = [], []
    for entry in sorted(root.iterdir(), key=lambda p: p.name):
        name = entry.name
        if name.startswith("."):
            continue
        if entry.is_symlink():
            skipped.append(Skipped(name, "a symbolic link, not a folder: not graded"))
        elif not entry.is_dir():
            skipped.append(Skipped(name, "a stray file, not a student's folder"))
        elif name in TOOL_FOLDERS:
            skipped.append(Skipped(name, TOOL_FOLDERS[name]))
        elif why := unusable_name(name):
            skipped.append(Skipped(name, f"not graded: {why}; rename the folder", student=True))
        else:
            found.append(Submission(name, entry, _has_python_file(entry)))
    alike: dict[str, list[str]] = {}
    for submission in found:
        alike.setdefault(reads_as(submission.name), []).append(submission.name)
    twins = {name for names in alike.values() if len(names) > 1 for name in names}
    for name in sorted(twins):  # both refused: which row is whose is for a person to decide
        others = ", ".join(repr(n) for n in alike[reads_as(name)] if n != name)
        skipped.append(Skipped(name, f"not graded: its name looks the same as {others} (another folder, in "
                                     "other code points); rename one of them", student=True))
    return [s for s in found if s.name not in twins], skipped


def _has_python_file(folder: Path) -> bool:
    return holds_file(folder, lambda name: name.endswith((".py", ".ipynb")))


def holds_course_file(folder: Path, course: Course) -> bool:
    """Does FOLDER hold a file named as one of COURSE's, in its place or not (a class collected by
    hand)? False for every student: the class worked on another course than the one given."""
    names = {name for e in course.exercises for name in (e.file, notebook_name(e))}
    return holds_file(folder, names.__contains__)


def holds_file(folder: Path, wanted: Callable[[str], bool]) -> bool:
    """Is there a regular file whose name is WANTED within SEARCH_DEPTH folders under FOLDER (or more entries
    than SEARCH_ENTRIES, which may hide one: an attacker's review)? Breadth first (a
    workspace's files are two levels down: one or two directory reads each, on the start-up path of
    grade-all), iterative and bounded: a submission may hold a chain of folders thousands deep
    (recursion here once ended grade-all with a RecursionError) or millions of entries."""
    queue, looked_at = deque([(folder, 0)]), 0
    while queue:
        path, depth = queue.popleft()
        try:
            with os.scandir(path) as listing:
                entries = list(itertools.islice(listing, SEARCH_ENTRIES - looked_at + 1))
        except OSError:
            continue
        looked_at += len(entries)
        if any(wanted(e.name) and e.is_file() for e in entries):
            return True
        if looked_at > SEARCH_ENTRIES:  # too big to search: never called empty (grading looks at <id>/<file>)
            return True
        if depth < SEARCH_DEPTH:
            queue.extend((Path(e.path), depth + 1) for e in entries if e.is_dir(follow_symlinks=False))
    return False


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
    with one_walk():  # one search of the folder for every missing file
        for exercise in course.exercises:
            absent = True
            for name in (exercise.file, notebook_name(exercise)):  # either may be graded (notebook.layout)
                try:  # a file over the cap is refused whatever follows its first bytes: they are hashed alone
                    source = read_source(submission.path / exercise.id / name)
                except OSError:
                    source = None
                absent = absent and source is None
                content = b"\0missing" if source is None else source.data
                digest.update(exercise.id.encode() + b"\0" + hashlib.sha256(content).digest())
            if absent:  # the report names the files in its place (misnamed?): one renamed changes the result
                digest.update("\0".join(in_its_place(submission.path / exercise.id, exercise)).encode("utf-8"))
    return digest.hexdigest()


@dataclass
class ClassPlan:
    """Who is graded in this run and who is reused, decided before anything heavy loads."""
    found: list[Submission]
    skipped: list[Skipped]
    todo: list[dict[str, Any]]               # one task per student to grade, in grading order
    reused: dict[str, dict[str, Any]]        # student -> the record --resume keeps


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
        # Without --resume the grading process hashes the files it grades (in parallel, sharing
        # grading's one search for misplaced files); with it, the hash decides who is graded.
        digest = submission_hash(sub, course, seed, fingerprint) if resume else None
        previous = read_record(out / sub.name) if resume else None
        if previous and previous.get("outcome") == "graded" and previous.get("hash") == digest \
                and not grader_failures(previous["results"]):  # the grader failed on some tests: again
            plan.reused[sub.name] = previous
            continue
        plan.todo.append({"name": sub.name, "path": str(root / sub.name), "seed": seed, "hash": digest,
                          "fingerprint": fingerprint, "out": str(results / sub.name)})
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
