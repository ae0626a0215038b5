"""Class-scale grading: many students' workspaces, a pool of warm grading processes.

The parent never runs student code or hidden tests. It finds the submissions, derives each
student's seed, and hands one student at a time to ``--jobs`` grading processes (plain
``python`` subprocesses speaking JSON lines, so a crash in one costs one student, and no
``__main__`` is re-imported). Each grading process starts ONE fork server *before* it loads
the instructor's material, loads every solution once, and then grades student after student.

For each student it writes ``RESULTS/<slug>/results.json``, ``report.html`` and ``report.md``
atomically, and last ``grading.json``: the commit marker with the content hash of what was
graded. The gradebook and summary are rebuilt from these files, which is what makes
``--resume`` (re-grade only what is missing or changed) and shard merging simple.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import selectors
import subprocess
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from grader import __version__, seeds
from grader.course import Course
from grader.errors import LearnError
from grader.storage import prepare_dir, write_atomic

# Without --seed-secret every student gets this seed: reproducible, but predictable by anyone
# who reads this line. Real class grading passes --seed-secret.
DEFAULT_SEED = 0
RECORD = "grading.json"
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


@dataclass
class BatchRun:
    """What a grade-all run did: records of the students in this run, in name order."""
    records: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    graded: int = 0
    reused: int = 0
    duration: float = 0.0


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
        elif not any(p.is_file() for p in entry.rglob("*.py")):
            skipped.append(Skipped(name, "an empty folder: no Python files to grade"))
        else:
            slug = sanitize(name)
            if slug in slugs:
                slug = f"{slug}-{hashlib.sha256(name.encode()).hexdigest()[:8]}"
            slugs.add(slug)
            found.append(Submission(name, slug, entry))
    return found, skipped


def parse_shard(text: str) -> tuple[int, int]:
    """'I/N' with 1 <= I <= N (CI matrices and GitLab's CI_NODE_INDEX count from 1)."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise LearnError(f"invalid --shard {text!r}: expected I/N with 1 <= I <= N, e.g. 2/3")
    return int(match[1]), int(match[2])


def in_shard(name: str, shard: tuple[int, int]) -> bool:
    """Deterministic by name alone, so adding a student never moves the others."""
    index, total = shard
    return int(hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:12], 16) % total == index - 1


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
        file = submission.path / exercise.id / exercise.file
        try:
            content = file.read_bytes()
        except OSError:
            content = b"\0missing"
        digest.update(exercise.id.encode() + b"\0" + hashlib.sha256(content).digest())
    return digest.hexdigest()


def read_record(student_dir: Path) -> dict[str, Any] | None:
    """A student's grading.json plus the results it commits to (None if absent or unreadable)."""
    try:
        record = json.loads((student_dir / RECORD).read_text(encoding="utf-8"))
        if record.get("outcome") == "graded":
            record["results"] = json.loads((student_dir / "results.json").read_text(encoding="utf-8"))
        return record
    except (OSError, ValueError, AttributeError):
        return None


def grade_all(course: Course, submissions: Path, out: Path, jobs: int, secret: str | None = None,
              shard: tuple[int, int] | None = None, resume: bool = False,
              on_record: Callable[[dict[str, Any], int, int], None] | None = None) -> BatchRun:
    """Grade every (shard's) student of SUBMISSIONS into OUT. ON_RECORD(record, done, total) reports progress."""
    started = time.monotonic()
    found, skipped = discover(submissions)
    if shard is not None:
        found = [s for s in found if in_shard(s.name, shard)]
    fingerprint = course_fingerprint(course)
    run = BatchRun(skipped=skipped)
    records: dict[str, dict[str, Any]] = {}
    todo = []
    for sub in found:
        seed = student_seed(sub.name, secret)
        digest = submission_hash(sub, course, seed, fingerprint)
        previous = read_record(out / sub.slug) if resume else None
        if previous and previous.get("outcome") == "graded" and previous.get("hash") == digest:
            records[sub.slug] = previous
            run.reused += 1
            continue
        todo.append({"name": sub.name, "slug": sub.slug, "path": str(sub.path.resolve()),
                     "seed": seed, "hash": digest, "out": str(out.resolve() / sub.slug)})  # never resolve a planted link
    done = run.reused
    for record in _run_pool(course, todo, max(1, jobs), secret):
        records[record["slug"]] = record
        done += 1
        run.graded += 1
        if on_record:
            on_record(record, done, len(found))
    run.records = [records[s.slug] for s in found]
    run.duration = time.monotonic() - started
    return run


def _run_pool(course: Course, tasks: list[dict], jobs: int, secret: str | None):  # type: ignore[no-untyped-def]
    """Yield one record per task, from up to JOBS grading processes; a dead process costs one task."""
    pending = deque(tasks)
    selector = selectors.DefaultSelector()
    # The seed secret stays in the parent: seeds travel in the tasks.
    env = {k: v for k, v in os.environ.items() if not (secret and v == secret)}
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    root = str(Path(__file__).resolve().parent.parent)
    bootstrap = (f"import sys; sys.path.insert(0, {root!r}); "
                 f"from grader.batch import serve; serve({str(course.root)!r})")
    busy: dict[int, dict] = {}
    procs: list[subprocess.Popen] = []

    def launch() -> None:
        proc = subprocess.Popen([sys.executable, "-c", bootstrap], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
        procs.append(proc)
        selector.register(proc.stdout, selectors.EVENT_READ, proc)  # type: ignore[arg-type]
        _feed(proc)

    def _feed(proc: subprocess.Popen) -> None:
        if pending:
            task = pending.popleft()
            busy[proc.pid] = task
            proc.stdin.write(json.dumps(task) + "\n")  # type: ignore[union-attr]
            proc.stdin.flush()  # type: ignore[union-attr]
        else:
            proc.stdin.close()  # type: ignore[union-attr]

    try:
        for _ in range(min(jobs, len(pending))):
            launch()
        while busy:
            for key, _mask in selector.select():
                proc = key.data
                line = proc.stdout.readline()
                task = busy.pop(proc.pid, None)
                if line:
                    yield json.loads(line)
                    _feed(proc)
                    continue
                selector.unregister(proc.stdout)
                proc.wait()
                if task is not None:
                    yield crash_record(task, f"the grading process died (exit status {proc.returncode})")
                    if pending:
                        launch()
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        selector.close()


def crash_record(task: dict, reason: str) -> dict[str, Any]:
    """The grader, not the student, failed: the row says so and --resume will try again."""
    record = {"student": task["name"], "slug": task["slug"], "hash": task["hash"], "seed": task["seed"],
              "outcome": "grader_error", "reason": reason, "duration": 0.0}
    write_atomic(prepare_dir(Path(task["out"])) / RECORD, json.dumps(record, indent=2) + "\n")
    return record


def serve(course_root: str) -> None:
    """A grading process: read one task per line on stdin, answer one record per line on stdout."""
    from grader.forkserver import ForkServer
    protocol = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # anything the hidden tests print must not corrupt the protocol
    server = ForkServer()  # before any instructor material is loaded
    from grader.course import load_course
    from grader.grading import solution_for
    course = load_course(Path(course_root))
    for exercise in course.exercises:
        solution_for(exercise)
    for line in sys.stdin:
        task = json.loads(line)
        try:
            record = _grade_one(course, task, server)
        except Exception as exc:  # the grader's own failure: record it, restart, keep going
            record = crash_record(task, f"the grader failed: {type(exc).__name__}: {exc}")
            server.close()
            server = ForkServer()
        protocol.write(json.dumps(record) + "\n")
        protocol.flush()
    server.close()


def _grade_one(course: Course, task: dict, server: Any) -> dict[str, Any]:
    from grader import report
    from grader.grading import grade_workspace
    result = grade_workspace(course, Path(task["path"]), [], task["seed"], server=server, student=task["name"],
                             after_due=course.past_due())  # after_due_date tests, once course.yaml's due_date passed
    out = prepare_dir(Path(task["out"]))
    data = result.as_json()
    write_atomic(out / "results.json", json.dumps(data, indent=2, allow_nan=False, default=str) + "\n")
    write_atomic(out / "report.html", report.render(result, "html"))
    write_atomic(out / "report.md", report.render(result, "markdown"))
    record = {"student": task["name"], "slug": task["slug"], "hash": task["hash"], "seed": task["seed"],
              "outcome": "graded", "reason": "", "duration": round(result.duration, 3)}
    write_atomic(out / RECORD, json.dumps(record, indent=2) + "\n")  # last: commits the others
    return {**record, "results": data}
