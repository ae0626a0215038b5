"""The one way a running kernel asks for a grade: :func:`grade`, a request in, the results out.

A student's kernel is student code: it may have patched numpy, the grader's modules or the
builtins. So nothing of the grader's checking runs in it: :func:`grade` runs ``learn grade``
itself (``python -m grader grade ... --format json``) in a fresh process, the same entry the
terminal uses (fork server, sandboxed worker, hidden tests in that process only), and reads back
the JSON results document, the grader's source of truth. The kernel only renders that document.

When the warm grading service (grader.service) runs for this course, :func:`grade` hands it the
same command line instead of starting a process: the service runs it in a child forked from
itself, outside this kernel, and writes the JSON into a file this kernel reads.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.results import CourseResult, Diagnosis, ExerciseResult, Figure, Status, TestResult, Violation

TIMEOUT = 900.0  # seconds: grading bounds itself (time limits per call); this only guards a stuck start


@dataclass(frozen=True)
class GradeRequest:
    workspace: Path
    exercises: tuple[str, ...]
    seed: int | None = None
    course: Path | None = None


@dataclass
class GradeReply:
    exit_status: int                       # learn grade's: 0 passed, 1 a test failed, 2 usage or course error, 3 the grader failed
    results: dict[str, Any] | None = None  # the JSON results document, when grading happened
    problem: str = ""                      # what learn said instead, when it did not grade
    args: list[str] = field(default_factory=list)

    @property
    def result(self) -> CourseResult | None:
        return None if self.results is None else result_from_json(self.results)


def command(request: GradeRequest) -> list[str]:
    args = [sys.executable, "-m", "grader", "grade", *request.exercises, "--workspace", str(request.workspace),
            "--format", "json"]
    if request.seed is not None:
        args += ["--seed", str(request.seed)]
    if request.course is not None:
        args += ["--course", str(request.course)]
    return args


def grade(request: GradeRequest) -> GradeReply:
    args = command(request)
    environment = {**os.environ, "NO_COLOR": "1"}
    environment.pop("GITHUB_ACTIONS", None)  # annotations are for CI logs, not for a notebook
    done = _by_service(args[3:], environment, request.workspace)
    if done is None:
        try:
            run = subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT, env=environment,
                                 stdin=subprocess.DEVNULL, cwd=str(request.workspace))
        except subprocess.TimeoutExpired:
            return GradeReply(3, None, f"grading did not finish within {TIMEOUT:g} s", args)
        done = (run.returncode, run.stdout, run.stderr)
    code, stdout, stderr = done
    try:
        results = json.loads(stdout) if code in (0, 1) else None
    except ValueError:
        results = None
    if results is None:
        problem = stderr.strip() or stdout.strip() or f"learn grade exited with status {code}"
        return GradeReply(code if code not in (0, 1) else 3, None, problem, args)
    return GradeReply(code, results, stderr.strip(), args)


def _by_service(argv: list[str], environment: dict[str, str], cwd: Path) -> tuple[int, str, str] | None:
    """(exit status, stdout, stderr) of `learn ARGV` answered by the grading service, or None."""
    import tempfile
    from grader.service import client
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, open(os.devnull, "rb") as nothing:
        code = client.serve(argv, (nothing.fileno(), out.fileno(), err.fileno()), environment, cwd)
        if code is None:
            return None
        out.seek(0)
        err.seek(0)
        return code, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")


def result_from_json(data: dict[str, Any]) -> CourseResult:
    """The result model back from its JSON document (ExerciseResult.as_json and friends)."""
    exercises = []
    for ex in data.get("exercises", []):
        tests = [TestResult(
            name=t["name"], description=t.get("description", ""), status=Status(t["status"]),
            points=t["points"], max_points=t["max_points"], message=t.get("message", ""),
            visibility=t.get("visibility", "visible"), diagnoses=_diagnoses(t), output=t.get("output", ""),
            duration=t.get("duration", 0.0), grader_error=t.get("grader_error", False),
            smallest_input=t.get("smallest_input", ""),
            figures=[Figure(f["kind"], f["title"], f["data"]) for f in t.get("figures", [])])
            for t in ex.get("tests", [])]
        exercises.append(ExerciseResult(
            id=ex["id"], title=ex.get("title", ""), module=ex.get("module", ""), file=ex.get("file", ""),
            status=Status(ex["status"]), score=ex["score"], max_score=ex["max_score"], tests=tests,
            diagnoses=_diagnoses(ex),
            violations=[Violation(v["rule"], v["line"], v["message"], v.get("cell", 0)) for v in ex.get("violations", [])],
            error=ex.get("error", ""), output=ex.get("output", ""), duration=ex.get("duration", 0.0),
            notes=list(ex.get("notes", []))))
    return CourseResult(seed=data["seed"], exercises=exercises, sandbox=data.get("sandbox", "process"),
                        student=data.get("student", ""), course=data.get("course", ""),
                        grader_version=data.get("grader_version", ""), duration=data.get("duration", 0.0),
                        partial=data.get("partial", False))


def _diagnoses(entry: dict[str, Any]) -> list[Diagnosis]:
    return [Diagnosis(d["id"], d["message"]) for d in entry.get("diagnoses", [])]
