"""Mutation analysis for ``learn validate``: do the hidden tests kill every mutant of the reference?

Mutants come from :mod:`grader.mutants`. Each one runs as a student's file would: through the
proxy, wire codec and runner that validation uses for the reference and for the catalogued
mistakes (in-process: it is the instructor's own code, changed in one place), against the real
reference (the ``reference`` fixture is never mutated). A mutant is **killed** when it loses
points: some test worth points does not pass, with seed 1, or else with seed 2. The first such
test ends the run (the verdict is all we need), and the test that killed the previous mutant
is tried first on the next one, so most mutants cost one test. A mutant that keeps full marks
with both seeds **survived**, unless ``equivalent_mutants`` in exercise.yaml names it with a
reason: then it is **equivalent**, the author's word that it computes what the contract asks.

A mutant may loop forever (a comparison changed in a loop's condition). Each test runs under a
deadline of twice the exercise's ``time_limit`` (what one call of a student's gets), kept by a
timer signal in the validating process's main thread; a test past it kills the mutant, as a
timeout would kill a student's file. Warnings a mutant raises are ignored, as a worker prints
them instead of failing.
"""
from __future__ import annotations

import signal
import threading
import time
import types
import warnings
from dataclasses import dataclass, field
from typing import Any, Iterator

from grader.course import Exercise
from grader.mutants import Mutant, make_mutants
from grader.proxy import GradingInterrupt, InProcessBackend, StudentProxy, StudentTimeout
from grader.results import Status
from grader.runner import case_status
from grader.solutions import Solution, TestCase

KILLED, SURVIVED, EQUIVALENT = "killed", "survived", "equivalent"
DEADLINE_FACTOR = 2.0


@dataclass
class Verdict:
    mutant: Mutant
    outcome: str             # killed, survived or equivalent
    by: str = ""             # killed: which test, and how ("test_x failed")
    reason: str = ""         # equivalent: the author's reason


@dataclass
class MutationReport:
    verdicts: list[Verdict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)    # equivalent_mutants entries that no longer fit
    duration: float = 0.0

    def count(self, outcome: str) -> int:
        return sum(v.outcome == outcome for v in self.verdicts)

    @property
    def survivors(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.outcome == SURVIVED]


def _on_deadline(signum: int, frame: Any) -> None:
    raise StudentTimeout("the mutant ran past its deadline")


@dataclass
class _Deadline:
    """SECONDS of wall clock for the block, in the main thread (elsewhere: no limit, no signals)."""
    seconds: float
    armed: bool = False
    previous: Any = None

    def __enter__(self) -> None:
        self.armed = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
        if self.armed:
            self.previous = signal.signal(signal.SIGALRM, _on_deadline)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, *exc: object) -> None:
        if self.armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)


def _load(mutant: Mutant, exercise: Exercise) -> types.ModuleType:
    module = types.ModuleType(f"learn_mutant_{exercise.id.replace('-', '_')}")
    module.__file__ = str(exercise.reference_path)
    exec(compile(mutant.source, str(exercise.reference_path), "exec"), module.__dict__)
    return module


def _killer(mutant: Mutant, solution: Solution, order: list[TestCase], seed: int) -> str:
    """The first test that takes points from MUTANT ("test_x failed"), or "" when none does.
    ORDER is reordered: the killing test moves to the front for the next mutant."""
    exercise = solution.exercise
    limit = DEADLINE_FACTOR * exercise.time_limit
    try:
        with _Deadline(limit):
            module = _load(mutant, exercise)
    except (Exception, GradingInterrupt) as exc:
        return f"importing it fails ({type(exc).__name__})"
    functions = {n: getattr(module, n) for n in exercise.functions if callable(getattr(module, n, None))}
    proxy = StudentProxy(InProcessBackend(functions, exercise.file), exercise.functions, exercise.file)
    for case in list(order):
        try:
            with _Deadline(limit):
                status, grader_error = case_status(case, solution, proxy, seed)
        except GradingInterrupt:   # the deadline struck outside the test's own code
            status, grader_error = Status.TIMEOUT, False
        if status is not Status.PASSED:
            order.remove(case)
            order.insert(0, case)
            how = "makes the test itself fail (a grader error)" if grader_error else status.value
            return f"{case.id} {how}"
    return ""


def _equivalence(exercise: Exercise, mutant: Mutant) -> str:
    for entry in exercise.equivalent_mutants:
        if entry.matches(mutant.id, mutant.diff):
            return entry.reason
    return ""


def analyse(solution: Solution, seeds: tuple[int, ...]) -> MutationReport:
    """Run the hidden tests on every mutant of the exercise's reference."""
    started = time.monotonic()
    exercise = solution.exercise
    mutants = make_mutants(exercise.reference_path.read_text(encoding="utf-8"),
                           f"solutions/{exercise.id}/{exercise.file}")
    order = [case for case in solution.tests if case.points > 0]  # a test worth nothing takes nothing
    report = MutationReport()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for mutant in mutants:
            killer = ""
            for seed in seeds:
                killer = _killer(mutant, solution, order, seed)
                if killer:
                    break
            reason = _equivalence(exercise, mutant)
            outcome = KILLED if killer else EQUIVALENT if reason else SURVIVED
            report.verdicts.append(Verdict(mutant, outcome, killer, reason if not killer else ""))
    report.problems = list(_stale_entries(exercise, report.verdicts))
    report.duration = time.monotonic() - started
    return report


def _stale_entries(exercise: Exercise, verdicts: list[Verdict]) -> Iterator[str]:
    """Entries of equivalent_mutants that name no mutant, or only mutants the tests kill."""
    for entry in exercise.equivalent_mutants:
        matched = [v for v in verdicts if entry.matches(v.mutant.id, v.mutant.diff)]
        named = f"equivalent_mutants entry {entry.id or repr(entry.pattern)} (exercise.yaml line {entry.line})"
        if not matched:
            yield f"{named} matches no mutant of the reference: remove it, or update it to the reference"
        elif all(v.outcome == KILLED for v in matched):
            yield (f"{named} is not equivalent: the hidden tests kill "
                   f"{'it' if len(matched) == 1 else 'every mutant it matches'} ({matched[0].by}); remove it")
