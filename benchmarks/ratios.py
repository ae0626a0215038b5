"""Every ratio the grader promises about its speed, measured in one run and printed together.

    python benchmarks/ratios.py [--quick]

- the student's loop (benchmarks/grade_latency.py): `learn grade` cold and answered by the
  grading service, each against one plain pytest process running the same hidden tests;
- `learn watch` (benchmarks/watch_latency.py): from a save to its result on screen;
- a class (benchmarks/grade_all_speed.py): `learn grade-all` against one pytest process per
  student, two at a time (the hand-written baseline), at 40 and 200 students; and the whole
  course for 200 students: time per student and the peak memory (PSS) of the process tree.

Each row prints the median (with the spread of the rounds) and the goal it is held to. The
machine is shared and noisy: quote medians and ratios, never a single time. --quick: fewer
rounds and no 200-student runs (a smoke run, not a measurement).
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import grade_all_speed  # noqa: E402
import grade_latency  # noqa: E402
import watch_latency  # noqa: E402


def row(what: str, value: str, goal: str, spread: str = "") -> None:
    print(f"  {what:<44} {value:>10}   {goal:<14} {spread}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    rounds = 3 if args.quick else 9
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Linux {platform.release()}, "
          f"Python {platform.python_version()}; load average {os.getloadavg()[0]:.2f} at the start")

    latency = grade_latency.measure(repeat=rounds)
    pm = statistics.median(latency["pytest"])
    warm = sorted(w / p for w, p in zip(latency["warm"], latency["pytest"]))
    cold = sorted(c / p for c, p in zip(latency["cold"], latency["pytest"]))
    watching = watch_latency.measure(repeat=rounds)
    events = watching["saves"]["events"]
    classes = [grade_all_speed.part1(40, 3 if args.quick else 5, plugin_baseline=False)]
    if not args.quick:
        classes.append(grade_all_speed.part1(200, 1, plugin_baseline=False))
        course = grade_all_speed.part2(200)

    print("\nratio or time                                     median   goal           rounds")
    row("learn grade, warm service / pytest", f"{statistics.median(latency['warm']) / pm:.2f}x", "<= 0.25x",
        f"{warm[0]:.2f}-{warm[-1]:.2f}")
    row("learn grade, cold / pytest", f"{statistics.median(latency['cold']) / pm:.2f}x", "<= 0.8x",
        f"{cold[0]:.2f}-{cold[-1]:.2f}")
    row("learn watch, save to result (events)", f"{statistics.median(events) * 1000:.0f} ms", "<= 100 ms",
        f"{min(events) * 1000:.0f}-{max(events) * 1000:.0f} ms")
    for m in classes:
        ratios = sorted(b / a for a, b in m["rounds"])
        goal = ">= 15x" if m["students"] == 40 else ">= 30x"
        row(f"grade-all, {m['students']} students: hand-written / grade-all", f"{m['B'] / m['A']:.1f}x", goal,
            f"{ratios[0]:.1f}-{ratios[-1]:.1f}")
    if not args.quick:
        row("whole course, 200 students: seconds per student", f"{course['seconds'] / 200:.2f} s", "<= 0.2 s")
        row("whole course, 200 students: peak PSS", f"{course['pss'] / 2 ** 20:.0f} MiB", "bounded")


if __name__ == "__main__":
    main()
