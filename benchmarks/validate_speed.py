"""Wall time of `learn validate` on the built-in course: one process vs a pool of processes.

    python benchmarks/validate_speed.py [--repeat 3] [--jobs 2] [--course DIR]

Each run is a fresh `python -m grader validate` (what an instructor waits for), interleaved
(1 process, then JOBS, then 1 again ...) so that a noisy neighbour hurts both sides alike.
Prints every run, the medians and their ratio. The issue asks for "well under a minute".
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def timed(jobs: int, course: str | None) -> float:
    command = [sys.executable, "-m", "grader", "validate", "--jobs", str(jobs)]
    command += ["--course", course] if course else []
    started = time.perf_counter()
    proc = subprocess.run(command, cwd=REPO, env={**os.environ, "NO_COLOR": "1"}, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--course", default=None)
    args = parser.parse_args()
    runs: dict[int, list[float]] = {1: [], args.jobs: []}
    for i in range(args.repeat):
        for jobs in runs:
            runs[jobs].append(timed(jobs, args.course))
            print(f"run {i + 1}: --jobs {jobs}: {runs[jobs][-1]:.1f} s", flush=True)
    medians = {jobs: statistics.median(times) for jobs, times in runs.items()}
    print(f"\nlearn validate, median of {args.repeat} (load average now {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores):")
    for jobs, median in medians.items():
        print(f"  --jobs {jobs}: {median:.1f} s")
    print(f"  speed-up with {args.jobs} processes: {medians[1] / medians[args.jobs]:.2f}x")


if __name__ == "__main__":
    main()
