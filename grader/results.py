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
    GRADER_ERROR = "grader_error"  # the grader failed (a broken hidden test): never the student's fault


@dataclass
class Figure:
    kind: str
    title: str
    data: dict[str, Any]


@dataclass
class Diagnosis:
    """A named mistake: from the exercise's catalogue (KIND catalogued) or one of the patterns the
    grader recognizes in any wrong answer (KIND generic, ids ``generic/...``, grader/findings.py).
    TESTS are the tests it came from."""
    id: str
    message: str
    kind: str = "catalogued"
    tests: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "message": self.message, "kind": self.kind, "tests": list(self.tests)}


@dataclass(frozen=True)
class Frame:
    """One frame of the student's own code in a traceback."""
    file: str
    line: int
    function: str
    code: str = ""


@dataclass(frozen=True)
class StudentError:
    """An exception the student's code raised, as data: its type, message and the student's frames
    (innermost last). The text a person reads is rendered from it, never parsed back. CLASSES are
    the qualified names of its classes as the worker named them (most specific first); OFFSET, a
    SyntaxError's column (1-based, 0 for none). Built by grader.sandbox.replies from a checked reply."""
    type: str
    message: str
    frames: tuple[Frame, ...] = ()
    classes: tuple[str, ...] = ()
    offset: int = 0

    def traceback(self) -> str:
        """The student's traceback: their own frames, their file name, their message."""
        lines = []
        for frame in self.frames:
            lines.append(f'  File "{frame.file}", line {frame.line}' + (f", in {frame.function}" if frame.function else ""))
            if frame.code:
                lines.append(f"    {frame.code.strip()}")
                if self.offset and frame.function == "<module>":
                    indent = len(frame.code) - len(frame.code.lstrip())
                    lines.append("    " + " " * max(self.offset - 1 - indent, 0) + "^")
        lines.append(f"{self.type}: {self.message}" if self.message else self.type)
        if self.message.startswith(("sys.settrace is not allowed", "sys.setprofile is not allowed")):
            lines.append("(breakpoint() and pdb start a debugger, which cannot run while grading: remove them, "
                         "or run your function in Python yourself to debug it)")
        return "\n".join(lines)

    def as_json(self) -> dict[str, Any]:
        return {"type": self.type, "message": self.message,
                "frames": [{"file": f.file, "line": f.line, "function": f.function, "code": f.code}
                           for f in self.frames]}


@dataclass
class Difference:
    """Where an array or number differs most from the expected one, as data. It holds an
    expected value, so only a visible test keeps it."""
    name: str
    shape: list[int]
    mismatched: int
    size: int
    index: list[int]
    got: float | str
    expected: float | str
    rtol: float
    atol: float

    def summary(self) -> str:
        where = f"[{', '.join(map(str, self.index))}]" if self.index else ""
        entries = f" ({self.mismatched} of {self.size} entries differ)" if self.size > 1 else ""
        return f"{self.name}{where}: got {self.got:.6g}, expected {self.expected:.6g}{entries}" \
            if isinstance(self.got, float) and isinstance(self.expected, float) else \
            f"{self.name}{where}: got {self.got}, expected {self.expected}{entries}"

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "shape": self.shape, "mismatched": self.mismatched, "size": self.size,
                "index": self.index, "got": self.got, "expected": self.expected,
                "rtol": self.rtol, "atol": self.atol}


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
    grader_error: bool = False    # the grader, not the student, failed this test (status GRADER_ERROR)
    smallest_input: str = ""      # set when shrinking found a smaller failing case
    exception: StudentError | None = None    # what the student's code raised, if it did
    difference: Difference | None = None     # a failed comparison, as data (visible tests only)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name, "description": self.description, "status": self.status.value,
            "points": self.points, "max_points": self.max_points, "message": self.message,
            "visibility": self.visibility,
            "diagnoses": [d.as_json() for d in self.diagnoses],
            "output": self.output, "duration": round(self.duration, 4),
            "grader_error": self.grader_error,
        }
        if self.smallest_input:
            out["smallest_input"] = self.smallest_input
        if self.exception:
            out["exception"] = self.exception.as_json()
        if self.difference:
            out["difference"] = self.difference.as_json()
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
    exception: StudentError | None = None    # what importing the file raised, if it did
    # FILE is missing and these stand in its place (grader.notebook.layout.in_its_place); never graded
    found: list[str] = field(default_factory=list)
    # No file was handed in: ERROR says how to start one in a workspace; a platform the student
    # uploads to says what to upload instead (reports.gradescope). Not in the JSON: ERROR says it.
    missing: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "title": self.title, "module": self.module, "file": self.file,
            "status": self.status.value, "score": self.score, "max_score": self.max_score,
            "tests": [t.as_json() for t in self.tests],
            "diagnoses": [d.as_json() for d in self.diagnoses],
            "violations": [{"rule": v.rule, "line": v.line, "message": v.message, **({"cell": v.cell} if v.cell else {})}
                           for v in self.violations],
            "error": self.error, "output": self.output, "duration": round(self.duration, 4),
            **({"notes": list(self.notes)} if self.notes else {}),
            **({"exception": self.exception.as_json()} if self.exception else {}),
            **({"found": list(self.found)} if self.found else {}),
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
    # Every exercise of the course was graded (none named: grade_workspace, grade_static), so
    # reproducing it needs no names. Not in the JSON: a result that does not know names its
    # exercises, which reproduces it either way.
    whole_course: bool = False

    @property
    def score(self) -> float:
        return round(sum(e.score for e in self.exercises), 2)

    @property
    def max_score(self) -> float:
        return round(sum(e.max_score for e in self.exercises), 2)

    @property
    def grader_errors(self) -> list[str]:
        """Where the grader itself failed ("exercise: test"): a result with any is not final."""
        return [f"{e.id}: {t.name}" for e in self.exercises for t in e.tests if t.status is Status.GRADER_ERROR]

    def as_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA, "score": self.score, "max_score": self.max_score,
            "seed": self.seed, "sandbox": self.sandbox, "student": self.student,
            "course": self.course, "grader_version": self.grader_version,
            "duration": round(self.duration, 3), "partial": self.partial,
            "exercises": [e.as_json() for e in self.exercises],
        }
