"""Trivial implementations: student files that ignore the question, written from a stub.

A course must give no points to an answer that does not do the work. To prove it, this module
writes, for any exercise of any course, files whose functions keep the stub's names and
signatures but answer without looking at the question: ``None``, a constant, zeros or noise
shaped like the input, the input itself, or a ``ValueError`` for everything. ``learn validate``
grades each of them and requires a score of 0 (see ``grader.validation``); the suite grades a
whole class of them through ``learn grade-all``.

A trivial answer is built at call time from the arguments it is given, so one file fits every
call: "shaped like the input" means the shape and dtype of the first array argument, or, for a
function that takes sizes (``xavier_uniform(fan_in, fan_out, rng)``), the leading integer
arguments as a shape. Noise is drawn from the function's own ``rng`` argument when it has one,
so that a test of "draws only from the given generator" cannot tell it from a real initializer.

The files are ordinary student files (no import of the grader): they run in the sandboxed
worker like any submission, or in-process when the course validates itself.
"""
from __future__ import annotations

import ast
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

if TYPE_CHECKING:
    from grader.course import Exercise

# Every kind, with what each function of the file does; the order is the order of reports.
KINDS: dict[str, str] = {
    "none": "returns None",
    "zero": "returns the constant 0.0",
    "one": "returns the constant 1.0",
    "zeros": "returns zeros shaped like its input",
    "input": "returns its first argument unchanged",
    "noise": "returns standard normal noise shaped like its input",
    "raises": "raises ValueError whatever it is given",
}

# The helpers every generated file starts with: plain numpy, no grader import.
_PRELUDE = '''\
"""A trivial implementation ({kind}: every function {what}), written by grader.trivial
from the stub of {exercise}. It ignores the question: a course must give it 0 points."""
import numpy as np


def _arrays(values):
    return [v for v in values if isinstance(v, np.ndarray)]


def _shape_and_dtype(values):
    arrays = _arrays(values)
    if arrays:
        return arrays[0].shape, (arrays[0].dtype if arrays[0].dtype.kind == "f" else np.float64)
    sizes = []
    for value in values:  # the leading integer arguments, as in f(rows, cols, rng)
        if isinstance(value, (int, np.integer)) and not isinstance(value, bool) and 0 <= value <= 4096:
            sizes.append(int(value))
        else:
            break
    return (tuple(sizes) if sizes else None), np.float64


def _generator(values):
    for value in values:
        if isinstance(value, np.random.Generator):
            return value
    return np.random.default_rng(0)


def _answer(kind, values):
    if kind == "none":
        return None
    if kind == "zero":
        return 0.0
    if kind == "one":
        return 1.0
    if kind == "raises":
        raise ValueError("a trivial implementation raises ValueError for everything")
    if kind == "input":
        return values[0] if values else None
    shape, dtype = _shape_and_dtype(values)
    if shape is None:
        return 0.0
    if kind == "zeros":
        return np.zeros(shape, dtype=dtype)
    return _generator(values).standard_normal(shape).astype(dtype)
'''


def _parameters(arguments: ast.arguments) -> str:
    """The call that passes a function's own parameters on, in order: ``[q, k, eps]``."""
    names = [a.arg for a in arguments.posonlyargs + arguments.args]
    listed = "[" + ", ".join(names) + "]"
    if arguments.vararg:
        listed += f" + list({arguments.vararg.arg})"
    keywords = [a.arg for a in arguments.kwonlyargs]
    if keywords:
        listed += " + [" + ", ".join(keywords) + "]"
    if arguments.kwarg:
        listed += f" + list({arguments.kwarg.arg}.values())"
    return listed


def signatures(stub_source: str, functions: tuple[str, ...]) -> dict[str, ast.FunctionDef]:
    """The top-level definitions of FUNCTIONS in a stub's source, in the stub's order (a
    function the stub lacks is left out: `learn validate` reports that stub on its own)."""
    return {node.name: node for node in ast.parse(stub_source).body
            if isinstance(node, ast.FunctionDef) and node.name in functions}


def source(kind: str, stub_source: str, functions: tuple[str, ...], exercise: str = "the exercise") -> str:
    """The text of a student file of KIND for a stub: its functions, with their signatures."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    parts = [_PRELUDE.format(kind=kind, what=KINDS[kind], exercise=exercise)]
    for name, node in signatures(stub_source, functions).items():
        parts.append(f"\n\ndef {name}({ast.unparse(node.args)}):\n"
                     f"    return _answer({kind!r}, {_parameters(node.args)})\n")
    return "".join(parts)


def functions(kind: str, exercise: Exercise) -> dict[str, Callable]:
    """The KIND functions of EXERCISE, compiled in this process (trusted: we wrote them)."""
    text = source(kind, exercise.stub_path.read_text(encoding="utf-8"), exercise.functions, exercise.id)
    namespace: dict = {"__name__": f"learn_trivial_{kind}"}
    exec(compile(text, f"<trivial {kind} implementation of {exercise.id}>", "exec"), namespace)
    return {name: namespace[name] for name in exercise.functions if name in namespace}


def write(kind: str, exercise: Exercise, folder: Path) -> Path:
    """Write the KIND file of EXERCISE as FOLDER/<id>/<file>, a student's workspace layout."""
    text = source(kind, exercise.stub_path.read_text(encoding="utf-8"), exercise.functions, exercise.id)
    target = folder / exercise.id / exercise.file
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


def write_class(exercises: Iterable[Exercise], submissions: Path,
                kinds: tuple[str, ...] = tuple(KINDS)) -> list[str]:
    """One workspace per kind under SUBMISSIONS (``trivial-<kind>/<id>/<file>``); their names."""
    exercises, students = list(exercises), []
    for kind in kinds:
        for exercise in exercises:
            write(kind, exercise, submissions / f"trivial-{kind}")
        students.append(f"trivial-{kind}")
    return students
