"""Loads an exercise's instructor side: the reference, the hidden tests and the mistake catalogue.

Only the grader process ever imports these. While they load, the solution folder is on
``sys.path`` so that tests and mistakes can ``import <file stem>`` to reach the reference;
afterwards the folder and the short module names are removed again, so exercises with files of
the same name never see each other's modules.
"""
from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys
import traceback
import warnings
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

import pytest

from grader.course import Exercise, shown_in_course
from grader.errors import CourseError
from grader.parametrize import Mark, expand
from grader.spelling import misspelt

FIXTURES = ("student", "reference", "rng", "size")
VISIBILITIES = ("visible", "hidden", "after_due_date")


@dataclass(frozen=True)
class TestCase:
    id: str                 # test_name or test_name[case]
    function: Callable
    params: tuple[tuple[str, Any], ...]
    points: float
    visibility: str
    shrink: int | None      # default size for the `size` fixture; shrinks on failure
    description: str
    statistical: bool
    fixtures: tuple[str, ...]


@dataclass(frozen=True)
class MistakeFunction:
    id: str
    replaces: str
    function: Callable


@dataclass(frozen=True)
class Solution:
    exercise: Exercise
    reference: ModuleType
    tests: tuple[TestCase, ...]
    mistakes: tuple[MistakeFunction, ...]


def _load_module(path: Path, name: str, shown: str) -> ModuleType:
    """The module at PATH (SHOWN in errors), or a CourseError at the line its import failed on."""
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise CourseError("cannot be imported", path=shown)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        with warnings.catch_warnings():  # an unknown mark is refused by name below, did-you-mean and all
            warnings.simplefilter("ignore", pytest.PytestUnknownMarkWarning)
            spec.loader.exec_module(module)
    except Exception as exc:
        sys.modules.pop(name, None)
        raise CourseError(f"failed to import: {type(exc).__name__}: {exc}", path=shown,
                          line=_failed_line(exc, path)) from None
    return module


def _failed_line(exc: BaseException, path: Path) -> int | None:
    """The line of PATH an import failed on: a syntax error's, else the last of its traceback in PATH."""
    if isinstance(exc, SyntaxError) and exc.filename == str(path):
        return exc.lineno
    lines = [line for frame, line in traceback.walk_tb(exc.__traceback__) if frame.f_code.co_filename == str(path)]
    return lines[-1] if lines else None


MARKS = ("points", "visibility", "shrink", "statistical")  # honoured on a test and on a pytest.param


def _settings(marks: list[Mark], who: str, where: str, inherited: dict[str, Any],
              line: int | None = None) -> dict[str, Any]:
    """points, visibility, shrink and statistical from MARKS (the first of each name wins, as
    pytest's get_closest_marker would), over INHERITED; any other mark is refused, loudly."""
    settings = dict(inherited)
    seen: set[str] = set()
    for mark in marks:
        if mark.name == "parametrize" or mark.name in seen:
            continue
        seen.add(mark.name)
        value = mark.args[0] if mark.args else None
        if mark.name == "points":
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                raise CourseError(f"{who}: points must be a non-negative number, got {value!r}", path=where, line=line)
            settings["points"] = value
        elif mark.name == "visibility":
            if value not in VISIBILITIES:
                raise CourseError(f"{who}: visibility must be one of {', '.join(VISIBILITIES)}, got {value!r}",
                                  path=where, line=line)
            settings["visibility"] = value
        elif mark.name == "shrink":
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise CourseError(f"{who}: shrink needs a starting size >= 1", path=where, line=line)
            settings["shrink"] = value
        elif mark.name == "statistical":
            settings["statistical"] = True
        else:
            meant = misspelt(mark.name, (*MARKS, "parametrize"))
            if meant:  # a typo, not a pytest mark to refuse
                raise CourseError(f"{who}: unknown mark pytest.mark.{mark.name}: did you mean pytest.mark.{meant}?",
                                  path=where, line=line)
            raise CourseError(f"{who}: pytest.mark.{mark.name} is not supported on a hidden test (learn "
                              f"honours {', '.join(MARKS)} and parametrize); a test that pytest would skip or "
                              "expect to fail would still be graded here, so remove it", path=where, line=line)
    return settings


def _collect(module: ModuleType, where: str) -> list[dict]:
    collected = []
    for name, function in vars(module).items():
        if not name.startswith("test") or not inspect.isfunction(function):
            continue
        if function.__module__ != module.__name__:
            continue
        line = _def_line(function)
        own = _settings(list(getattr(function, "pytestmark", [])), f"{name}()", where,
                        {"points": None, "visibility": "visible", "shrink": None, "statistical": False}, line)
        cases = []
        for case in expand(function, where):
            settings = _settings(list(case.marks), f"{name}[{case.suffix}]", where, {**own, "points": None}, line)
            cases.append({"suffix": case.suffix, "params": case.params, **settings})
        param_names = {n for case in cases for n, _ in case["params"]}
        arguments = inspect.signature(function).parameters
        unused = sorted(param_names - set(arguments))
        if unused:  # pytest: "function uses no argument 'y'" (it was called an unknown fixture 'x')
            raise CourseError(f"{name}(): parametrize names {', '.join(map(repr, unused))}, which {name}() does not "
                              f"take (its arguments: {', '.join(arguments) or 'none'})", path=where, line=line)
        fixtures = []
        for parameter in arguments:
            if parameter in param_names:
                continue
            if parameter not in FIXTURES:
                meant = misspelt(parameter, FIXTURES)
                raise CourseError(f"{name}() asks for an unknown fixture {parameter!r}"
                                  + (f", did you mean {meant!r}?" if meant else "")
                                  + f" (available: {', '.join(FIXTURES)})", path=where, line=line)
            fixtures.append(parameter)
        for case in cases:
            if case["shrink"] is not None and "size" not in fixtures:
                raise CourseError(f"{name}(): a shrink test must take the `size` fixture", path=where, line=line)
            if case["shrink"] is None and "size" in fixtures:
                raise CourseError(f"{name}(): the `size` fixture needs @pytest.mark.shrink(N)", path=where, line=line)
        collected.append({"name": name, "function": function, "cases": cases,
                          "points": _test_points(name, own["points"], cases, where), "fixtures": tuple(fixtures),
                          "description": inspect.getdoc(function) or name.replace("_", " ")})
    return collected


def _test_points(name: str, declared: float | None, cases: list[dict], where: str) -> float | None:
    """The points of the whole test: declared on it, or the sum of its cases' own when every case
    has some (None: it shares what the other tests leave)."""
    own = [c["points"] for c in cases if c["points"] is not None]
    if not own:
        return declared
    if len(own) == len(cases):
        if declared is not None and abs(sum(own) - declared) > 1e-9:
            raise CourseError(f"{name}(): its cases' points add up to {sum(own):g}, not the {declared:g} "
                              "the test declares", path=where)
        return float(sum(own))
    if declared is None:
        raise CourseError(f"{name}(): some cases have their own points: give the test @pytest.mark.points(N) "
                          "too, and the cases without points share what is left", path=where)
    if sum(own) > declared + 1e-9:
        raise CourseError(f"{name}(): its cases' points add up to {sum(own):g}, more than the test's "
                          f"{declared:g}", path=where)
    return declared


def _allocate(collected: list[dict], total: int, path: str) -> list[TestCase]:
    marked = sum(t["points"] for t in collected if t["points"] is not None)
    unmarked = [t for t in collected if t["points"] is None]
    if marked > total + 1e-9:
        raise CourseError(f"the tests' points add up to {marked:g}, more than the exercise's {total}", path=path)
    if not unmarked and abs(marked - total) > 1e-9:
        raise CourseError(f"the tests' points add up to {marked:g}, not the exercise's {total}", path=path)
    share = (total - marked) / len(unmarked) if unmarked else 0.0
    tests = []
    for t in collected:
        points = t["points"] if t["points"] is not None else share
        own = [c["points"] for c in t["cases"] if c["points"] is not None]
        rest = (points - sum(own)) / (len(t["cases"]) - len(own)) if len(own) < len(t["cases"]) else 0.0
        for case in t["cases"]:
            tests.append(TestCase(
                id=f"{t['name']}[{case['suffix']}]" if case["suffix"] else t["name"], function=t["function"],
                params=case["params"], points=case["points"] if case["points"] is not None else rest,
                visibility=case["visibility"], shrink=case["shrink"], description=t["description"],
                statistical=case["statistical"], fixtures=t["fixtures"]))
    return tests


def load_solution(exercise: Exercise) -> Solution:
    folder = exercise.solution_dir
    course_root = folder.parent.parent  # COURSE/solutions/<id>

    def shown(path: Path) -> str:
        return shown_in_course(path, course_root)
    if not exercise.reference_path.is_file():
        raise CourseError(f"{exercise.id}: no reference solution at {shown(exercise.reference_path)}")
    stem = exercise.reference_path.stem
    prefix = f"learn_solution_{exercise.id.replace('-', '_')}"
    saved = sys.modules.pop(stem, None)
    sys.path.insert(0, str(folder))
    importlib.invalidate_caches()
    try:
        reference = _load_module(exercise.reference_path, stem, shown(exercise.reference_path))
        mistakes_module = (_load_module(folder / "mistakes.py", f"{prefix}.mistakes", shown(folder / "mistakes.py"))
                           if (folder / "mistakes.py").is_file() else None)
        test_paths = sorted(folder.glob("test_*.py"))
        if not test_paths:
            raise CourseError(f"{exercise.id}: no hidden tests (test_*.py) in {shown(folder)}")
        collected = []
        for path in test_paths:
            collected += _collect(_load_module(path, f"{prefix}.{path.stem}", shown(path)), shown(path))
    finally:
        sys.path.remove(str(folder))
        sys.modules.pop(stem, None)
        if saved is not None:
            sys.modules[stem] = saved
    tests = _allocate(collected, exercise.points, shown(folder))
    return Solution(exercise, reference, tuple(tests),
                    _mistakes(exercise, mistakes_module, reference, shown(folder / "mistakes.py")))


def _def_line(function: Callable) -> int | None:
    """The line of FUNCTION's `def` (its code object starts at its first decorator)."""
    try:
        lines, first = inspect.getsourcelines(function)
    except (OSError, TypeError):
        return None
    return next((first + i for i, text in enumerate(lines) if text.lstrip().startswith(("def ", "async def "))),
                first)


def _mistakes(exercise: Exercise, module: ModuleType | None, reference: ModuleType,
              path: str) -> tuple[MistakeFunction, ...]:
    found = []
    if module is not None:
        for function in vars(module).values():
            tag = getattr(function, "__learn_mistake__", None)
            if tag and inspect.isfunction(function) and function.__module__ == module.__name__:
                found.append(MistakeFunction(tag[0], tag[1], function))
    catalogued = {m.id for m in exercise.mistakes}
    for m in found:
        if m.id not in catalogued:
            raise CourseError(f"mistake {m.id!r} has no entry in exercise.yaml's mistakes list", path=path)
        if m.replaces not in exercise.functions:
            raise CourseError(f"mistake {m.id!r} replaces {m.replaces!r}, which is not one of the "
                              f"exercise's functions", path=path)
    missing = catalogued - {m.id for m in found}
    if missing:
        raise CourseError(f"exercise.yaml lists mistakes with no function in mistakes.py: "
                          f"{', '.join(sorted(missing))}", path=path)
    return tuple(found)
