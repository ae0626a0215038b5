"""YAML documents that remember where each field came from. The only module that imports ``yaml``.

A :class:`YamlDoc` holds the document as plain data and the line of every field path
(``hints[2]``, ``mistakes[0].id``), so that a check anywhere in the loader can fail with
``file:line: field: what was expected``.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import yaml

from grader.errors import CourseError, CourseErrors

# libyaml's parser when PyYAML was built with it (20x faster, same marks); pure Python otherwise.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CONSTRUCTOR = yaml.constructor.SafeConstructor()


class YamlDoc:
    """A YAML document as plain data plus the line of every field, for error messages."""

    def __init__(self, path: Path, display: str) -> None:
        self.display = display
        self.lines: dict[str, int] = {}
        self.problems: list[CourseError] = []  # what gathered() caught, for raise_problems()
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CourseError(f"cannot read: {exc}", path=display) from None
        try:
            node = yaml.compose(text, Loader=_LOADER)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            problem = getattr(exc, "problem", None) or str(exc)
            context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
            if context and context_mark is not None:
                problem += f" ({context} that starts at line {context_mark.line + 1})"
            raise CourseError(f"invalid YAML: {problem}", path=display,
                              line=mark.line + 1 if mark else None) from None
        if node is None:
            raise CourseError("the file is empty", path=display, line=1)
        self.data = self._convert(node, "")

    def _convert(self, node: yaml.Node, path: str) -> Any:
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            result = {}
            for key_node, value_node in node.value:
                key = str(key_node.value)
                child = f"{path}.{key}" if path else key
                if key in result:  # named at its second line: the first may be the one to keep
                    first = self.lines.get(child)
                    self.lines[child] = key_node.start_mark.line + 1
                    self.note(child, f"appears twice (first on line {first})" if first else "appears twice")
                self.lines[child] = key_node.start_mark.line + 1
                result[key] = self._convert(value_node, child)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self._convert(v, f"{path}[{i}]") for i, v in enumerate(node.value)]
        with self.gathered():  # the value is then None, and the document is refused when checked
            try:
                return _scalar(node)
            except yaml.YAMLError as exc:  # a tag the safe loader does not know, like !!python/name
                self.fail(path, f"cannot read {node.value!r}: {getattr(exc, 'problem', None) or exc}")
            except (ValueError, AttributeError) as exc:
                # a value shaped like its type but impossible (2025-02-30, T25:00, !!int abc):
                # the constructor raises on it instead of a YAML error
                what = "date" if node.tag.endswith(":timestamp") else node.tag.rsplit(":", 1)[-1]
                detail = f": {exc}" if isinstance(exc, ValueError) else ""
                self.fail(path, f"{node.value!r} is not a valid {what}{detail}")
        return None

    @contextmanager
    def gathered(self) -> Iterator[None]:
        """Keep a check's failure for raise_problems() and go on with the next check, so that one
        run names every problem of the file."""
        try:
            yield
        except CourseErrors as exc:
            self.problems.extend(exc.errors)
        except CourseError as exc:
            self.problems.append(exc)

    def failed(self, field: str) -> bool:
        """FIELD has a problem already (a value YAML could not read): it is named once, not again."""
        return any(problem.field == field for problem in self.problems)

    def raise_problems(self) -> None:
        """Raise what gathered() kept (in the file's order), if anything."""
        CourseErrors.raise_any(sorted(self.problems, key=lambda e: e.line or 0))

    def fail(self, field: str, message: str) -> NoReturn:
        raise self._error(field, message)

    def note(self, field: str, message: str) -> None:
        """FIELD's problem, kept for raise_problems(): the checks go on, to name them all in one run."""
        self.problems.append(self._error(field, message))

    def _error(self, field: str, message: str) -> CourseError:
        line = self.lines.get(field)
        parent = field
        while line is None and parent:
            parent = re.sub(r"(\.[^.\[]*|\[\d+\])$", "", parent)
            line = self.lines.get(parent)
        return CourseError(message, path=self.display, line=line, field=field or None)


def _scalar(node: yaml.ScalarNode) -> Any:
    return _CONSTRUCTOR.construct_object(node, deep=True)


def type_name(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean",
            int: "an integer", float: "a number", type(None): "nothing"}.get(type(value), type(value).__name__)


def expect(doc: YamlDoc, field: str, value: Any, kind: type | tuple, what: str) -> Any:
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        doc.fail(field, f"expected {what}, got {type_name(value)}")
    return value


def text(doc: YamlDoc, field: str, value: Any) -> str:
    string = expect(doc, field, value, str, "a string")
    if not string.strip():
        doc.fail(field, "expected a non-empty string")
    return string
