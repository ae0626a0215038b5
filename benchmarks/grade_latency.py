"""Wall time of `learn grade EXERCISE` on a correct file vs one plain pytest process running the
same hidden tests against the same file, measured side by side in one run.

    python benchmarks/grade_latency.py [--exercise scaled-dot-product-attention] [--repeat 7]

Both sides start a fresh Python process (what a student waits for). `learn grade` also starts
its fork server, forks a sandboxed worker, and diagnoses; pytest runs the tests in-process via
the learn plugin (`--learn-workspace`). Prints medians and their ratio.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def timed(command: list[str], env: dict) -> float:
    started = time.perf_counter()
    proc = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if proc.returncode not in (0,):
        sys.exit(f"{' '.join(command)} failed ({proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--exercise", default="scaled-dot-product-attention")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    from grader.course import load_course
    exercise = load_course(REPO).get(args.exercise)
    workspace = Path(tempfile.mkdtemp(prefix="learn-bench-"))
    (workspace / exercise.id).mkdir()
    shutil.copy(exercise.reference_path, workspace / exercise.id / exercise.file)
    env = {**os.environ, "NO_COLOR": "1", "OPENBLAS_NUM_THREADS": "1"}
    learn = [sys.executable, "-m", "grader", "grade", exercise.id, "--workspace", str(workspace), "--seed", "1"]
    pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(exercise.solution_dir),
              "--learn-workspace", str(workspace)]
    learn_times, pytest_times = [], []
    for _ in range(args.repeat):  # interleaved, so machine noise hits both alike
        learn_times.append(timed(learn, env))
        pytest_times.append(timed(pytest, env))
    shutil.rmtree(workspace)
    lm, pm = statistics.median(learn_times), statistics.median(pytest_times)
    print(f"exercise: {exercise.id}  ({args.repeat} runs each, interleaved)")
    print(f"learn grade   median {lm * 1000:7.0f} ms   (min {min(learn_times) * 1000:.0f})")
    print(f"plain pytest  median {pm * 1000:7.0f} ms   (min {min(pytest_times) * 1000:.0f})")
    print(f"ratio learn/pytest: {lm / pm:.2f}")


if __name__ == "__main__":
    main()
