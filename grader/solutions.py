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
import itertools
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

from grader.course import Exercise
from grader.errors import CourseError

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


def _marks(function: Callable) -> dict[str, list]:
    marks: dict[str, list] = {}
    for mark in getattr(function, "pytestmark", []):
        marks.setdefault(mark.name, []).append(mark)
    return marks


def _load_module(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise CourseError("cannot be imported", path=str(path))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        sys.modules.pop(name, None)
        raise CourseError(f"failed to import: {type(exc).__name__}: {exc}", path=str(path)) from None
    return module


def _case_id(value: Any, argname: str, index: int) -> str:
    if isinstance(value, (int, float, str, bool)) or value is None:
        text = str(value)
        if len(text) <= 30 and text.isprintable():
            return text
    return f"{argname}{index}"


def _expand(function: Callable, marks: dict[str, list], path: Path) -> list[tuple[str, tuple]]:
    """The cases of a (possibly parametrized) test: [(id suffix, ((name, value), ...))]."""
    axes = []
    for mark in reversed(marks.get("parametrize", [])):  # decorators apply bottom-up
        names = mark.args[0]
        names = [n.strip() for n in names.split(",")] if isinstance(names, str) else list(names)
        ids = mark.kwargs.get("ids")
        cases = []
        for i, raw in enumerate(mark.args[1]):
            values = getattr(raw, "values", None)
            case_id = getattr(raw, "id", None)
            if values is None:
                values = (raw,) if len(names) == 1 else tuple(raw)
            if len(values) != len(names):
                raise CourseError(f"{function.__name__}: parametrize case {i} has {len(values)} "
                                  f"values for {len(names)} names", path=str(path))
            if case_id is None and ids is not None:
                case_id = ids[i] if not callable(ids) else ids(values[0])
            if case_id is None:
                case_id = "-".join(_case_id(v, n, i) for n, v in zip(names, values))
            cases.append((str(case_id), tuple(zip(names, values))))
        axes.append(cases)
    if not axes:
        return [("", ())]
    return [("-".join(c[0] for c in combo), tuple(p for c in combo for p in c[1]))
            for combo in itertools.product(*axes)]


def _collect(module: ModuleType, path: Path) -> list[dict]:
    collected = []
    for name, function in vars(module).items():
        if not name.startswith("test") or not inspect.isfunction(function):
            continue
        if function.__module__ != module.__name__:
            continue
        marks = _marks(function)
        cases = _expand(function, marks, path)
        param_names = {n for _, params in cases for n, _ in params}
        fixtures = []
        for parameter in inspect.signature(function).parameters:
            if parameter in param_names:
                continue
            if parameter not in FIXTURES:
                raise CourseError(f"{name}() asks for an unknown fixture {parameter!r} "
                                  f"(available: {', '.join(FIXTURES)})", path=str(path))
            fixtures.append(parameter)
        points = None
        if "points" in marks:
            points = marks["points"][0].args[0] if marks["points"][0].args else None
            if not isinstance(points, (int, float)) or isinstance(points, bool) or points < 0:
                raise CourseError(f"{name}(): points must be a non-negative number, got {points!r}", path=str(path))
        visibility = marks["visibility"][0].args[0] if "visibility" in marks else "visible"
        if visibility not in VISIBILITIES:
            raise CourseError(f"{name}(): visibility must be one of {', '.join(VISIBILITIES)}, "
                              f"got {visibility!r}", path=str(path))
        shrink = None
        if "shrink" in marks:
            shrink = marks["shrink"][0].args[0] if marks["shrink"][0].args else None
            if not isinstance(shrink, int) or shrink < 1:
                raise CourseError(f"{name}(): shrink needs a starting size >= 1", path=str(path))
            if "size" not in fixtures:
                raise CourseError(f"{name}(): a shrink test must take the `size` fixture", path=str(path))
        elif "size" in fixtures:
            raise CourseError(f"{name}(): the `size` fixture needs @pytest.mark.shrink(N)", path=str(path))
        collected.append({"name": name, "function": function, "cases": cases, "points": points,
                          "visibility": visibility, "shrink": shrink, "fixtures": tuple(fixtures),
                          "statistical": "statistical" in marks,
                          "description": inspect.getdoc(function) or name.replace("_", " ")})
    return collected


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
        for suffix, params in t["cases"]:
            tests.append(TestCase(
                id=f"{t['name']}[{suffix}]" if suffix else t["name"], function=t["function"],
                params=params, points=points / len(t["cases"]), visibility=t["visibility"],
                shrink=t["shrink"], description=t["description"], statistical=t["statistical"],
                fixtures=t["fixtures"]))
    return tests


def load_solution(exercise: Exercise) -> Solution:
    folder = exercise.solution_dir
    if not exercise.reference_path.is_file():
        raise CourseError(f"{exercise.id}: no reference solution at {exercise.reference_path}")
    stem = exercise.reference_path.stem
    prefix = f"learn_solution_{exercise.id.replace('-', '_')}"
    saved = sys.modules.pop(stem, None)
    sys.path.insert(0, str(folder))
    importlib.invalidate_caches()
    try:
        reference = _load_module(exercise.reference_path, stem)
        mistakes_module = (_load_module(folder / "mistakes.py", f"{prefix}.mistakes")
                           if (folder / "mistakes.py").is_file() else None)
        test_paths = sorted(folder.glob("test_*.py"))
        if not test_paths:
            raise CourseError(f"{exercise.id}: no hidden tests (test_*.py) in {folder}")
        collected = []
        for path in test_paths:
            collected += _collect(_load_module(path, f"{prefix}.{path.stem}"), path)
    finally:
        sys.path.remove(str(folder))
        sys.modules.pop(stem, None)
        if saved is not None:
            sys.modules[stem] = saved
    tests = _allocate(collected, exercise.points, str(folder))
    return Solution(exercise, reference, tuple(tests), _mistakes(exercise, mistakes_module, reference))


def _mistakes(exercise: Exercise, module: ModuleType | None, reference: ModuleType) -> tuple[MistakeFunction, ...]:
    found = []
    if module is not None:
        for function in vars(module).values():
            tag = getattr(function, "__learn_mistake__", None)
            if tag and inspect.isfunction(function) and function.__module__ == module.__name__:
                found.append(MistakeFunction(tag[0], tag[1], function))
    path = str(exercise.solution_dir / "mistakes.py")
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
