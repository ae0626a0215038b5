"""The format of ``exercise.yaml``, declared once.

:data:`EXERCISE` is what the loader (:func:`grader.course.load_exercise`) checks every file
against, and what ``grader/schema/exercise.schema.json`` is generated from
(``python -m grader.schema``). Only the checks that JSON Schema cannot express (an id that must
equal its folder's name, an example that must call one of the exercise's functions, ids listed
twice) stay in the loader.
"""
from __future__ import annotations

from typing import Any

from grader.fields import (Const, Defined, Integer, ListOf, MapOf, Number, Record, Text, json_schema,
                           type_name)
from grader.yamldoc import YamlDoc

FORMAT_VERSION = 1
IDENTIFIER = r"^[a-z0-9]+(-[a-z0-9]+)*$"
FILE_NAME = r"^[A-Za-z_][A-Za-z0-9_]*\.py$"
PYTHON_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"
FORBIDDEN_NAME = r"^(@|\.[A-Za-z_][A-Za-z0-9_]*|[A-Za-z_][A-Za-z0-9_.*?\[\]]*)$"
MUTANT_ID = r"^[A-Za-z_][A-Za-z0-9_]*:[a-z0-9-]+:[0-9a-f]{6}$"   # grader/mutation.py makes them
DEFAULT_TIME_LIMIT = 2.0
SCHEMA_ID = "https://learn.example/schema/exercise.schema.json"


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


def check_example_value(doc: YamlDoc, field: str, value: Any) -> None:
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
            check_example_value(doc, f"{field}.tuple[{i}]", item)
        return
    if isinstance(value, list):
        for i, item in enumerate(value):
            check_example_value(doc, f"{field}[{i}]", item)
        if (is_numeric(value) or is_boolean(value)) and numeric_shape(value) is None:
            doc.fail(field, "the rows of this array have different lengths")
        return
    doc.fail(field, "expected a number, a string, a boolean, a list, {tuple: [...]} or {rng: SEED}, "
             f"got {type_name(value)}")


VALUE = Defined("value", check_example_value, {
    "description": "a number, string, boolean or null; a list (a list of numbers, nested or not, is a float64 "
                   "array, a list of booleans a boolean array; neither may be ragged); {tuple: [values]}; "
                   "or {rng: SEED}",
    "anyOf": [
        {"type": ["number", "string", "boolean", "null"]},
        {"type": "array", "items": {"$ref": "#/$defs/value"}},
        {"type": "object", "additionalProperties": False, "required": ["tuple"],
         "properties": {"tuple": {"type": "array", "items": {"$ref": "#/$defs/value"}}}},
        {"type": "object", "additionalProperties": False, "required": ["rng"],
         "description": "numpy.random.default_rng(SEED)",
         "properties": {"rng": {"type": "integer", "minimum": 0}}},
    ]})

_TOLERANCE = Number("a number", 0, 1, high_inclusive=False, outside="expected a number between 0 and 1")

EXAMPLE = Record({
    "call": Text(PYTHON_NAME, "expected a Python function name", description="one of the exercise's functions"),
    "args": ListOf(VALUE, "a list of arguments"),
    "kwargs": MapOf(VALUE, "a mapping of keyword arguments", PYTHON_NAME, "expected a Python parameter name",
                    nullable=True),
    "expected": VALUE,
    "tolerance": Record({"rtol": _TOLERANCE, "atol": _TOLERANCE}, "a mapping with rtol and/or atol",
                        nullable=True),
}, "a mapping with call, args and expected", required=("call", "expected"))

MISTAKE = Record({
    "id": Text(IDENTIFIER, "expected lowercase words joined by hyphens"),
    "message": Text(),
}, "a mapping with id and message", required=("id", "message"))

EQUIVALENT_MUTANT = Record({
    "id": Text(MUTANT_ID, "expected a mutant id as `learn validate --mutants` prints it, like "
               "softmax:drop-keepdims:3f2a1c", description="one mutant, by the id validate prints"),
    "pattern": Text(description="every mutant whose diff contains this text (a changed line, without its +/-)"),
    "reason": Text(description="why the mutant computes what the contract asks for (the author's argument)"),
}, "a mapping with id (or pattern) and reason", required=("reason",), one_of=(("id", "pattern"),))

EXERCISE = Record({
    "format_version": Const(FORMAT_VERSION),
    "id": Text(IDENTIFIER, "expected lowercase words joined by hyphens, like dot-product",
               description="must equal the exercise's folder name"),
    "title": Text(),
    "module": Text(IDENTIFIER, "expected lowercase words joined by hyphens, like 01-projection",
                   description="must equal the parent folder name"),
    "points": Integer("a whole number of points", minimum=1, below="expected a positive number of points"),
    "file": Text(FILE_NAME, "expected a Python file name like similarity.py"),
    "functions": ListOf(Text(PYTHON_NAME, "expected a Python function name, got {value!r}"), "a list of function names",
                        min_items=1, too_few="expected at least one function", unique="lists a function twice"),
    "time_limit": Number("a number of seconds", 0, 60, low_inclusive=False,
                         outside="expected a number of seconds between 0 and 60"),
    "forbidden": ListOf(Text(FORBIDDEN_NAME, "expected a dotted name (numpy.dot), a glob (numpy.linalg.eig*), "
                             "a method (.dot) or the operator @"), "a list of names", nullable=True),
    "instructions": Text(),
    "hints": ListOf(Text(), "a list of hints", min_items=1, too_few="expected at least one hint"),
    "mistakes": ListOf(MISTAKE, "a list of mistakes", nullable=True),
    "examples": ListOf(EXAMPLE, "a list of examples", nullable=True,
                       description="public examples, shown by `learn show` and run by `learn grade` in a "
                                   "student-only install; `learn validate` checks them against the reference"),
    "equivalent_mutants": ListOf(EQUIVALENT_MUTANT, "a list of mutants with reasons", nullable=True,
                                 description="mutants of the reference that `learn validate` must not count as "
                                             "survivors: each computes what the contract asks for, for a reason "
                                             "the author states"),
}, "a mapping of fields", required=("format_version", "id", "title", "module", "points", "file", "functions",
                                    "instructions", "hints"))


def exercise_schema() -> dict[str, Any]:
    """The JSON Schema of exercise.yaml, from the same declarations the loader checks."""
    return json_schema(EXERCISE, schema_id=SCHEMA_ID, title=f"learn exercise.yaml (format_version {FORMAT_VERSION})")
