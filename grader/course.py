"""The course model: exercise.yaml files loaded once into frozen dataclasses.

Documents come from :mod:`grader.yamldoc` (the only module that imports ``yaml``), which
keeps the line of every field: every problem is reported with the file, the line and the field
(``exercises/m/x/exercise.yaml:14: hints[2]: expected a string, got a list``). The fields of
exercise.yaml are declared once, in :mod:`grader.exercise_format`, which the JSON Schema is
generated from; nothing downstream re-checks what is validated here.
"""
from __future__ import annotations

import dataclasses
import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.errors import CourseError, CourseErrors
from grader.exercise_format import DEFAULT_TIME_LIMIT, EXERCISE, FORMAT_VERSION, IDENTIFIER
from grader.fields import Const
from grader.spelling import misspelt, unknown_field
from grader.storage import read_regular_file
from grader.yamldoc import YamlDoc, expect, text

ID_PATTERN = MODULE_PATTERN = re.compile(IDENTIFIER)
INDEX_FIELDS = ("format_version", "title", "exercises", "due_date", "due_dates", "late_policy", "student_format")
STUDENT_FORMATS = ("python", "notebook")   # `learn start` writes <file>.py, or <stem>.ipynb


@dataclass(frozen=True)
class Mistake:
    id: str
    message: str


@dataclass(frozen=True)
class EquivalentMutant:
    """A mutant of the reference the author declares equivalent (``equivalent_mutants:``): by its
    ID, or every mutant whose diff contains PATTERN; REASON is the author's argument."""
    id: str
    pattern: str
    reason: str
    line: int = 0          # where it is in exercise.yaml, for messages about it

    def matches(self, mutant_id: str, diff: str) -> bool:
        if self.id:
            return self.id == mutant_id
        return any(self.pattern in line[1:] for line in diff.splitlines()
                   if line.startswith(("+", "-")) and not line.startswith(("+++", "---")))


@dataclass(frozen=True, eq=False)
class Example:
    """A public example: CALL(*ARGS, **KWARGS) returns EXPECTED. Values stay plain YAML data here
    (numpy is imported only when grading); grader/examples.py turns them into arrays."""
    call: str
    args: tuple
    kwargs: tuple[tuple[str, Any], ...]
    expected: Any
    rtol: float | None = None
    atol: float | None = None

    def shown(self) -> str:
        """The call as a student would type it: ``dot([1, 2, 3], [4, -5, 6])``."""
        parts = [show_value(a) for a in self.args] + [f"{k}={show_value(v)}" for k, v in self.kwargs]
        return f"{self.call}({', '.join(parts)})"


def show_value(value: Any) -> str:
    if isinstance(value, dict) and "rng" in value:  # {rng: SEED}, checked by the loader
        return f"default_rng({value['rng']})"
    if isinstance(value, dict):  # {tuple: [...]}
        items = [show_value(v) for v in value["tuple"]]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    if isinstance(value, list):
        return "[" + ", ".join(show_value(v) for v in value) + "]"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return repr(value)


@dataclass(frozen=True)
class Exercise:
    id: str
    title: str
    module: str
    points: int
    file: str
    functions: tuple[str, ...]
    instructions: str
    hints: tuple[str, ...]
    forbidden: tuple[str, ...]
    time_limit: float
    mistakes: tuple[Mistake, ...]
    directory: Path
    solution_dir: Path
    examples: tuple[Example, ...] = ()
    equivalent_mutants: tuple[EquivalentMutant, ...] = ()
    # ids of the course's other exercises whose file has this one's name: a file in their folder is theirs
    namesakes: tuple[str, ...] = ()

    @property
    def yaml_path(self) -> Path:
        return self.directory / "exercise.yaml"

    @property
    def stub_path(self) -> Path:
        return self.directory / self.file

    def is_untouched(self, student_file: Path) -> bool:
        """STUDENT_FILE is still this exercise's stub, byte for byte (not started: not graded).
        Reads no more of the student's file than the stub's length and one byte."""
        try:
            stub = self.stub_path.read_bytes()
            return read_regular_file(student_file, len(stub) + 1) == stub
        except OSError:
            return False

    @property
    def reference_path(self) -> Path:
        return self.solution_dir / self.file

    def student_texts(self) -> list[tuple[str, str]]:
        """(label, text) of everything of the YAML a student reads."""
        texts = [("instructions", self.instructions)] + [(f"hints[{i}]", h) for i, h in enumerate(self.hints)]
        return texts + [(f"mistake {m.id!r} message", m.message) for m in self.mistakes] + [("title", self.title)]

    def mistake(self, mistake_id: str) -> Mistake | None:
        return next((m for m in self.mistakes if m.id == mistake_id), None)


@dataclass(frozen=True)
class Course:
    root: Path
    title: str
    exercises: tuple[Exercise, ...]
    due_date: datetime.datetime | None = None   # course.yaml's due_date, timezone-aware
    student_format: str = "python"               # course.yaml's student_format: what `learn start` writes
    # Late work (grader.classroom.late): due_dates per exercise override due_date for the policy.
    due_dates: dict[str, datetime.datetime] = field(default_factory=dict)
    late_policy: Any = None                     # a grader.classroom.late.LatePolicy, or None

    def past_due(self, now: datetime.datetime | None = None) -> bool:
        """Is the due date behind us? Tests marked after_due_date are shown from then on."""
        now = now or datetime.datetime.now(datetime.timezone.utc)
        return self.due_date is not None and now >= self.due_date

    @property
    def has_solutions(self) -> bool:
        return (self.root / "solutions").is_dir()

    @property
    def max_score(self) -> int:
        return sum(e.points for e in self.exercises)

    @property
    def modules(self) -> list[str]:
        return list(dict.fromkeys(e.module for e in self.exercises))

    def get(self, exercise_id: str) -> Exercise:
        for exercise in self.exercises:
            if exercise.id == exercise_id:
                return exercise
        close = [e.id for e in self.exercises if exercise_id in e.id or e.id in exercise_id]
        close = close or [m for m in [misspelt(exercise_id, [e.id for e in self.exercises])] if m]
        # Named, not "run learn list": with --course, a plain `learn list` shows another course.
        ids = [e.id for e in self.exercises]
        listed = ", ".join(ids) if len(ids) <= 24 else ", ".join(ids[:24]) + f" and {len(ids) - 24} more"
        hint = f" Did you mean {close[0]}?" if close else f" Its exercises: {listed}."
        raise CourseError(f"no exercise named {exercise_id!r} in this course.{hint}")


def load_exercise(yaml_path: Path, course_root: Path) -> Exercise:
    """Check the file against :data:`grader.exercise_format.EXERCISE`, then what JSON Schema cannot say."""
    doc = YamlDoc(yaml_path, shown_in_course(yaml_path, course_root))
    with doc.gathered():
        data = EXERCISE.check(doc, "", doc.data)
    doc.raise_problems()  # what the declarations found; then what they cannot say, all of it too
    for field, folder in (("id", yaml_path.parent), ("module", yaml_path.parent.parent)):
        if data[field] != folder.name:
            doc.note(field, f"{data[field]!r} does not match its folder {folder.name!r}")
    if not (yaml_path.parent / data["file"]).is_file():
        doc.note("file", f"the stub {data['file']} named in field 'file' does not exist")
    functions = tuple(data["functions"])
    mistakes: list[Mistake] = []
    for i, entry in enumerate(data.get("mistakes", [])):
        if any(m.id == entry["id"] for m in mistakes):
            doc.note(f"mistakes[{i}].id", f"mistake {entry['id']!r} is listed twice")
        mistakes.append(Mistake(entry["id"], entry["message"].strip()))
    examples = []
    for i, entry in enumerate(data.get("examples", [])):
        if entry["call"] not in functions:
            doc.note(f"examples[{i}].call", f"{entry['call']!r} is not one of the exercise's functions "
                     f"({', '.join(functions)})")
        tolerance = entry.get("tolerance", {})
        examples.append(Example(entry["call"], tuple(entry.get("args", [])), tuple(entry.get("kwargs", {}).items()),
                                entry["expected"], tolerance.get("rtol"), tolerance.get("atol")))
    equivalent = []
    for i, entry in enumerate(data.get("equivalent_mutants", [])):
        key = entry.get("id") or entry.get("pattern")
        if any((e.id or e.pattern) == key for e in equivalent):
            doc.note(f"equivalent_mutants[{i}]", f"{key!r} is listed twice")
        equivalent.append(EquivalentMutant(entry.get("id", ""), entry.get("pattern", ""), entry["reason"].strip(),
                                           doc.lines.get(f"equivalent_mutants[{i}]", 0)))
    doc.raise_problems()
    return Exercise(
        id=data["id"], title=data["title"].strip(), module=data["module"], points=data["points"],
        file=data["file"], functions=functions, instructions=data["instructions"],
        hints=tuple(h.strip() for h in data["hints"]), forbidden=tuple(data.get("forbidden", [])),
        time_limit=float(data.get("time_limit", DEFAULT_TIME_LIMIT)), mistakes=tuple(mistakes),
        directory=yaml_path.parent, solution_dir=course_root / "solutions" / data["id"],
        examples=tuple(examples), equivalent_mutants=tuple(equivalent),
    )


def shown_in_course(path: Path, root: Path) -> str:
    """PATH as every course error names it: relative to the course's root (where the author works,
    whatever the folder the command ran in), absolute only outside it."""
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def load_course(root: Path) -> Course:
    """Load every exercise under ROOT/exercises, in the order of exercises/course.yaml."""
    root = root.resolve()
    exercises_dir = root / "exercises"
    if not exercises_dir.is_dir():
        raise CourseError(f"{root} is not a course: it has no exercises/ folder")
    found: dict[str, Path] = {}
    for path in sorted(exercises_dir.glob("*/*/exercise.yaml")):
        if path.parent.name in found:  # ids are folder names: two modules may not share one
            raise CourseError(f"the exercise id {path.parent.name!r} is used twice, also by "
                              f"{shown_in_course(found[path.parent.name], root)}", path=shown_in_course(path, root))
        found[path.parent.name] = path
    title, order = "learn", sorted(found, key=lambda i: (found[i].parent.parent.name, i))
    due_date, student_format, late = None, "python", {}
    index_path = exercises_dir / "course.yaml"
    problems: list[CourseError] = []  # every broken file's, so that one run names them all
    if index_path.exists():
        try:
            title, order, due_date, student_format, late = _load_index(index_path, root, found)
        except CourseError as exc:
            problems.append(exc)
    loaded = []
    for exercise_id in order:
        try:
            loaded.append(load_exercise(found[exercise_id], root))
        except CourseError as exc:
            problems.append(exc)
    CourseErrors.raise_any(problems)
    exercises = tuple(loaded)
    exercises = tuple(dataclasses.replace(e, namesakes=tuple(o.id for o in exercises if o.file == e.file and o is not e))
                      if any(o.file == e.file and o is not e for o in exercises) else e for e in exercises)
    return Course(root=root, title=title, exercises=exercises, due_date=due_date, student_format=student_format,
                  **late)


def _due_date(doc: YamlDoc, value: Any, where: str = "due_date") -> datetime.datetime | None:
    """A date means the end of that day in UTC; a datetime without a zone is UTC."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)
    if isinstance(value, datetime.date):
        return datetime.datetime.combine(value, datetime.time(23, 59, 59), datetime.timezone.utc)
    doc.fail(where, f"expected a date like 2025-03-31 or 2025-03-31T18:00:00+01:00, got {value!r}")




def _load_index(index_path: Path, root: Path,
                found: dict[str, Path]) -> tuple[str, list[str], datetime.datetime | None, str, dict[str, Any]]:
    doc = YamlDoc(index_path, shown_in_course(index_path, root))
    data = doc.data
    if not isinstance(data, dict):
        doc.fail("", "expected a mapping with title and exercises")
    for key in data:
        if key not in INDEX_FIELDS:
            doc.note(key, unknown_field(key, INDEX_FIELDS))
    if "format_version" in data:  # optional, but a newer format is refused as in exercise.yaml
        Const(FORMAT_VERSION).check(doc, "format_version", data["format_version"])
    title = text(doc, "title", data.get("title", "learn"))
    order = expect(doc, "exercises", data.get("exercises"), list, "a list of exercise ids")
    for i, exercise_id in enumerate(order):
        if exercise_id not in found:
            doc.note(f"exercises[{i}]", f"no exercise folder exercises/*/{exercise_id}/exercise.yaml")
        elif order.index(exercise_id) != i:
            doc.note(f"exercises[{i}]", f"{exercise_id!r} is listed twice")
    missing = sorted(set(found) - set(order))
    if missing:
        doc.note("exercises", f"does not list {', '.join(missing)}")
    student_format = data.get("student_format", "python")
    if student_format not in STUDENT_FORMATS:
        doc.note("student_format", f"expected one of: {', '.join(STUDENT_FORMATS)}, got {student_format!r}")
    with doc.gathered():
        due_date = _due_date(doc, data.get("due_date"), "due_date")
    with doc.gathered():
        late = _late_work(doc, data, found)
    doc.raise_problems()
    return title.strip(), list(order), due_date, student_format, late


def _late_work(doc: YamlDoc, data: dict[str, Any], found: dict[str, Path]) -> dict[str, Any]:
    """due_dates (per exercise) and late_policy, for grader.classroom.late."""
    due_dates = expect(doc, "due_dates", data.get("due_dates") or {}, dict, "a mapping of exercise ids to dates")
    for exercise_id in due_dates:
        if exercise_id not in found:
            doc.fail(f"due_dates.{exercise_id}", "no such exercise in this course")
    dates = {i: _due_date(doc, v, f"due_dates.{i}") for i, v in due_dates.items()}
    if data.get("late_policy") is None:
        return {"due_dates": dates}
    from grader.classroom.late import parse_policy
    if data.get("due_date") is None and not dates:
        doc.fail("late_policy", "a late policy needs due_date or due_dates")
    return {"due_dates": dates, "late_policy": parse_policy(doc, data["late_policy"])}

