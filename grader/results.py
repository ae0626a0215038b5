"""The result model: course → exercises → tests. Every renderer reads this and nothing else.

``as_json`` is the source of truth for machines; its shape is versioned (``SCHEMA``) and
described by ``grader/schema/results.schema.json``.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

SCHEMA = "learn.results/1"


class Status(str, enum.Enum):
    PASSED = "passed"
    FAILED = "failed"          # the student's answer is wrong
    ERROR = "error"            # the student's code crashed, or broke a rule
    TIMEOUT = "timeout"        # the student's code ran out of time
    NOT_STARTED = "not_started"


@dataclass
class Figure:
    kind: str
    title: str
    data: dict[str, Any]


@dataclass
class Diagnosis:
    id: str
    message: str


@dataclass
class TestResult:
    name: str
    description: str
    status: Status
    points: float
    max_points: float
    message: str = ""
    visibility: str = "visible"
    diagnoses: list[Diagnosis] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    output: str = ""
    duration: float = 0.0
    grader_error: bool = False    # the grader, not the student, failed this test
    smallest_input: str = ""      # set when shrinking found a smaller failing case

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name, "description": self.description, "status": self.status.value,
            "points": self.points, "max_points": self.max_points, "message": self.message,
            "visibility": self.visibility,
            "diagnoses": [{"id": d.id, "message": d.message} for d in self.diagnoses],
            "output": self.output, "duration": round(self.duration, 4),
            "grader_error": self.grader_error,
        }
        if self.smallest_input:
            out["smallest_input"] = self.smallest_input
        if self.figures:
            out["figures"] = [{"kind": f.kind, "title": f.title, "data": f.data} for f in self.figures]
        return out


@dataclass
class Violation:
    """A rule broken in the student's file, found without running it."""
    rule: str
    line: int
    message: str
    cell: int = 0      # a notebook's cell (1-based; LINE is then the line in that cell), 0 for a .py file

    def where(self, file: str) -> str:
        return f"{file}, cell {self.cell}, line {self.line}" if self.cell else f"{file}:{self.line}"


@dataclass
class ExerciseResult:
    id: str
    title: str
    module: str
    file: str
    status: Status
    score: float
    max_score: float
    tests: list[TestResult] = field(default_factory=list)
    diagnoses: list[Diagnosis] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    error: str = ""               # why the file could not be graded (import error, timeout)
    output: str = ""              # what the student's file printed on import
    duration: float = 0.0
    notes: list[str] = field(default_factory=list)  # how the submission was read (a notebook's cells)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "title": self.title, "module": self.module, "file": self.file,
            "status": self.status.value, "score": self.score, "max_score": self.max_score,
            "tests": [t.as_json() for t in self.tests],
            "diagnoses": [{"id": d.id, "message": d.message} for d in self.diagnoses],
            "violations": [{"rule": v.rule, "line": v.line, "message": v.message, **({"cell": v.cell} if v.cell else {})}
                           for v in self.violations],
            "error": self.error, "output": self.output, "duration": round(self.duration, 4),
            **({"notes": list(self.notes)} if self.notes else {}),
        }


@dataclass
class CourseResult:
    seed: int
    exercises: list[ExerciseResult]
    sandbox: str = "process"
    student: str = ""
    course: str = ""
    grader_version: str = ""
    duration: float = 0.0
    partial: bool = False      # a student-only install: the full grade comes from CI

    @property
    def score(self) -> float:
        return round(sum(e.score for e in self.exercises), 2)

    @property
    def max_score(self) -> float:
        return round(sum(e.max_score for e in self.exercises), 2)

    def as_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA, "score": self.score, "max_score": self.max_score,
            "seed": self.seed, "sandbox": self.sandbox, "student": self.student,
            "course": self.course, "grader_version": self.grader_version,
            "duration": round(self.duration, 3), "partial": self.partial,
            "exercises": [e.as_json() for e in self.exercises],
        }
