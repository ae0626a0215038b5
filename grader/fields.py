"""Declarations of a YAML document's fields: each one checks a value where it was read and says
the same thing in JSON Schema.

The loader of ``exercise.yaml`` (:mod:`grader.course`) is written with these declarations, and
``grader/schema/exercise.schema.json`` is generated from the very same ones
(``python -m grader.schema``; a test fails when the committed file is stale), so the loader and
the schema cannot disagree. A check fails through :meth:`grader.yamldoc.YamlDoc.fail`, so every
error names the file, the line and the field (``exercise.yaml:5: points: expected a whole
number of points, got a string``). What JSON Schema cannot say (an id that must equal its
folder's name, an example that calls one of the exercise's functions) stays in the loader.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from grader.spelling import misspelt, unknown_field
from grader.yamldoc import YamlDoc, expect, text, type_name

_NON_BLANK = r"\S"


class Field:
    """One field's declaration. NULLABLE: ``null`` is allowed and reads as the field's default."""
    nullable: bool = False
    description: str = ""

    def check(self, doc: YamlDoc, path: str, value: Any) -> Any:
        raise NotImplementedError

    def schema(self, definitions: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def _described(self, schema: dict[str, Any]) -> dict[str, Any]:
        if self.nullable:
            kind = schema["type"]
            schema["type"] = [*kind, "null"] if isinstance(kind, list) else [kind, "null"]
        if self.description:
            schema["description"] = self.description
        return schema


@dataclass(frozen=True)
class Const(Field):
    value: Any
    description: str = ""

    def check(self, doc: YamlDoc, path: str, value: Any) -> Any:
        if value != self.value or isinstance(value, bool) != isinstance(self.value, bool):
            doc.fail(path, f"expected {self.value!r}, got {value!r}")
        return value

    def schema(self, definitions: dict[str, Any]) -> dict[str, Any]:
        return {"const": self.value}


@dataclass(frozen=True)
class Text(Field):
    """A non-empty string; PATTERN (a regular expression it must match) fails with MISMATCH
    (which may name the value as ``{value!r}``)."""
    pattern: str | None = None
    mismatch: str = ""
    description: str = ""

    def check(self, doc: YamlDoc, path: str, value: Any) -> str:
        string = text(doc, path, value)
        if self.pattern and not re.search(self.pattern, string):
            doc.fail(path, self.mismatch.format(value=string))
        return string

    def schema(self, definitions: dict[str, Any]) -> dict[str, Any]:
        return self._described({"type": "string", "pattern": self.pattern or _NON_BLANK})


@dataclass(frozen=True)
class Integer(Field):
    what: str
    minimum: int | None = None
    below: str = ""                # the message when the value is below MINIMUM
    description: str = ""

    def check(self, doc: YamlDoc, path: str, value: Any) -> int:
        expect(doc, path, value, int, self.what)
        if self.minimum is not None and value < self.minimum:
            doc.fail(path, self.below)
        return value

    def schema(self, definitions: dict[str, Any]) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "integer"}
        if self.minimum is not None:
            schema["minimum"] = self.minimum
        return self._described(schema)


@dataclass(frozen=True)
class Number(Field):
    """A number in the range (or [) LOW, HIGH] (or )); OUTSIDE is the message when it is not."""
    what: str
    low: float
    high: float
    low_inclusive: bool = True
    high_inclusive: bool = True
    outside: str = ""
    nullable: bool = False
    description: str = ""

    def check(self, doc: YamlDoc, path: str, value: Any) -> float:
        if isinstance(value, str) and re.fullmatch(r"[0-9]+e-?[0-9]+", value):  # YAML 1.1 wants a dot
            doc.fail(path, f"{value!r} is a string in YAML: write it with a dot, like {value.replace('e', '.0e', 1)}")
        expect(doc, path, value, (int, float), self.what)
        above = value >= self.low if self.low_inclusive else value > self.low
        below = value <= self.high if self.high_inclusive else value < self.high
        if not (above and below):
            doc.fail(path, self.outside)
        return value

    def schema(self, definitions: dict[str, Any]) -> dict[str, Any]:
        return self._described({"type": "number",
                                "minimum" if self.low_inclusive else "exclusiveMinimum": self.low,
                                "maximum" if self.high_inclusive else "exclusiveMaximum": self.high})


@dataclass(frozen=True)
class ListOf(Field):
    item: Field
    what: str                      # "a list of hints"
    min_items: int = 0
    too_few: str = ""
    unique: str = ""               # when set, items must be unique, and this is the message
    nullable: bool = False
    description: str = ""

    def check(self, doc: YamlDoc, path: str, value: Any) -> list:
        if value is None and self.nullable:
            return []
        items = expect(doc, path, value, list, self.what)
        if len(items) < self.min_items:
            doc.note(path, self.too_few)
        checked = []
        for i, item in enumerate(items):
            with doc.gathered():
                if not doc.failed(f"{path}[{i}]"):
                    checked.append(self.item.check(doc, f"{path}[{i}]", item))
        if self.unique and len(set(map(repr, checked))) != len(checked):
            doc.fail(path, self.unique)
        return checked

    def schema(self, definitions: dict[str, Any]) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "array"}
        if self.min_items:
            schema["minItems"] = self.min_items
        if self.unique:
            schema["uniqueItems"] = True
        schema["items"] = self.item.schema(definitions)
        return self._described(schema)


@dataclass(frozen=True)
class Record(Field):
    """A mapping of known fields. Unknown fields and missing REQUIRED ones are errors; ONE_OF
    names groups of which exactly one field must be present. Checked values come back in a
    dict, a missing optional field as absent."""
    fields: dict[str, Field]
    what: str                      # "a mapping with id and message"
    required: tuple[str, ...] = ()
    one_of: tuple[tuple[str, ...], ...] = ()
    nullable: bool = False
    description: str = ""

    def check(self, doc: YamlDoc, path: str, value: Any) -> dict[str, Any]:
        if value is None and self.nullable:
            return {}
        mapping = expect(doc, path, value, dict, self.what)
        known, misspelt_as = list(self.fields), {}
        for key in mapping:
            if key not in self.fields:
                misspelt_as[misspelt(key, known)] = key
                doc.note(f"{path}.{key}" if path else key, unknown_field(key, known))
        for key in self.required:
            if key not in mapping and key not in misspelt_as:  # `titel`'s message already says title
                doc.note(path, f"missing required field {key!r}")
        for group in self.one_of:
            present = [k for k in group if k in mapping]
            if len(present) != 1:
                doc.note(path, f"expected exactly one of {' or '.join(map(repr, group))}"
                         + (f", got {len(present)}" if present else ""))
        checked = {}
        for key, declared in self.fields.items():
            where = f"{path}.{key}" if path else key
            if key in mapping and not doc.failed(where):
                with doc.gathered():
                    checked[key] = declared.check(doc, where, mapping[key])
        return checked

    def schema(self, definitions: dict[str, Any]) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "object", "additionalProperties": False}
        if self.required:
            schema["required"] = list(self.required)
        if self.one_of:
            schema["allOf"] = [{"oneOf": [{"required": [k]} for k in group]} for group in self.one_of]
        schema["properties"] = {key: f.schema(definitions) for key, f in self.fields.items()}
        return self._described(schema)


@dataclass(frozen=True)
class MapOf(Field):
    """A mapping from names matching KEY_PATTERN (else KEY_MISMATCH) to VALUES."""
    values: Field
    what: str
    key_pattern: str
    key_mismatch: str
    nullable: bool = False
    description: str = ""

    def check(self, doc: YamlDoc, path: str, value: Any) -> dict[str, Any]:
        if value is None and self.nullable:
            return {}
        mapping = expect(doc, path, value, dict, self.what)
        checked = {}
        for key, item in mapping.items():
            if not re.search(self.key_pattern, key):
                doc.note(f"{path}.{key}", self.key_mismatch)
            elif not doc.failed(f"{path}.{key}"):
                with doc.gathered():
                    checked[key] = self.values.check(doc, f"{path}.{key}", item)
        return checked

    def schema(self, definitions: dict[str, Any]) -> dict[str, Any]:
        return self._described({"type": "object", "propertyNames": {"pattern": self.key_pattern},
                                "additionalProperties": self.values.schema(definitions)})


@dataclass(frozen=True)
class Defined(Field):
    """A value checked by code of its own (CHECK fails through the document) whose JSON Schema
    is written beside it, once, under ``$defs/NAME``."""
    name: str
    checker: Callable[[YamlDoc, str, Any], None]
    definition: dict[str, Any] = field(hash=False, compare=False, default_factory=dict)

    def check(self, doc: YamlDoc, path: str, value: Any) -> Any:
        self.checker(doc, path, value)
        return value

    def schema(self, definitions: dict[str, Any]) -> dict[str, Any]:
        definitions[self.name] = self.definition
        return {"$ref": f"#/$defs/{self.name}"}


def json_schema(root: Record, *, schema_id: str, title: str) -> dict[str, Any]:
    """ROOT's declarations as a JSON Schema (draft 2020-12) document."""
    definitions: dict[str, Any] = {}
    body = root.schema(definitions)
    document = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": schema_id, "title": title,
                **body}
    if definitions:
        document["$defs"] = definitions
    return document


__all__ = ["Const", "Defined", "Field", "Integer", "ListOf", "MapOf", "Number", "Record", "Text",
           "json_schema", "type_name"]
