"""Wall time of `learn grade EXERCISE` on a correct file, cold and warm, vs one plain pytest
process running the same hidden tests against the same file, measured side by side in one run.

    python benchmarks/grade_latency.py [--exercise scaled-dot-product-attention] [--repeat 9]

- cold: `learn grade` with no grading service (LEARN_SERVICE=off): a fresh Python that starts
  its fork server, loads the course and grades (what CI and a first grade cost);
- warm: `learn grade` answered by the grading service (started once before the rounds, in a
  private runtime folder, and stopped after);
- pytest: `python -m pytest solutions/<id> --learn-workspace WS` (the same tests, run by the
  learn plugin, in one process).

Rounds are interleaved, so machine noise hits all three alike. Prints medians, spreads and the
ratios cold/pytest (goal <= 0.8) and warm/pytest (goal <= 0.25).
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
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
    if proc.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return elapsed


def summary(name: str, times: list[float]) -> str:
    q = statistics.quantiles(times, n=4) if len(times) > 1 else [times[0]] * 3
    return (f"{name:<13} median {statistics.median(times) * 1000:6.0f} ms   "
            f"(quartiles {q[0] * 1000:.0f}-{q[2] * 1000:.0f}, min {min(times) * 1000:.0f})")


def measure(exercise_id: str = "scaled-dot-product-attention", repeat: int = 9) -> dict:
    """Cold, warm and pytest wall times (lists, one per interleaved round)."""
    sys.path.insert(0, str(REPO))
    from grader.course import load_course
    exercise = load_course(REPO).get(exercise_id)
    workspace = Path(tempfile.mkdtemp(prefix="learn-bench-"))
    runtime = Path(tempfile.mkdtemp(prefix="learn-bench-run-"))
    (workspace / exercise.id).mkdir()
    shutil.copy(exercise.reference_path, workspace / exercise.id / exercise.file)
    base = {**os.environ, "NO_COLOR": "1", "OPENBLAS_NUM_THREADS": "1", "XDG_RUNTIME_DIR": str(runtime)}
    base.pop("CI", None)
    base.pop("GITHUB_ACTIONS", None)
    cold_env = {**base, "LEARN_SERVICE": "off"}
    warm_env = {**base, "LEARN_SERVICE": "require"}
    learn = [sys.executable, "-m", "grader", "grade", exercise.id, "--workspace", str(workspace), "--seed", "1"]
    pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(exercise.solution_dir),
              "--learn-workspace", str(workspace)]
    subprocess.run(learn, cwd=REPO, env={**base, "LEARN_SERVICE": ""}, capture_output=True)  # starts the service
    deadline = time.monotonic() + 60
    while subprocess.run(learn, cwd=REPO, env=warm_env, capture_output=True).returncode != 0:
        if time.monotonic() > deadline:
            sys.exit("the grading service did not start")
        time.sleep(0.1)
    cold, warm, plain = [], [], []
    try:
        for _ in range(repeat):
            cold.append(timed(learn, cold_env))
            warm.append(timed(learn, warm_env))
            plain.append(timed(pytest, cold_env))
    finally:
        for lock in (runtime / "learn").glob("*.lock"):
            words = lock.read_text().split()
            if words and words[0].isdigit():
                try:
                    os.kill(int(words[0]), signal.SIGTERM)
                except ProcessLookupError:
                    pass
        shutil.rmtree(workspace)
    return {"exercise": exercise.id, "repeat": repeat, "cold": cold, "warm": warm, "pytest": plain}


def report(m: dict) -> None:
    cold, warm, plain = m["cold"], m["warm"], m["pytest"]
    pm = statistics.median(plain)
    print(f"exercise: {m['exercise']}  ({m['repeat']} rounds, interleaved; {os.cpu_count()} CPUs)")
    print(summary("learn (cold)", cold))
    print(summary("learn (warm)", warm))
    print(summary("plain pytest", plain))
    print(f"ratio cold/pytest: {statistics.median(cold) / pm:.2f}   (goal <= 0.8)")
    print(f"ratio warm/pytest: {statistics.median(warm) / pm:.2f}   (goal <= 0.25)")
    per_round = sorted(w / p for w, p in zip(warm, plain))
    print(f"warm/pytest per round: {per_round[0]:.2f} - {per_round[-1]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--exercise", default="scaled-dot-product-attention")
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    report(measure(args.exercise, args.repeat))


if __name__ == "__main__":
    main()
