"""Names the mistake behind a failed test by replaying the student's calls through the catalogue.

For every catalogued mistake that stands in for a function the test called, the recorded inputs
are replayed through the mistake (in-process: it is the instructor's code). The mistake explains
the failure when it reproduces every output the student returned for that function, and
differs from the reference on at least one of them (so it explains something).
"""
from __future__ import annotations

import warnings
from typing import Any

from grader.compare import explain
from grader.solutions import MistakeFunction, Solution
from grader.testing import Call, has_float32
from grader.sandbox import wire


def _replay(function: Any, call: Call) -> tuple[bool, Any]:
    try:
        args, kwargs = wire.loads(wire.dumps(call.args)), wire.loads(wire.dumps(call.kwargs))
        with warnings.catch_warnings():  # a mistake's 0/0 is the grader's business, not the terminal's
            warnings.simplefilter("ignore")
            return True, function(*args, **kwargs)
    except Exception:
        return False, None


def _explains(mistake: MistakeFunction, calls: list[Call], solution: Solution,
              expected_by_call: dict[int, tuple[bool, Any]]) -> bool:
    relevant = [c for c in calls if c.function == mistake.replaces and c.returned]
    if not relevant:
        return False
    reference = getattr(solution.reference, mistake.replaces, None)
    differs = False
    for call in relevant:
        ok, predicted = _replay(mistake.function, call)
        float32 = has_float32(call.args) or has_float32(call.kwargs)
        if not ok or explain(call.value, predicted, name="value", float32_input=float32) is not None:
            return False
        if reference is not None:
            if id(call) not in expected_by_call:  # shared by every mistake of this function
                expected_by_call[id(call)] = _replay(reference, call)
            ok_ref, expected = expected_by_call[id(call)]
            if not ok_ref or explain(predicted, expected, name="value", float32_input=float32) is not None:
                differs = True
    return differs


def refuted(named: dict[str, set[str]], solution: Solution) -> set[str]:
    """Of the catalogued mistakes NAMED (id -> the failed tests it explains), those the student's
    own outputs refute: a mistake of the same function explains every test this one does and
    more, so in those other tests the student's outputs matched it and not this one. (arcsin for
    arccos and "returns the cosines" both give 0 for orthogonal subspaces; only arcsin explains
    the random ones.) Two mistakes that explain the same tests are both kept: nothing tells them apart."""
    function = {m.id: m.replaces for m in solution.mistakes}
    return {weaker for weaker, its_tests in named.items() for stronger, tests in named.items()
            if stronger != weaker and function.get(stronger) == function.get(weaker) is not None
            and its_tests < tests}


def diagnose(calls: list[Call], solution: Solution) -> list[str]:
    """The ids of the catalogued mistakes that explain the calls of a failed test."""
    expected_by_call: dict[int, tuple[bool, Any]] = {}
    return [m.id for m in solution.mistakes if _explains(m, calls, solution, expected_by_call)]
