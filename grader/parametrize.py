"""The cases of a parametrized hidden test, exactly as pytest makes them.

A case's id decides its seed (grader/seeds.py), so `learn grade --seed N` and
`pytest solutions/<id> --learn-seed N` (grader/plugin.py) run the same cases with the same
seeds only if the grader names every case as pytest does: stacked decorators (the one nearest
the function first and slowest), ``ids=`` lists and callables, ``pytest.param(..., id=...)``,
duplicate values made unique, non-ASCII values escaped, long strings by the installed pytest's
rule. Rather than copy those rules, this module asks pytest's own id maker and parameter-set
parser (``_pytest.python.IdMaker``, ``_pytest.mark.structures.ParameterSet``), with pytest's
default settings; they are internal, so every use of them is here, and the suite compares the
result with what ``pytest --collect-only`` says.

Marks given through ``pytest.param(..., marks=...)`` come back with their case: the loader
honours ``points``, ``visibility``, ``shrink`` and ``statistical`` and refuses the rest.
"""
from __future__ import annotations

import inspect
import itertools
from dataclasses import dataclass
from typing import Any, Callable

from _pytest.mark.structures import Mark, ParameterSet
from _pytest.python import IdMaker

from grader.errors import CourseError


@dataclass(frozen=True)
class Case:
    ids: tuple[str, ...]                   # one per parametrize decorator (a hidden one gives none)
    params: tuple[tuple[str, Any], ...]    # (argument name, value)
    marks: tuple[Mark, ...]                # given with pytest.param(..., marks=...)

    @property
    def suffix(self) -> str:
        """What goes between the brackets: test_name[suffix] ('' when not parametrized)."""
        return "-".join(self.ids)


def _arguments(mark: Mark) -> tuple[Any, Any, Any, Any]:
    """(argnames, argvalues, ids, indirect) of a parametrize mark, however it was written."""
    def signature(argnames: Any, argvalues: Any, indirect: Any = False, ids: Any = None, scope: Any = None) -> None:
        pass
    bound = inspect.signature(signature).bind(*mark.args, **mark.kwargs)
    bound.apply_defaults()
    return bound.arguments["argnames"], bound.arguments["argvalues"], bound.arguments["ids"], bound.arguments["indirect"]


def _ids(function: Callable, argnames: list[str], parametersets: list[ParameterSet], ids: Any,
         where: str) -> list[Any]:
    """One id per parameter set, made unique, as pytest's Metafunc.parametrize makes them."""
    idfn = ids if callable(ids) else None
    id_list = None if ids is None or callable(ids) else list(ids)
    if id_list is not None and len(id_list) != len(parametersets):
        raise CourseError(f"{function.__name__}: parametrize has {len(id_list)} ids for {len(parametersets)} "
                          "cases", path=where)
    options = {"argnames": argnames, "parametersets": parametersets, "idfn": idfn, "ids": id_list,
               "config": None, "nodeid": f"{where}::{function.__name__}", "func_name": function.__name__}
    accepted = inspect.signature(IdMaker).parameters  # its arguments differ between pytest versions
    return IdMaker(**{k: v for k, v in options.items() if k in accepted}).make_unique_parameterset_ids()


def expand(function: Callable, where: str) -> list[Case]:
    """The cases of FUNCTION in pytest's order; a single case with an empty suffix when it is not
    parametrized. WHERE names its file in errors."""
    cases = [Case((), (), ())]
    parametrizes = [m for m in getattr(function, "pytestmark", []) if m.name == "parametrize"]
    for mark in parametrizes:  # bottom decorator first: its id comes first and varies slowest
        try:
            argnames, argvalues, ids, indirect = _arguments(mark)
        except TypeError as exc:
            raise CourseError(f"{function.__name__}: parametrize({exc})", path=where) from None
        if indirect:
            raise CourseError(f"{function.__name__}: parametrize(..., indirect=...) is not supported: the "
                              "grader's fixtures are student, reference, rng and size", path=where)
        argvalues = list(argvalues)
        if not argvalues:
            raise CourseError(f"{function.__name__}: parametrize gives no cases (pytest would skip the test, "
                              "and a test that never runs cannot be graded)", path=where)
        names, force_tuple = ParameterSet._parse_parametrize_args(argnames, argvalues)
        parametersets = [ParameterSet.extract_from(v, force_tuple=force_tuple) for v in argvalues]
        for i, parameterset in enumerate(parametersets):
            if len(parameterset.values) != len(names):
                raise CourseError(f"{function.__name__}: parametrize case {i} has {len(parameterset.values)} "
                                  f"values for {len(names)} names", path=where)
        made = _ids(function, list(names), parametersets, ids, where)
        cases = [Case(case.ids + _shown(made_id), case.params + tuple(zip(names, parameterset.values)),
                      case.marks + tuple(getattr(m, "mark", m) for m in parameterset.marks))
                 for case, (made_id, parameterset) in itertools.product(cases, zip(made, parametersets))]
    return cases


def _shown(made_id: Any) -> tuple[str, ...]:
    """An id as it appears in the node id; pytest.HIDDEN_PARAM (pytest >= 8.4) leaves nothing."""
    return (made_id,) if isinstance(made_id, str) else ()
