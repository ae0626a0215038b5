"""The course model: exercise.yaml files loaded once into frozen dataclasses.

Documents come from :mod:`grader.yamldoc` (the only module that imports ``yaml``), which
keeps the line of every field: every problem is reported with the file, the line and the field (``exercises/m/x/exercise.yaml:14: hints[2]: expected a string, got a
list``); nothing downstream re-checks what is validated here.
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.errors import CourseError
from grader.yamldoc import YamlDoc, expect, text, type_name

FORMAT_VERSION = 1
ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
MODULE_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
FILE_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\.py$")
NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
FORBIDDEN_PATTERN = re.compile(r"^(@|\.[A-Za-z_][A-Za-z0-9_]*|[A-Za-z_][A-Za-z0-9_.*?\[\]]*)$")
DEFAULT_TIME_LIMIT = 2.0
FIELDS = {"format_version", "id", "title", "module", "points", "file", "functions",
          "time_limit", "forbidden", "instructions", "hints", "mistakes", "examples"}
REQUIRED = FIELDS - {"time_limit", "forbidden", "mistakes", "examples"}
EXAMPLE_FIELDS = ("call", "args", "kwargs", "expected", "tolerance")
INDEX_FIELDS = ("format_version", "title", "exercises", "due_date", "student_format")
STUDENT_FORMATS = ("python", "notebook")   # `learn start` writes <file>.py, or <stem>.ipynb


@dataclass(frozen=True)
class Mistake:
    id: str
    message: str


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

    @property
    def yaml_path(self) -> Path:
        return self.directory / "exercise.yaml"

    @property
    def stub_path(self) -> Path:
        return self.directory / self.file

    def is_untouched(self, student_file: Path) -> bool:
        """STUDENT_FILE is still this exercise's stub, byte for byte (not started: not graded)."""
        try:
            return student_file.read_bytes() == self.stub_path.read_bytes()
        except OSError:
            return False

    @property
    def reference_path(self) -> Path:
        return self.solution_dir / self.file

    def mistake(self, mistake_id: str) -> Mistake | None:
        return next((m for m in self.mistakes if m.id == mistake_id), None)


@dataclass(frozen=True)
class Course:
    root: Path
    title: str
    exercises: tuple[Exercise, ...]
    due_date: datetime.datetime | None = None   # course.yaml's due_date, timezone-aware
    student_format: str = "python"               # course.yaml's student_format: what `learn start` writes

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
        hint = f" Did you mean {close[0]}?" if close else " Run `learn list` to see them."
        raise CourseError(f"no exercise named {exercise_id!r} in this course.{hint}")


def load_exercise(yaml_path: Path, course_root: Path) -> Exercise:
    display = _display(yaml_path, course_root)
    doc = YamlDoc(yaml_path, display)
    data = doc.data
    if not isinstance(data, dict):
        doc.fail("", f"expected a mapping of fields, got {type_name(data)}")
    for key in data:
        if key not in FIELDS:
            doc.fail(key, f"unknown field (expected one of: {', '.join(sorted(FIELDS))})")
    for key in sorted(REQUIRED):
        if key not in data:
            doc.fail("", f"missing required field {key!r}")
    if data["format_version"] != FORMAT_VERSION:
        doc.fail("format_version", f"expected {FORMAT_VERSION}, got {data['format_version']!r}")
    exercise_id = text(doc, "id", data["id"])
    if not ID_PATTERN.match(exercise_id):
        doc.fail("id", "expected lowercase words joined by hyphens, like dot-product")
    if exercise_id != yaml_path.parent.name:
        doc.fail("id", f"{exercise_id!r} does not match its folder {yaml_path.parent.name!r}")
    module = text(doc, "module", data["module"])
    if module != yaml_path.parent.parent.name:
        doc.fail("module", f"{module!r} does not match its folder {yaml_path.parent.parent.name!r}")
    points = expect(doc, "points", data["points"], int, "a whole number of points")
    if points <= 0:
        doc.fail("points", "expected a positive number of points")
    file = text(doc, "file", data["file"])
    if not FILE_PATTERN.match(file):
        doc.fail("file", "expected a Python file name like similarity.py")
    functions = expect(doc, "functions", data["functions"], list, "a list of function names")
    if not functions:
        doc.fail("functions", "expected at least one function")
    for i, name in enumerate(functions):
        if not isinstance(name, str) or not NAME_PATTERN.match(name):
            doc.fail(f"functions[{i}]", f"expected a Python function name, got {name!r}")
    if len(set(functions)) != len(functions):
        doc.fail("functions", "lists a function twice")
    hints = expect(doc, "hints", data["hints"], list, "a list of hints")
    if not hints:
        doc.fail("hints", "expected at least one hint")
    for i, hint in enumerate(hints):
        text(doc, f"hints[{i}]", hint)
    forbidden = expect(doc, "forbidden", data.get("forbidden", []) or [], list, "a list of names")
    for i, name in enumerate(forbidden):
        if not isinstance(name, str) or not FORBIDDEN_PATTERN.match(name):
            doc.fail(f"forbidden[{i}]", "expected a dotted name (numpy.dot), a glob "
                     "(numpy.linalg.eig*), a method (.dot) or the operator @")
    time_limit = data.get("time_limit", DEFAULT_TIME_LIMIT)
    expect(doc, "time_limit", time_limit, (int, float), "a number of seconds")
    if not 0 < time_limit <= 60:
        doc.fail("time_limit", "expected a number of seconds between 0 and 60")
    mistakes = []
    raw_mistakes = expect(doc, "mistakes", data.get("mistakes", []) or [], list, "a list of mistakes")
    for i, entry in enumerate(raw_mistakes):
        field = f"mistakes[{i}]"
        expect(doc, field, entry, dict, "a mapping with id and message")
        for key in entry:
            if key not in ("id", "message"):
                doc.fail(f"{field}.{key}", "unknown field (expected id or message)")
        for key in ("id", "message"):
            if key not in entry:
                doc.fail(field, f"missing required field {key!r}")
        mistake_id = text(doc, f"{field}.id", entry["id"])
        if not ID_PATTERN.match(mistake_id):
            doc.fail(f"{field}.id", "expected lowercase words joined by hyphens")
        if any(m.id == mistake_id for m in mistakes):
            doc.fail(f"{field}.id", f"mistake {mistake_id!r} is listed twice")
        mistakes.append(Mistake(mistake_id, text(doc, f"{field}.message", entry["message"]).strip()))
    return Exercise(
        id=exercise_id, title=text(doc, "title", data["title"]).strip(), module=module,
        points=points, file=file, functions=tuple(functions),
        instructions=text(doc, "instructions", data["instructions"]),
        hints=tuple(h.strip() for h in hints), forbidden=tuple(forbidden),
        time_limit=float(time_limit), mistakes=tuple(mistakes), directory=yaml_path.parent,
        solution_dir=course_root / "solutions" / exercise_id,
        examples=_examples(doc, data.get("examples", []) or [], tuple(functions)),
    )


def _examples(doc: YamlDoc, raw: Any, functions: tuple[str, ...]) -> tuple[Example, ...]:
    """The public examples: each a call of one of FUNCTIONS on plain data, and its expected value."""
    expect(doc, "examples", raw, list, "a list of examples")
    examples = []
    for i, entry in enumerate(raw):
        field = f"examples[{i}]"
        expect(doc, field, entry, dict, "a mapping with call, args and expected")
        for key in entry:
            if key not in EXAMPLE_FIELDS:
                doc.fail(f"{field}.{key}", f"unknown field (expected one of: {', '.join(EXAMPLE_FIELDS)})")
        for key in ("call", "expected"):
            if key not in entry:
                doc.fail(field, f"missing required field {key!r}")
        call = text(doc, f"{field}.call", entry["call"])
        if call not in functions:
            doc.fail(f"{field}.call", f"{call!r} is not one of the exercise's functions ({', '.join(functions)})")
        args = expect(doc, f"{field}.args", entry.get("args", []), list, "a list of arguments")
        for j, arg in enumerate(args):
            _example_value(doc, f"{field}.args[{j}]", arg)
        kwargs = expect(doc, f"{field}.kwargs", entry.get("kwargs", {}) or {}, dict, "a mapping of keyword arguments")
        for name, value in kwargs.items():
            if not NAME_PATTERN.match(name):
                doc.fail(f"{field}.kwargs.{name}", "expected a Python parameter name")
            _example_value(doc, f"{field}.kwargs.{name}", value)
        _example_value(doc, f"{field}.expected", entry["expected"])
        tolerance = expect(doc, f"{field}.tolerance", entry.get("tolerance", {}) or {}, dict,
                            "a mapping with rtol and/or atol")
        for key, value in tolerance.items():
            if key not in ("rtol", "atol"):
                doc.fail(f"{field}.tolerance.{key}", "unknown field (expected rtol or atol)")
            if isinstance(value, str) and re.fullmatch(r"[0-9]+e-?[0-9]+", value):  # YAML 1.1 wants a dot
                doc.fail(f"{field}.tolerance.{key}", f"{value!r} is a string in YAML: write it with a dot, "
                         f"like {value.replace('e', '.0e', 1)}")
            expect(doc, f"{field}.tolerance.{key}", value, (int, float), "a number")
            if not 0 <= value < 1:
                doc.fail(f"{field}.tolerance.{key}", "expected a number between 0 and 1")
        examples.append(Example(call, tuple(args), tuple(kwargs.items()), entry["expected"],
                                tolerance.get("rtol"), tolerance.get("atol")))
    return tuple(examples)


def _example_value(doc: YamlDoc, field: str, value: Any) -> None:
    """Numbers, strings, booleans, null; lists of these (a list of numbers or of booleans, nested
    or not, is an array, so its rows must have equal lengths); ``{tuple: [...]}`` for a tuple;
    ``{rng: SEED}`` for ``numpy.random.default_rng(SEED)``."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return
    if isinstance(value, dict):
        if list(value) == ["rng"]:
            if isinstance(value["rng"], bool) or not isinstance(value["rng"], int) or value["rng"] < 0:
                doc.fail(f"{field}.rng", "expected a seed: a whole number >= 0")
            return
        if list(value) != ["tuple"] or not isinstance(value["tuple"], list):
            doc.fail(field, "a mapping here must be {tuple: [values]} (a tuple) or {rng: SEED} "
                     "(numpy.random.default_rng(SEED))")
        for i, item in enumerate(value["tuple"]):
            _example_value(doc, f"{field}.tuple[{i}]", item)
        return
    if isinstance(value, list):
        for i, item in enumerate(value):
            _example_value(doc, f"{field}[{i}]", item)
        if (is_numeric(value) or is_boolean(value)) and numeric_shape(value) is None:
            doc.fail(field, "the rows of this array have different lengths")
        return
    doc.fail(field, "expected a number, a string, a boolean, a list, {tuple: [...]} or {rng: SEED}, "
             f"got {type_name(value)}")


def is_numeric(value: Any) -> bool:
    """A (nested) list whose leaves are all numbers: an array in an example."""
    if isinstance(value, list):
        return all(is_numeric(v) for v in value)
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_boolean(value: Any) -> bool:
    """A (nested, non-empty) list whose leaves are all booleans: a boolean array in an example."""
    if isinstance(value, list):
        return bool(value) and all(is_boolean(v) for v in value)
    return isinstance(value, bool)


def numeric_shape(value: Any) -> tuple[int, ...] | None:
    """The shape of a nested list of numbers or booleans, or None when it is ragged."""
    if not isinstance(value, list):
        return ()
    shapes = {numeric_shape(v) for v in value}
    if None in shapes or len(shapes) > 1:
        return None
    return (len(value),) + (shapes.pop() if shapes else ())


def _display(path: Path, root: Path) -> str:
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
                              f"{_display(found[path.parent.name], root)}", path=_display(path, root))
        found[path.parent.name] = path
    title, order = "learn", sorted(found, key=lambda i: (found[i].parent.parent.name, i))
    due_date, student_format = None, "python"
    index_path = exercises_dir / "course.yaml"
    if index_path.exists():
        title, order, due_date, student_format = _load_index(index_path, root, found)
    exercises = tuple(load_exercise(found[i], root) for i in order)
    for exercise in exercises:
        if not exercise.stub_path.is_file():
            raise CourseError(f"the stub {exercise.file} named in field 'file' does not exist",
                              path=_display(exercise.yaml_path, root), field="file")
    return Course(root=root, title=title, exercises=exercises, due_date=due_date, student_format=student_format)


def _due_date(doc: YamlDoc, value: Any) -> datetime.datetime | None:
    """A date means the end of that day in UTC; a datetime without a zone is UTC."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)
    if isinstance(value, datetime.date):
        return datetime.datetime.combine(value, datetime.time(23, 59, 59), datetime.timezone.utc)
    doc.fail("due_date", f"expected a date like 2025-03-31 or 2025-03-31T18:00:00+01:00, got {value!r}")


def _load_index(index_path: Path, root: Path,
                found: dict[str, Path]) -> tuple[str, list[str], datetime.datetime | None, str]:
    doc = YamlDoc(index_path, _display(index_path, root))
    data = doc.data
    if not isinstance(data, dict):
        doc.fail("", "expected a mapping with title and exercises")
    for key in data:
        if key not in INDEX_FIELDS:
            doc.fail(key, f"unknown field (expected one of: {', '.join(INDEX_FIELDS)})")
    title = text(doc, "title", data.get("title", "learn"))
    order = expect(doc, "exercises", data.get("exercises"), list, "a list of exercise ids")
    for i, exercise_id in enumerate(order):
        if exercise_id not in found:
            doc.fail(f"exercises[{i}]", f"no exercise folder exercises/*/{exercise_id}/exercise.yaml")
        if order.index(exercise_id) != i:
            doc.fail(f"exercises[{i}]", f"{exercise_id!r} is listed twice")
    missing = sorted(set(found) - set(order))
    if missing:
        doc.fail("exercises", f"does not list {', '.join(missing)}")
    student_format = data.get("student_format", "python")
    if student_format not in STUDENT_FORMATS:
        doc.fail("student_format", f"expected one of: {', '.join(STUDENT_FORMATS)}, got {student_format!r}")
    return title.strip(), list(order), _due_date(doc, data.get("due_date")), student_format

