"""Mutants of a reference solution: small, plausible wrong versions of it, made from its AST.

The operators are the mistakes numerical code is made of: an axis swapped or ``keepdims``
dropped, a normalization, division, clip or max-subtraction left out, a transpose dropped or
applied to every axis, arguments swapped, a comparison or a constant (``ddof``, ``eps``, an
index) changed, one reduction used for another, a sign or a ``raise`` left out.

Each mutant changes one expression (or one statement) in place in the source text, so its
diff is a line or two. Its id, ``<function>:<operator>:<hash>``, depends on the function it is
in and on the code before and after the change, not on line numbers: an author who marks a
mutant equivalent in exercise.yaml keeps that mark while editing other parts of the file.
"""
from __future__ import annotations

import ast
import difflib
import hashlib
from dataclasses import dataclass
from typing import Iterator

from grader.mutation_operators import OPERATORS, Edit, edits


@dataclass(frozen=True)
class Mutant:
    id: str
    operator: str
    function: str
    line: int
    before: str          # the code that was changed
    after: str           # what it became
    source: str          # the whole mutated file
    diff: str            # unified diff against the reference, one line of context

    @property
    def change(self) -> str:
        """The change on one line, for a table: ``np.max(x, axis=-1) → np.max(x, axis=0)``."""
        def one_line(code: str) -> str:
            return " ".join(code.split())
        return f"line {self.line}: {one_line(self.before)} → {one_line(self.after)}"


def _offset(lines: list[str], line: int, byte_column: int) -> tuple[int, int]:
    """ast columns count UTF-8 bytes; the text is edited in characters."""
    return line, len(lines[line - 1].encode("utf-8")[:byte_column].decode("utf-8", errors="replace"))


def _apply(source: str, edit: Edit) -> str:
    lines = source.splitlines(keepends=True)
    (l1, c1), (l2, c2) = _offset(lines, *edit.start), _offset(lines, *edit.end)
    before = "".join(lines[:l1 - 1]) + lines[l1 - 1][:c1]
    after = lines[l2 - 1][c2:] + "".join(lines[l2:])
    return before + edit.replacement + after


def _segment(source: str, edit: Edit) -> str:
    lines = source.splitlines(keepends=True)
    (l1, c1), (l2, c2) = _offset(lines, *edit.start), _offset(lines, *edit.end)
    if l1 == l2:
        return lines[l1 - 1][c1:c2]
    return lines[l1 - 1][c1:] + "".join(lines[l1:l2 - 1]) + lines[l2 - 1][:c2]


def _same_program(a: str, b: str) -> bool:
    return ast.dump(ast.parse(a)) == ast.dump(ast.parse(b))


def make_mutants(source: str, label: str = "reference.py") -> list[Mutant]:
    """Every mutant of SOURCE that compiles and differs from it, in the order of the file."""
    seen: dict[tuple[str, str, str, str], int] = {}
    mutants = []
    for edit in sorted(edits(ast.parse(source)), key=lambda e: (e.start, e.end, e.operator, e.replacement)):
        mutated = _apply(source, edit)
        try:
            compile(mutated, label, "exec")
            if _same_program(source, mutated):
                continue
        except (SyntaxError, ValueError):
            continue
        before = _segment(source, edit)
        key = (edit.function, edit.operator, before, edit.replacement)
        occurrence = seen[key] = seen.get(key, -1) + 1
        digest = hashlib.sha256("\0".join((*key, str(occurrence))).encode("utf-8")).hexdigest()[:6]
        diff = "".join(difflib.unified_diff(source.splitlines(keepends=True), mutated.splitlines(keepends=True),
                                            f"a/{label}", f"b/{label}", n=1))
        mutants.append(Mutant(f"{edit.function}:{edit.operator}:{digest}", edit.operator, edit.function,
                              edit.start[0], before, edit.replacement, mutated, diff))
    return mutants


def by_operator(mutants: list[Mutant]) -> Iterator[tuple[str, int]]:
    """(operator, how many mutants it made), in the order of OPERATORS."""
    for operator in OPERATORS:
        count = sum(m.operator == operator for m in mutants)
        if count:
            yield operator, count
