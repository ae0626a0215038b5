"""Class-scale grading: many students' workspaces, a pool of warm grading processes.

The parent never runs student code. It starts one fork server (a clean interpreter that never
sees the course), loads the course and its hidden tests, finds the submissions and derives each
student's seed, then forks ``--jobs`` grading processes from itself: each inherits everything
loaded, talks to the fork server on a lane of its own, is pinned to one CPU, and grades one
student at a time (tasks and records travel as JSON lines over pipes, so a grading process that
dies costs the student it was grading, and a fresh one takes over).

For each student it writes ``RESULTS/<slug>/results.json``, ``report.html`` and ``report.md``
atomically, and last ``grading.json``: the commit marker with the content hash of what was
graded and the digest of each file. The gradebook and summary are rebuilt from these files,
which is what makes ``--resume`` (re-grade only what is missing, changed or damaged) and shard
merging simple.
"""
from __future__ import annotations

import gc
import hashlib
import json
import os
import re
import selectors
import signal
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Callable

from grader import __version__, seeds
from grader.analytics import class_view
from grader.course import Course
from grader.errors import LearnError
from grader.storage import prepare_dir, read_regular_file, write_atomic

# Without --seed-secret every student gets this seed: reproducible, but predictable by anyone
# who reads this line. Real class grading passes --seed-secret.
DEFAULT_SEED = 0
RECORD = "grading.json"
ARTEFACTS = ("results.json", "report.html", "report.md")  # per student, committed by RECORD
# Workers the fork server may start while this process loads the hidden tests (forkserver.Standby):
# about what its idle CPU time allows on a small machine, and a bound on their memory (~4 MB each).
STANDBY_WORKERS = 32
if TYPE_CHECKING:  # the fork server's modules import numpy: not for every CLI command
    from grader.sandbox import ForkClient, ForkServer

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
        elif not _has_python_file(entry):
            skipped.append(Skipped(name, "an empty folder: no Python files to grade"))
        else:
            slug = sanitize(name)
            if slug in slugs:
                slug = f"{slug}-{hashlib.sha256(name.encode()).hexdigest()[:8]}"
            slugs.add(slug)
            found.append(Submission(name, slug, entry))
    return found, skipped


def _has_python_file(folder: Path) -> bool:
    """Is there a regular *.py file anywhere under FOLDER? Stops at the first (a class of
    workspaces costs one or two directory reads each, on the start-up path of grade-all)."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return False
    if any(e.name.endswith(".py") and e.is_file() for e in entries):
        return True
    return any(e.is_dir(follow_symlinks=False) and _has_python_file(Path(e.path)) for e in entries)


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
        try:
            content = read_regular_file(submission.path / exercise.id / exercise.file)
        except OSError:
            content = None
        digest.update(exercise.id.encode() + b"\0" + hashlib.sha256(b"\0missing" if content is None else content).digest())
    return digest.hexdigest()


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
        if record.get("files") != {name: _digest(data) for name, data in contents.items()}:
            raise ValueError("they do not match grading.json")
        record["results"] = class_view(json.loads(contents["results.json"]))
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else str(exc)
        return {**record, "outcome": "grader_error", "reason": f"the saved results are damaged ({reason}): "
                "grade again with --resume"}
    return record


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


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


def grade_all(course: Course, submissions: Path, out: Path, jobs: int, secret: str | None = None,
              shard: tuple[int, int] | None = None, resume: bool = False,
              on_record: Callable[[dict[str, Any], int, int], None] | None = None,
              server: ForkServer | None = None, plan: ClassPlan | None = None) -> BatchRun:
    """Grade every (shard's) student of SUBMISSIONS into OUT. ON_RECORD(record, done, total) reports progress.

    SERVER is a fork server started early (it warms up while the course loads); without one,
    a server is started and closed here. PLAN is plan_class(...) for the same arguments, if
    already made.
    """
    started = time.monotonic()
    plan = plan or plan_class(course, submissions, out, secret, shard, resume)
    run = BatchRun(skipped=plan.skipped, reused=len(plan.reused))
    records = dict(plan.reused)
    done = run.reused
    from grader.reports import documents  # noqa: F401  (imported once, here, like the solutions below)
    from grader.sandbox import ForkServer
    from grader.grading import solution_for
    for exercise in course.exercises:
        solution_for(exercise)  # loaded once, here: every forked grading process inherits them
    own_server = server is None
    server = server or ForkServer()
    try:
        for record in _run_pool(course, plan.todo, max(1, jobs), server, secret):
            records[record["slug"]] = record
            done += 1
            run.graded += 1
            if on_record:
                on_record(record, done, len(plan.found))
    finally:
        if own_server:
            server.close()
    run.records = [records[s.slug] for s in plan.found]
    run.duration = time.monotonic() - started
    return run


@dataclass
class _GradingProcess:
    """A forked grading process: tasks go down one pipe, records come back up another."""
    pid: int
    slot: int
    tasks: IO[str]
    records: IO[str]
    in_flight: deque = field(default_factory=deque)  # sent, not yet recorded: the first is being graded
    retired: bool = False                             # its grader failed: it takes no more work


def _run_pool(course: Course, tasks: list[dict], jobs: int, server: ForkServer,  # type: ignore[no-untyped-def]
              secret: str | None = None):
    """Yield one record per task, from up to JOBS grading processes; a dead process costs the task
    it was grading (the ones queued behind it go to another process).

    Grading processes are forked from this one once the course is loaded, so none of them pays
    for Python, numpy, pytest and the hidden tests again; each gets its own lane to the one
    warm fork server and its own CPU (shared round-robin when JOBS exceeds the CPUs).
    """
    pending = deque(tasks)
    cpus = sorted(os.sched_getaffinity(0))
    selector = selectors.DefaultSelector()
    running: dict[int, _GradingProcess] = {}

    def launch(slot: int) -> None:
        lane = server.open_lane(frozenset({cpus[slot % len(cpus)]}))
        task_read, task_write = os.pipe()
        record_read, record_write = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the grading process: never returns into the parent's code
            status = 70
            try:
                os.close(task_write)
                os.close(record_read)
                selector.close()
                server.detach()
                for other in running.values():
                    other.tasks.close()
                    other.records.close()
                for name in [k for k, v in os.environ.items() if secret and v == secret]:
                    del os.environ[name]  # seeds travel in the tasks; the hidden tests never need it
                status = _grading_process(course, lane, task_read, record_write)
            finally:
                os._exit(status)
        lane.detach()
        os.close(task_read)
        os.close(record_write)
        process = _GradingProcess(pid, slot, os.fdopen(task_write, "w", encoding="utf-8"),
                                  os.fdopen(record_read, encoding="utf-8"))
        running[pid] = process
        selector.register(process.records, selectors.EVENT_READ, process)
        feed(process)

    def feed(process: _GradingProcess) -> None:
        # Two tasks ahead while work is plentiful, so a grading process never waits for this one
        # between students (~1 ms each); one at the end, so the last students spread evenly.
        try:
            while pending and len(process.in_flight) < (2 if len(pending) >= jobs else 1):
                process.in_flight.append(pending.popleft())
                process.tasks.write(json.dumps(process.in_flight[-1]) + "\n")
            if pending:
                process.tasks.flush()
            else:
                process.tasks.close()  # end of work: the process finishes what it has and exits
        except BrokenPipeError:
            pass  # it died: its end of the records pipe says so, and its tasks are settled there

    gc.freeze()  # what the course loaded is never collected in a child, so its pages stay shared
    try:
        for slot in range(min(jobs, len(pending))):
            launch(slot)
        while running:
            for key, _mask in selector.select():
                process = key.data
                line = process.records.readline()
                if line:
                    record = json.loads(line)
                    process.retired = record.pop("retire", False)
                    process.in_flight.popleft()  # tasks are graded in the order they were sent
                    yield record
                    if not process.retired:
                        feed(process)
                    continue
                selector.unregister(process.records)
                process.records.close()
                del running[process.pid]
                _, status = os.waitpid(process.pid, 0)
                unfinished = process.in_flight
                if unfinished and not process.retired:  # it died grading the first of them
                    yield crash_record(unfinished.popleft(), "the grading process died "
                                       f"(exit status {os.waitstatus_to_exitcode(status)})")
                pending.extendleft(reversed(unfinished))  # never started: another process grades them
                if pending:
                    launch(process.slot)
    finally:
        for process in running.values():
            os.kill(process.pid, signal.SIGKILL)
            os.waitpid(process.pid, 0)
        selector.close()
        gc.unfreeze()  # this process may go on (a library caller): let its collector see them again


def _grading_process(course: Course, lane: ForkClient, task_fd: int, record_fd: int) -> int:
    """The body of a forked grading process: one task per line in, one record per line out."""
    if lane.cpus:
        os.sched_setaffinity(0, lane.cpus)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):  # the hidden tests neither read the instructor's terminal nor print to it
        os.dup2(devnull, fd)
    os.close(devnull)
    with os.fdopen(task_fd, encoding="utf-8") as tasks, os.fdopen(record_fd, "w", encoding="utf-8") as records:
        for line in tasks:
            task = json.loads(line)
            try:
                record = _grade_one(course, task, lane)
            except Exception as exc:  # the grader's own failure: record it; a fresh process takes over
                record = {**crash_record(task, f"the grader failed: {type(exc).__name__}: {exc}"), "retire": True}
            records.write(json.dumps(record) + "\n")
            records.flush()
            if record.get("retire"):
                return 1
    lane.close()
    return 0


def crash_record(task: dict, reason: str) -> dict[str, Any]:
    """The grader, not the student, failed: the row says so and --resume will try again."""
    record = {"student": task["name"], "slug": task["slug"], "hash": task["hash"], "seed": task["seed"],
              "outcome": "grader_error", "reason": reason, "duration": 0.0}
    write_atomic(prepare_dir(Path(task["out"])) / RECORD, json.dumps(record, indent=2) + "\n")
    return record


def _grade_one(course: Course, task: dict, server: Any) -> dict[str, Any]:
    from grader import reports
    from grader.grading import grade_workspace
    result = grade_workspace(course, Path(task["path"]), [], task["seed"], server=server, student=task["name"],
                             after_due=course.past_due())  # after_due_date tests, once course.yaml's due_date passed
    out = prepare_dir(Path(task["out"]))
    data = result.as_json()
    # One line, not indented: json's C encoder is only used without indent (5x faster here).
    contents = {"results.json": json.dumps(data, allow_nan=False, default=str) + "\n",
                "report.html": reports.render(result, "html"), "report.md": reports.render(result, "markdown")}
    files = {}
    for name, text in contents.items():
        raw = text.encode("utf-8")
        # Not fsynced one by one (that was a tenth of a student's grading time): grading.json
        # names each file's digest, and a file that did not reach the disk is graded again.
        write_atomic(out / name, raw, durable=False)
        files[name] = _digest(raw)
    record = {"student": task["name"], "slug": task["slug"], "hash": task["hash"], "seed": task["seed"],
              "outcome": "graded", "reason": "", "duration": round(result.duration, 3), "files": files}
    write_atomic(out / RECORD, json.dumps(record) + "\n", durable=False)  # last: commits the others
    return {**record, "results": class_view(data)}
