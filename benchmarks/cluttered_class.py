"""What clutter in students' folders costs `learn grade-all`: a committed virtualenv or
node_modules in every repository of a class.

Builds two classes of N students who each solved dot-product (the other 17 exercises of the
built-in course are missing, so grading searches each folder for them elsewhere): a clean one,
and one where every student also has a folder of 500 empty folders. Grades each with
`learn grade-all --jobs 2`, alternating, and prints the medians and the ratio cluttered / clean.

The search for misplaced files reads at most 1,000 entries a walk. It once walked a student's
folder once per missing exercise, and again for the plan's hash: cluttered / clean was 7.96x
(8.42 s against 1.06 s for 30 students). With one walk per command it is 1.55x (1.59 s against
1.03 s): the two walks left (the plan's, the grading's) open each of the 500 folders once.
Measured 2026-12-04 on the project's 2-core VM, before and after, with this script.

    python benchmarks/cluttered_class.py                # 30 students, 3 rounds
    python benchmarks/cluttered_class.py --students 60 --repeats 5
"""
from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "PYTHONPATH": str(REPO), "LEARN_SERVICE": "off"}
FOLDERS = 500


def make_class(root: Path, students: int, clutter: bool) -> Path:
    reference = (REPO / "solutions" / "dot-product" / "similarity.py").read_text()
    for i in range(students):
        student = root / f"student{i:03d}"
        (student / "dot-product").mkdir(parents=True)
        (student / "dot-product" / "similarity.py").write_text(reference)
        for j in range(FOLDERS if clutter else 0):
            (student / "node_modules" / f"package{j}").mkdir(parents=True)
    return root


def grade_all(submissions: Path, out: Path) -> float:
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "grader", "grade-all", str(submissions), "--out", str(out),
                          "--jobs", "2"], env=ENV, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         text=True)
    elapsed = time.perf_counter() - started
    assert run.returncode in (0, 1), (run.returncode, run.stderr)  # 3 would be a grader failure
    with open(out / "gradebook.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(list(submissions.iterdir())) and all(float(r["dot-product"]) == 10 for r in rows), rows[:2]
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        clean = make_class(root / "clean", args.students, clutter=False)
        cluttered = make_class(root / "cluttered", args.students, clutter=True)
        times: dict[str, list[float]] = {"clean": [], "cluttered": []}
        for _ in range(args.repeats):
            times["clean"].append(grade_all(clean, root / "out-clean"))
            times["cluttered"].append(grade_all(cluttered, root / "out-cluttered"))
    clean_s, cluttered_s = statistics.median(times["clean"]), statistics.median(times["cluttered"])
    print(f"{args.students} students, {FOLDERS} extra folders each, {args.repeats} rounds, medians:")
    for what, rounds in times.items():
        print(f"  {what:9s} {statistics.median(rounds):6.2f} s  (rounds: {', '.join(f'{t:.2f}' for t in rounds)})")
    print(f"  cluttered / clean: {cluttered_s / clean_s:.2f}x")


if __name__ == "__main__":
    main()
