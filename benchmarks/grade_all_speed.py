"""How fast `learn grade-all` grades a class, against one `pytest` process per student.

Part 1 (default): 40 students x the dot-product exercise (30 correct, 10 with a catalogued
mistake), graded by
  A. `learn grade-all SUBS --out R --jobs 2`: one warm fork server, grading processes forked
     from the loaded grader, one sandboxed worker per student file; and by two baselines, one
     `pytest` process per student, two at a time, OPENBLAS_NUM_THREADS=1, the same hidden
     test file, no third-party pytest plugins (PYTEST_DISABLE_PLUGIN_AUTOLOAD=1):
  B. hand-written: a plain conftest.py that imports the student's file into the pytest
     process (no sandbox) and provides the reference, rng and size fixtures. This is what an
     instructor would otherwise script, and the cheaper of the two: the ratio is quoted on it.
  C. plugin: `pytest solutions/dot-product -p grader.plugin --learn-workspace STUDENT`, the
     student's code in a sandboxed worker per test, as `learn grade` isolates it.
Every run is checked (exit status, 24 tests reported, the same scores), so a baseline that
dies at start-up cannot pass for a fast one. Prints medians and the ratios B / A and C / A.

Part 2 (--full N): N students x every exercise of the built-in course that has a reference,
graded by grade-all --jobs 2, sampling the memory of the whole process tree every 0.2 s;
prints the peak PSS (shared pages split between the processes sharing them) and summed RSS,
and the time per student. Run it for two class sizes to check linearity.

    python benchmarks/grade_all_speed.py                 # part 1
    python benchmarks/grade_all_speed.py --full 40 --full 200
"""
from __future__ import annotations

import argparse
import csv
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "PYTHONPATH": str(REPO)}
PYTEST_ENV = {**ENV, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}  # only the plugins a command names
TESTS = 24  # in solutions/dot-product/test_similarity.py, parametrized cases included

# The instructor's own glue: import the student's file, no isolation.
HAND_WRITTEN_CONFTEST = '''
import importlib.util, os, zlib
from pathlib import Path
import numpy as np
import pytest

def _load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

def pytest_configure(config):
    for marker in ("points(n)", "visibility(level)", "shrink(n)", "statistical"):
        config.addinivalue_line("markers", marker)

@pytest.fixture(scope="session")
def student():
    return _load(os.environ["STUDENT_FILE"], "student_similarity")

@pytest.fixture(scope="session")
def reference():
    return _load(Path(__file__).parent / "similarity.py", "reference_similarity")

@pytest.fixture
def rng(request):
    return np.random.default_rng(zlib.crc32(request.node.nodeid.encode()))

@pytest.fixture
def size(request):
    return int(request.node.get_closest_marker("shrink").args[0])
'''


def one_exercise_course(root: Path) -> Path:
    shutil.copytree(REPO / "exercises" / "01-projection" / "dot-product",
                    root / "exercises" / "01-projection" / "dot-product")
    shutil.copytree(REPO / "solutions" / "dot-product", root / "solutions" / "dot-product",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return root


def hand_written_suite(course: Path, root: Path) -> Path:
    """The hidden test file and the reference beside a hand-written conftest.py."""
    root.mkdir(parents=True)
    for name in ("test_similarity.py", "similarity.py"):
        shutil.copyfile(course / "solutions" / "dot-product" / name, root / name)
    (root / "conftest.py").write_text(HAND_WRITTEN_CONFTEST)
    return root


def dot_class(course: Path, submissions: Path, students: int) -> None:
    reference = (course / "solutions" / "dot-product" / "similarity.py").read_text()
    wrong = reference.replace("if q.ndim != 1 or q.shape != k.shape:", "if False:")
    for i in range(students):
        target = submissions / f"student{i:03d}" / "dot-product" / "similarity.py"
        target.parent.mkdir(parents=True)
        target.write_text(wrong if i % 4 == 3 else reference)


def grade_all(submissions: Path, out: Path, course: Path) -> float:
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "grader", "grade-all", str(submissions), "--out", str(out),
                    "--course", str(course), "--jobs", "2"], env=ENV, cwd=REPO, check=True,
                   stdout=subprocess.DEVNULL)
    elapsed = time.perf_counter() - started
    with open(out / "gradebook.csv", newline="") as handle:
        scores = sorted(float(row["total"]) for row in csv.DictReader(handle))
    students = len(list(submissions.iterdir()))
    wrong = students // 4
    assert len(scores) == students and scores[wrong:] == [10.0] * (students - wrong) and scores[wrong - 1] < 10, scores
    return elapsed


def _checked_pytest(command: list[str], cwd: Path, env: dict, wrong: bool) -> None:
    proc = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)
    counts = {k: int(n) for n, k in re.findall(r"(\d+) (passed|failed)", proc.stdout)}
    ran = sum(counts.values()) == TESTS and (counts.get("failed", 0) > 0) == wrong
    if not ran or proc.returncode != (1 if wrong else 0):
        raise SystemExit(f"a baseline run did not run the tests (exit {proc.returncode}):\n"
                         f"{' '.join(command)}\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")


def per_student(submissions: Path, run_one) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(run_one, sorted(submissions.iterdir())))
    return time.perf_counter() - started


def _is_wrong(student: Path) -> bool:
    return int(student.name.removeprefix("student")) % 4 == 3


def hand_written_per_student(submissions: Path, suite: Path) -> float:
    def one(student: Path) -> None:
        _checked_pytest([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(suite)], suite,
                        {**PYTEST_ENV, "STUDENT_FILE": str(student / "dot-product" / "similarity.py")},
                        _is_wrong(student))
    return per_student(submissions, one)


def plugin_per_student(submissions: Path, course: Path) -> float:
    def one(student: Path) -> None:
        _checked_pytest([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "grader.plugin",
                         str(course / "solutions" / "dot-product"), "--learn-workspace", str(student)],
                        course, PYTEST_ENV, _is_wrong(student))
    return per_student(submissions, one)


def part1(students: int, repeats: int, plugin_baseline: bool = True) -> dict:
    """Medians of A, B (and C) over REPEATS interleaved rounds, and each round's A and B."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        course = one_exercise_course(root / "course")
        suite = hand_written_suite(course, root / "hand-written")
        submissions = root / "submissions"
        dot_class(course, submissions, students)
        ours, hand, plugin = [], [], []
        for _ in range(repeats):  # interleaved, so a noisy minute hits all three alike
            ours.append(grade_all(submissions, root / "results", course))
            hand.append(hand_written_per_student(submissions, suite))
            if plugin_baseline:
                plugin.append(plugin_per_student(submissions, course))
    return {"students": students, "repeats": repeats, "A": statistics.median(ours), "B": statistics.median(hand),
            "C": statistics.median(plugin) if plugin else None, "rounds": list(zip(ours, hand))}


def print_part1(m: dict) -> None:
    a, b, c, students = m["A"], m["B"], m["C"], m["students"]
    print(f"{students} students x dot-product, median of {m['repeats']}:")
    print(f"  A. learn grade-all --jobs 2:                   {a:7.2f} s  ({a / students * 1000:.0f} ms/student)")
    print(f"  B. pytest per student, hand-written conftest:  {b:7.2f} s  ({b / students * 1000:.0f} ms/student)")
    if c is not None:
        print(f"  C. pytest per student, -p grader.plugin:       {c:7.2f} s  ({c / students * 1000:.0f} ms/student)")
    print(f"  ratio B / A (the issue's baseline):            {b / a:7.1f}x")
    if c is not None:
        print(f"  ratio C / A (same isolation as grade-all):     {c / a:7.1f}x")
    print("  each round (A, B, B/A): " + "; ".join(f"{x:.2f} s, {y:.2f} s, {y / x:.1f}x" for x, y in m["rounds"]))


def tree_memory(pid: int) -> tuple[int, int]:
    """(PSS, RSS) in bytes, summed over PID and all its descendants. PSS splits each shared page
    between the processes sharing it, so forked grading processes are not counted twice over."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    pss = rss = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        stack.extend(children.get(current, []))
        try:
            lines = Path(f"/proc/{current}/smaps_rollup").read_text().splitlines()
        except OSError:
            continue  # it exited meanwhile
        for line in lines:  # "Pss:      1234 kB"
            if line.startswith("Pss:"):
                pss += int(line.split()[1]) * 1024
            elif line.startswith("Rss:"):
                rss += int(line.split()[1]) * 1024
    return pss, rss


def part2(students: int) -> dict:
    """Wall time of the whole course for STUDENTS students, and the peak memory of the process tree."""
    sys.path.insert(0, str(REPO))
    from grader.course import load_course
    course = load_course(REPO)
    exercises = [e for e in course.exercises if e.reference_path.is_file()]
    with tempfile.TemporaryDirectory() as tmp:
        submissions = Path(tmp) / "submissions"
        for i in range(students):
            for exercise in exercises:
                target = submissions / f"student{i:03d}" / exercise.id / exercise.file
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(exercise.reference_path, target)
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "grader", "grade-all", str(submissions), "--out",
                                 str(Path(tmp) / "results"), "--jobs", "2"], env=ENV, cwd=REPO,
                                stdout=subprocess.DEVNULL)
        peak_pss = peak_rss = 0

        def sample() -> None:
            nonlocal peak_pss, peak_rss
            while proc.poll() is None:
                pss, rss = tree_memory(proc.pid)
                peak_pss, peak_rss = max(peak_pss, pss), max(peak_rss, rss)
                time.sleep(0.2)
        sampler = threading.Thread(target=sample)
        sampler.start()
        proc.wait()
        sampler.join()
        elapsed = time.perf_counter() - started
    return {"students": students, "exercises": len(exercises), "of": len(course.exercises), "seconds": elapsed,
            "pss": peak_pss, "rss": peak_rss, "exit": proc.returncode}


def print_part2(m: dict) -> None:
    print(f"{m['students']} students x {m['exercises']} exercises (of {m['of']}), --jobs 2: "
          f"{m['seconds']:.1f} s, {m['seconds'] / m['students']:.2f} s/student; peak memory of the process tree: "
          f"PSS {m['pss'] / 2 ** 20:.0f} MiB (summed RSS {m['rss'] / 2 ** 20:.0f} MiB, which counts "
          f"pages shared by the forked processes more than once) (exit {m['exit']})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--full", type=int, action="append", default=[], metavar="N",
                        help="part 2 for a class of N students (repeatable)")
    args = parser.parse_args()
    if args.full:
        for n in args.full:
            print_part2(part2(n))
    else:
        print_part1(part1(args.students, args.repeats))


if __name__ == "__main__":
    main()
