"""How long `learn similarity` takes on a class of the whole built-in course, and whether the
copies planted in it are found.

Builds N students x the 18 exercises of the built-in course. Each student's file of an
exercise is the reference rewritten as that student would: every local name renamed, the
functions shuffled, comments and blank lines added, plus two helper functions of their own
(so every student has code nobody else has). One student in ten copies another's file and
disguises it again. Then times `learn similarity SUBS --out OUT` (a fresh process each round,
start-up included) and prints the median, the number of files compared, and how many planted
copies were flagged against how many other pairs were.

    python benchmarks/similarity_speed.py                  # 200 students, 3 rounds
    python benchmarks/similarity_speed.py --students 400 --repeats 1

Everyone starts from the same reference here, so the "other pairs" are not independent
solutions: they are the same code renamed, a harder case than a real class (the suite's test
class, tests/similarity_class.py, measures precision on independent solutions).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
from similarity_class import disguise  # noqa: E402  (the same disguise the suite uses)

sys.path.insert(0, str(REPO))
from grader.course import load_course  # noqa: E402


STATEMENTS = [  # shapes a student's own helper code takes; names and numbers are normalized away, these are not
    "values = sorted(values){attr}", "total = {fn}(values) {op} {n}", "values.append({fn}(total))",
    "if {fn}(values) > {n}:\n        total = total {op} {n}", "for v in values:\n        total = {fn}(total, v)",
    "values = [abs(v) {op} {n} for v in values]", "total = round(total {op} {n}, {n})",
    "while total > {n}:\n        total = total // {n}", "values = list(reversed(values)){attr}",
]
FUNCTIONS = ["len", "sum", "max", "min", "abs", "int", "float", "round", "sorted", "list"]
ATTRIBUTES = ["", ".copy()", "[::-1]", "[1:]", "[:-1]"]


def helpers(rng: random.Random, n: int) -> str:
    """Two helper functions of the student's own, of random shape: code nobody else has."""
    out = []
    for i in range(2):
        body = [rng.choice(STATEMENTS).format(fn=rng.choice(FUNCTIONS), op=rng.choice("+-*"), n=rng.randint(2, 99),
                                              attr=rng.choice(ATTRIBUTES)) for _ in range(8)]
        out.append(f"\n\ndef _extra_{n}_{i}(values):\n    total = 0\n" + "".join(f"    {b}\n" for b in body)
                   + "    return total\n")
    return "".join(out)


def build(root: Path, students: int, seed: int = 7) -> set[tuple[str, frozenset[str]]]:
    rng = random.Random(seed)
    course = load_course(REPO)
    names = [f"student-{i:03d}" for i in range(students)]
    planted = set()
    for exercise in course.exercises:
        reference = exercise.reference_path.read_text()
        reference = re.sub(r'(?s)""".*?"""', '""""""', reference)  # docstrings vary by student anyway
        sources = {}
        for n, name in enumerate(names):
            sources[name] = disguise(reference + helpers(rng, n), rng.randrange(10**9))
        for n, name in enumerate(names):
            if n % 10 == 9:   # copies the student before them, and disguises it again
                sources[name] = disguise(sources[names[n - 1]], rng.randrange(10**9))
                planted.add((exercise.id, frozenset((name, names[n - 1]))))
        for name, source in sources.items():
            path = root / name / exercise.id / exercise.file
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(source)
    return planted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="learn-similarity-"))
    try:
        planted = build(work / "subs", args.students)
        times = []
        for _ in range(args.repeats):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "grader", "similarity", str(work / "subs"), "--out",
                            str(work / "out")], cwd=REPO, check=True, capture_output=True,
                           env={**os.environ, "PYTHONPATH": str(REPO)})
            times.append(time.perf_counter() - started)
        data = json.loads((work / "out" / "pairs.json").read_text())
        flagged = {(p["exercise"], frozenset((p["a"], p["b"]))) for p in data["pairs"] if p["flagged"]}
        files = sum(e["submissions"] for e in data["exercises"])
        print(f"{args.students} students x {len(data['exercises'])} exercises ({files} files): "
              f"median {statistics.median(times):.2f} s over {len(times)} run(s) "
              f"({', '.join(f'{t:.2f}' for t in times)})")
        print(f"planted copies flagged: {len(planted & flagged)}/{len(planted)}; "
              f"other pairs flagged: {len(flagged - planted)}; pairs listed: {len(data['pairs'])}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
