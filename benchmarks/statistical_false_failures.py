"""How often do the course's statistical tests fail a correct answer (and miss a known mistake)?

Every hidden test marked ``@pytest.mark.statistical`` promises a false-failure probability below
1e-6 for a correct implementation. This benchmark runs each such test against the reference
solution for many seeds, in-process (``student`` is the reference module itself, ``rng`` is
seeded exactly as the grader seeds it, ``size`` is the shrink default), and prints per test the
failures, the runs, the observed rate and a 95% upper bound on the true rate (with 0 failures
in N runs the bound is about 3/N: a thousand seeds cannot show 1e-6, but they do catch a test
whose thresholds are off by orders of magnitude).

With ``--mistakes`` it also drops every catalogued mistake of those exercises into the reference
and counts the seeds on which it lost no points at all, over every hidden test of the exercise
(a miss; some mistakes are meant to be caught by a deterministic test, not a statistical one).

    python benchmarks/statistical_false_failures.py --seeds 1000
    python benchmarks/statistical_false_failures.py --seeds 200 --exercise orthogonal-init --mistakes
"""
from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.course import load_exercise  # noqa: E402
from grader.errors import CourseError  # noqa: E402
from grader.seeds import test_seed  # noqa: E402
from grader.solutions import load_solution  # noqa: E402


def upper_bound_95(failures: int, runs: int) -> float:
    """One-sided 95% Clopper-Pearson upper bound on a binomial rate."""
    if failures >= runs:
        return 1.0
    lo, hi = failures / runs, 1.0
    for _ in range(60):  # bisection on P(X <= failures | p) = 0.05
        p = (lo + hi) / 2
        cdf = sum(math.comb(runs, k) * p ** k * (1 - p) ** (runs - k) for k in range(failures + 1))
        lo, hi = (p, hi) if cdf > 0.05 else (lo, p)
    return hi


def run_case(case, exercise_id: str, student, reference, seed: int) -> str | None:
    """None when the test passes, else a one-line reason."""
    fixtures = {"student": student, "reference": reference,
                "rng": np.random.default_rng(test_seed(seed, exercise_id, case.id, case.shrink)),
                "size": case.shrink}
    kwargs = {name: fixtures[name] for name in case.fixtures}
    kwargs.update(dict(case.params))
    try:
        case.function(**kwargs)
    except Exception as exc:  # a failed assertion or a crash: both are a failure here
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    return None


def student_from(reference, functions, replace: dict | None = None) -> SimpleNamespace:
    namespace = {name: getattr(reference, name) for name in functions}
    namespace.update(replace or {})
    return SimpleNamespace(**namespace)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=1000, help="seeds per test (default 1000)")
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--exercise", action="append", help="only this exercise (repeatable)")
    parser.add_argument("--mistakes", action="store_true", help="also count missed mistakes")
    args = parser.parse_args()

    exercises = []
    for path in sorted((ROOT / "exercises").glob("*/*/exercise.yaml")):
        try:  # one exercise still being written must not stop the others
            exercises.append(load_exercise(path, ROOT))
        except CourseError as exc:
            print(f"skipped {path.parent.name}: {exc}", file=sys.stderr)
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    total_start = time.perf_counter()
    print(f"{'test':<70} {'failures/runs':>14} {'rate':>9} {'95% bound':>10} {'time':>7}")
    for exercise in exercises:
        if args.exercise and exercise.id not in args.exercise:
            continue
        if not exercise.reference_path.is_file():
            continue
        try:
            solution = load_solution(exercise)
        except CourseError as exc:
            print(f"skipped {exercise.id}: {exc}", file=sys.stderr)
            continue
        cases = [c for c in solution.tests if c.statistical]
        if not cases:
            continue
        student = student_from(solution.reference, exercise.functions)
        for case in cases:
            start = time.perf_counter()
            reasons = [r for r in (run_case(case, exercise.id, student, solution.reference, s) for s in seeds) if r]
            n = len(seeds)
            print(f"{exercise.id + '::' + case.id:<70} {len(reasons):>6}/{n:<7} {len(reasons) / n:>9.2g} "
                  f"{upper_bound_95(len(reasons), n):>10.2g} {time.perf_counter() - start:>6.1f}s")
            for reason in sorted(set(reasons))[:3]:
                print(f"    {reason[:150]}")
        if args.mistakes:
            for m in solution.mistakes:
                mutant = student_from(solution.reference, exercise.functions, {m.replaces: m.function})
                missed = sum(all(run_case(c, exercise.id, mutant, solution.reference, s) is None
                                 for c in solution.tests) for s in seeds)
                print(f"{'  mistake ' + exercise.id + '::' + m.id:<70} missed {missed:>4}/{len(seeds):<7}")
    print(f"total {time.perf_counter() - total_start:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
