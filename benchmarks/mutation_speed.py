"""Wall time of the mutation analysis in `learn validate` on the built-in course.

    python benchmarks/mutation_speed.py [--repeat 3] [--jobs 2] [--course DIR]

Three measurements, interleaved (so that a noisy neighbour hurts them alike), each a fresh
process: the mutation analysis alone over every exercise with one process, the same with a
pool of JOBS processes (each exercise analysed in one of them, as `learn validate --jobs`
does), and the whole `learn validate --jobs JOBS` that includes it. Prints every run, the
medians, the mutants per second and the share of validate's time the analysis accounts for.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from validate_speed import timed  # benchmarks/ is on the path when a script in it runs

REPO = Path(__file__).resolve().parent.parent

def _one(exercise_root: tuple[str, str]) -> tuple[int, int]:
    from grader.course import load_course
    from grader.grading import solution_for
    from grader.mutation_testing import analyse
    from grader.validation import VALIDATION_SEEDS
    root, exercise_id = exercise_root
    report = analyse(solution_for(load_course(Path(root)).get(exercise_id)), VALIDATION_SEEDS)
    return len(report.verdicts), report.count("killed")


def _analyse_here(course: str, jobs: int) -> None:
    """In the fresh process: the analysis alone over the whole course; prints seconds, mutants, killed."""
    import concurrent.futures
    import multiprocessing
    from grader.course import load_course
    work = [(course, e.id) for e in load_course(Path(course)).exercises]
    started = time.perf_counter()
    if jobs == 1:
        counts = [_one(w) for w in work]
    else:
        with concurrent.futures.ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
            counts = list(pool.map(_one, work))
    print(time.perf_counter() - started, sum(c[0] for c in counts), sum(c[1] for c in counts))


def analysis(jobs: int, course: str) -> tuple[float, int, int]:
    """(seconds inside the analysis, mutants, killed)."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    proc = subprocess.run([sys.executable, __file__, "--analyse-here", "--jobs", str(jobs), "--course", course],
                          cwd=REPO, env={**env, "PYTHONPATH": str(REPO)}, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"the analysis failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    seconds, mutants, killed = proc.stdout.split()
    return float(seconds), int(mutants), int(killed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--course", default=str(REPO))
    parser.add_argument("--analyse-here", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.analyse_here:
        return _analyse_here(args.course, args.jobs)
    alone: dict[int, list[float]] = {1: [], args.jobs: []}
    whole: list[float] = []
    mutants = killed = 0
    for i in range(args.repeat):
        for jobs in alone:
            seconds, mutants, killed = analysis(jobs, args.course)
            alone[jobs].append(seconds)
            print(f"run {i + 1}: analysis alone, {jobs} process{'es' if jobs > 1 else ''}: {seconds:.1f} s", flush=True)
        whole.append(timed(args.jobs, args.course))  # validate_speed.py's run of `learn validate`
        print(f"run {i + 1}: learn validate --jobs {args.jobs}: {whole[-1]:.1f} s", flush=True)
    medians = {jobs: statistics.median(times) for jobs, times in alone.items()}
    print(f"\nmutation analysis of {mutants} mutants ({killed} killed, the rest equivalent or surviving), median of "
          f"{args.repeat} (load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores):")
    for jobs, median in medians.items():
        print(f"  {jobs} process{'es' if jobs > 1 else ''}: {median:.1f} s ({mutants / median:.0f} mutants/s)")
    print(f"  speed-up with {args.jobs} processes: {medians[1] / medians[args.jobs]:.2f}x")
    print(f"  learn validate --jobs {args.jobs} (all checks): {statistics.median(whole):.1f} s; the analysis "
          f"alone with {args.jobs} processes is {medians[args.jobs] / statistics.median(whole):.0%} of it")


if __name__ == "__main__":
    main()
