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

With ``--implementations`` it grades, instead, every correct implementation in
``tests/implementations/<exercise-id>/<style>.py`` (loops, einsum, float32-preserving, QR, SVD
and eigh variants, written independently of the reference) with all the exercise's hidden tests,
through the grader's runner and wire codec in-process, and prints per exercise and style the
seeds on which it lost any point: the false-failure rate of the whole exercise for that style,
deterministic tests included (a tolerance that one correct style cannot meet shows up here).

    python benchmarks/statistical_false_failures.py --seeds 1000 --jobs 2
    python benchmarks/statistical_false_failures.py --seeds 200 --exercise orthogonal-init --mistakes
    python benchmarks/statistical_false_failures.py --seeds 1000 --jobs 2 --implementations
"""
from __future__ import annotations

import argparse
import importlib.util
import math
import multiprocessing
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
from grader.validation import run_in_process  # noqa: E402

IMPLEMENTATIONS = ROOT / "tests" / "implementations"


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


_SOLUTIONS: dict = {}


def _solution(yaml_path: str):
    """The exercise and its loaded solution, once per process."""
    if yaml_path not in _SOLUTIONS:
        exercise = load_exercise(Path(yaml_path), ROOT)
        _SOLUTIONS[yaml_path] = (exercise, load_solution(exercise))
    return _SOLUTIONS[yaml_path]


def _style_functions(path: Path, functions: tuple[str, ...]) -> dict:
    spec = importlib.util.spec_from_file_location(f"style_{path.parent.name}_{path.stem}".replace("-", "_"), path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {name: getattr(module, name) for name in functions if hasattr(module, name)}


def _grade_style(exercise, solution, path: Path, seeds) -> list[str]:
    """The seeds on which the style at PATH lost points, each with the tests it failed."""
    functions = _style_functions(path, exercise.functions)
    failures = []
    for seed in seeds:
        tests = run_in_process(solution, functions, seed)
        if round(sum(t.points for t in tests), 6) < exercise.points:
            failed = [f"{t.name}: {(t.message.splitlines() or [''])[0][:100]}"
                      for t in tests if t.points < t.max_points]
            failures.append(f"seed {seed}: {'; '.join(failed)}")
    return failures


def _work(unit: tuple) -> tuple:
    """One line of the table: a statistical case against the reference, a mistake, or a style."""
    kind, yaml_path, name, seeds = unit
    exercise, solution = _solution(yaml_path)
    start = time.perf_counter()
    if kind == "style":
        failures = _grade_style(exercise, solution, Path(name), seeds)
        label = "reference" if Path(name) == exercise.reference_path else Path(name).stem
        return kind, f"{exercise.id}::{label}", failures, len(seeds), time.perf_counter() - start
    if kind == "case":
        case = next(c for c in solution.tests if c.id == name)
        student = student_from(solution.reference, exercise.functions)
        reasons = [r for r in (run_case(case, exercise.id, student, solution.reference, s) for s in seeds) if r]
        return kind, f"{exercise.id}::{name}", reasons, len(seeds), time.perf_counter() - start
    m = next(m for m in solution.mistakes if m.id == name)
    mutant = student_from(solution.reference, exercise.functions, {m.replaces: m.function})
    missed = [str(s) for s in seeds
              if all(run_case(c, exercise.id, mutant, solution.reference, s) is None for c in solution.tests)]
    return kind, f"{exercise.id}::{name}", missed, len(seeds), time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=1000, help="seeds per test (default 1000)")
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--exercise", action="append", help="only this exercise (repeatable)")
    parser.add_argument("--mistakes", action="store_true", help="also count missed mistakes")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--implementations", action="store_true",
                        help="grade the correct implementations of tests/implementations/ instead")
    args = parser.parse_args()

    units = []
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    for path in sorted((ROOT / "exercises").glob("*/*/exercise.yaml")):
        if args.exercise and path.parent.name not in args.exercise:
            continue
        try:  # one exercise still being written must not stop the others
            exercise, solution = _solution(str(path))
        except CourseError as exc:
            print(f"skipped {path.parent.name}: {exc}", file=sys.stderr)
            continue
        if args.implementations:
            styles = [exercise.reference_path] + sorted((IMPLEMENTATIONS / exercise.id).glob("*.py"))
            units += [("style", str(path), str(style), seeds) for style in styles]
            continue
        cases = [c for c in solution.tests if c.statistical]
        units += [("case", str(path), c.id, seeds) for c in cases]
        if args.mistakes and cases:
            units += [("mistake", str(path), m.id, seeds) for m in solution.mistakes]

    total_start = time.perf_counter()
    title = "exercise::style (every hidden test)" if args.implementations else "statistical test (reference) / mistake"
    print(f"{title:<70} {'failures/runs':>14} {'rate':>9} {'95% bound':>10} {'time':>7}")
    if args.jobs > 1:
        pool = multiprocessing.Pool(args.jobs)
        results = pool.imap(_work, units)
    else:
        pool, results = None, map(_work, units)
    for kind, name, bad, n, elapsed in results:
        if kind in ("case", "style"):
            print(f"{name:<70} {len(bad):>6}/{n:<7} {len(bad) / n:>9.2g} {upper_bound_95(len(bad), n):>10.2g} "
                  f"{elapsed:>6.1f}s")
            for reason in sorted(set(bad))[:3]:
                print(f"    {reason[:150]}")
        else:
            print(f"{'  mistake ' + name:<70} missed {len(bad):>4}/{n:<7}{'':>20} {elapsed:>6.1f}s"
                  + (f"  (seeds {', '.join(bad[:5])})" if bad else ""))
    if pool is not None:
        pool.close()
    print(f"total {time.perf_counter() - total_start:.1f}s for {len(seeds)} seeds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
