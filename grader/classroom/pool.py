"""The grading pool: a class graded by warm processes forked from one loaded grader.

The parent never runs student code. It starts one fork server (a clean interpreter that never
sees the course), loads the course and its hidden tests, then forks ``--jobs`` grading
processes from itself: each inherits everything loaded, talks to the fork server on a lane of
its own, is pinned to one CPU, and grades one student at a time (tasks and records travel as
JSON lines over pipes, so a grading process that dies costs the student it was grading, and a
fresh one takes over). Each student's files are written as :mod:`grader.classroom.records` says.
"""
from __future__ import annotations

import gc
import json
import os
import selectors
import signal
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Callable

from grader.classroom.analytics import class_view
from grader.classroom.plan import ClassPlan, Skipped, Submission, plan_class, submission_hash
from grader.classroom.records import NOTEBOOK_SUPPORT_MISSING, RECORD, crash_record, digest
from grader.course import Course
from grader.notebook.document import NotebookSupportMissing  # stdlib only: nbformat is imported when a notebook is read
from grader.notebook.layout import one_walk
from grader.storage import prepare_dir, write_atomic

if TYPE_CHECKING:  # the fork server's modules import numpy: not for every CLI command
    from grader.sandbox import ForkClient, ForkServer


@dataclass
class BatchRun:
    """What a grade-all run did: records of the students in this run, in name order."""
    records: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    graded: int = 0
    reused: int = 0
    duration: float = 0.0


def grade_all(course: Course, submissions: Path, out: Path, jobs: int, secret: str | None = None,
              shard: tuple[int, int] | None = None, resume: bool = False,
              on_record: Callable[[dict[str, Any], int, int], None] | None = None,
              server: ForkServer | None = None, plan: ClassPlan | None = None) -> BatchRun:
    """Grade every (shard's) student of SUBMISSIONS into OUT. ON_RECORD(record, done, total) reports progress:
    DONE of the TOTAL students this run grades (the ones --resume reuses are counted apart, in the BatchRun).

    SERVER is a fork server started early (it warms up while the course loads); without one,
    a server is started and closed here. PLAN is plan_class(...) for the same arguments, if
    already made.
    """
    started = time.monotonic()
    plan = plan or plan_class(course, submissions, out, secret, shard, resume)
    run = BatchRun(skipped=plan.skipped, reused=len(plan.reused))
    records = dict(plan.reused)
    from grader.reports import documents  # noqa: F401  (imported once, here, like the solutions below)
    from grader.sandbox import ForkServer
    from grader.grading import solution_for
    for exercise in course.exercises:
        solution_for(exercise)  # loaded once, here: every forked grading process inherits them
    own_server = server is None
    server = server or ForkServer()
    try:
        for record in _run_pool(course, plan.todo, max(1, jobs), server, secret):
            records[record["student"]] = record
            run.graded += 1
            if on_record:
                on_record(record, run.graded, len(plan.todo))
    finally:
        if own_server:
            server.close()
    run.records = [records[s.name] for s in plan.found]
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
            except NotebookSupportMissing as exc:  # this machine's setup, not the student's: this process goes on
                record = crash_record(task, f"{exc} (on the grading machine; then --resume grades this student)",
                                      NOTEBOOK_SUPPORT_MISSING)
            except Exception as exc:  # the grader's own failure: record it; a fresh process takes over
                record = {**crash_record(task, f"the grader failed: {type(exc).__name__}: {exc}"), "retire": True}
            records.write(json.dumps(record) + "\n")
            records.flush()
            if record.get("retire"):
                return 1
    lane.close()
    return 0


def _grade_one(course: Course, task: dict, server: Any) -> dict[str, Any]:
    from grader import reports
    from grader.reports.text import json_document
    from grader.grading import grade_workspace
    path = Path(task["path"])
    with one_walk():  # the hash and the grade share one search of the folder for misplaced files
        hashed = task["hash"] or submission_hash(Submission(task["name"], path), course, task["seed"],
                                                 task["fingerprint"])
        result = grade_workspace(course, path, [], task["seed"], server=server, student=task["name"],
                                 after_due=course.past_due())  # after_due_date tests, once course.yaml's due_date passed
    out = prepare_dir(Path(task["out"]))
    # Student text as data, non-finite numbers as strings; one line, not indented: json's C
    # encoder is only used without indent (5x faster here).
    results_json, data = json_document(result.as_json())
    contents = {"results.json": results_json + "\n",
                "report.html": reports.render(result, "html"), "report.md": reports.render(result, "markdown")}
    files = {}
    for name, text in contents.items():
        raw = text.encode("utf-8")
        # Not fsynced one by one (that was a tenth of a student's grading time): grading.json
        # names each file's digest, and a file that did not reach the disk is graded again.
        write_atomic(out / name, raw, durable=False)
        files[name] = digest(raw)
    record = {"student": task["name"], "hash": hashed, "seed": task["seed"],
              "outcome": "graded", "reason": "", "duration": round(result.duration, 3), "files": files}
    write_atomic(out / RECORD, json.dumps(record) + "\n", durable=False)  # last: commits the others
    return {**record, "results": class_view(data)}
