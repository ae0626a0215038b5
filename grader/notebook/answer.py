"""The student's answer in a notebook: which cells, their code as one file, and where each line came from.

The answer is the code cells tagged ``answer`` (``learn start --notebook`` tags the cell that
holds the stub), in notebook order. A notebook with no tagged cell falls back to every code
cell, as if it ran top to bottom, and the report says so. Two tagged cells that both define
one of the exercise's functions are a conflict the grader does not guess about.

A cell that is not valid Python because of IPython syntax (``%magic``, ``!shell``, ``obj?``, a
``%%cell`` magic) keeps its line numbers: those lines become ``pass`` (the grader has no IPython
to run them), and a cell that is valid Python is never changed. Cells are numbered from 1 over
all cells, Markdown included, top to bottom.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from grader.notebook.document import NotebookProblem
from grader.sources import MAX_SOURCE_BYTES

if TYPE_CHECKING:
    from grader.course import Exercise

ANSWER_TAG = "answer"


@dataclass(frozen=True)
class Piece:
    """One cell's share of the extracted code."""
    cell: int         # 1-based, over all cells
    first_line: int   # the extracted code's line where this cell begins (1-based)
    lines: int


@dataclass(frozen=True)
class Answer:
    source: str
    pieces: tuple[Piece, ...]
    notes: tuple[str, ...]
    tagged: bool

    def locate(self, line: int) -> tuple[int, int] | None:
        """(cell, line in that cell) for a line of the extracted code; None outside every cell."""
        for piece in self.pieces:
            if piece.first_line <= line < piece.first_line + piece.lines:
                return piece.cell, line - piece.first_line + 1
        return None

    def is_stub_of(self, exercise: Exercise) -> bool:
        try:
            stub = exercise.stub_path.read_text(encoding="utf-8")
        except OSError:
            return False
        return _normal(self.source) == _normal(stub)


def _normal(code: str) -> str:
    return "\n".join(line.rstrip() for line in code.replace("\r\n", "\n").strip().splitlines())


def _tags(cell: Any) -> list[str]:
    tags = cell.get("metadata", {}).get("tags", [])
    return [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []


def _is_ipython_line(stripped: str) -> bool:
    return stripped.startswith(("%", "!")) or (stripped.endswith("?") and not stripped.startswith("#"))


def python_of(source: str) -> tuple[str, int]:
    """SOURCE with its IPython-only lines made ``pass`` (same line count); how many were."""
    try:
        ast.parse(source)
        return source, 0
    except (SyntaxError, ValueError, RecursionError, MemoryError):  # too deep or too big: the worker says so
        pass
    lines = source.split("\n")
    first = next((line.strip() for line in lines if line.strip()), "")
    if first.startswith("%%"):  # a cell magic: the whole cell is for IPython
        return "\n".join("" for _ in lines), sum(1 for line in lines if line.strip())
    changed = 0
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped and _is_ipython_line(stripped):
            lines[i] = line[: len(line) - len(line.lstrip())] + "pass"
            changed += 1
    return "\n".join(lines), changed


def _defines(source: str, names: tuple[str, ...]) -> set[str]:
    """The exercise's functions SOURCE defines at its top level (none if it does not parse)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set()
    return {node.name for node in tree.body
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in names}


def extract(notebook: Any, exercise: Exercise, name: str = "") -> Answer:
    """The answer in NOTEBOOK (validated, format 4); NAME is the file's name for messages."""
    name = name or f"the notebook of {exercise.id}"
    cells = list(notebook.cells)
    code = [(i + 1, c) for i, c in enumerate(cells) if c.get("cell_type") == "code"]
    tagged = [(n, c) for n, c in code if ANSWER_TAG in _tags(c)]
    notes = [f"cell {n} is tagged `{ANSWER_TAG}` but is not a code cell: it is not graded"
             for n, c in enumerate(cells, 1) if c.get("cell_type") != "code" and ANSWER_TAG in _tags(c)]
    chosen = tagged or [(n, c) for n, c in code if str(c.get("source", "")).strip()]
    if not chosen:
        raise NotebookProblem(f"{name} has no code to grade: write your answer in a code cell tagged "
                              f"`{ANSWER_TAG}` (`learn reset {exercise.id}` brings back the cell to start from)")
    if not tagged:
        notes.append(f"No cell of {name} is tagged `{ANSWER_TAG}`, so all {len(chosen)} code cells were graded, "
                     f"top to bottom. Tag the cell that holds your answer `{ANSWER_TAG}` "
                     "(in JupyterLab: the property inspector, gear icon) so that scratch cells are left out.")
    # Parsing is the grader's own work, in its own process: the cap a .py file has comes first
    # (a 5 MB answer cell once took 2.5 GB of the grader's memory to parse).
    size = sum(len(str(cell.get("source", "")).encode("utf-8", "surrogatepass")) for _, cell in chosen)
    if size > MAX_SOURCE_BYTES:
        raise NotebookProblem(f"the code graded in {name} is larger than {MAX_SOURCE_BYTES // 1024} KB: answers "
                              "that large are not graded (is a huge literal or pasted data in a cell?)")
    pieces, parts, line = [], [], 1
    defined: dict[str, list[int]] = {}
    for number, cell in chosen:
        source, ipython_lines = python_of(str(cell.get("source", "")))
        if ipython_lines and tagged:
            notes.append(f"cell {number}: {ipython_lines} line(s) of IPython syntax (%, !, ?) are not run "
                         "when grading")
        for function in _defines(source, exercise.functions):
            defined.setdefault(function, []).append(number)
        text = source if source.endswith("\n") else source + "\n"
        count = text.count("\n")
        pieces.append(Piece(number, line, count))
        parts.append(text)
        line += count
    for function, where in defined.items():
        if len(where) > 1 and tagged:
            raise NotebookProblem(
                f"cells {', '.join(map(str, where[:-1]))} and {where[-1]} of {name} both define {function}() "
                f"and are tagged `{ANSWER_TAG}`: which one is your answer? Remove the tag (or the cell) "
                "you do not want graded, save, and grade again. Nothing was graded.")
        if len(where) > 1:
            notes.append(f"{function}() is defined in cells {', '.join(map(str, where))}: the last one counts, "
                         "as when the notebook runs top to bottom")
    return Answer("".join(parts), tuple(pieces), tuple(notes), bool(tagged))
