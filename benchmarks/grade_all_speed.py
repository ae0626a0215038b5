"""How fast `learn grade-all` grades a class, against one `pytest` process per student.

Part 1 (default): 40 students x the dot-product exercise (30 correct, 10 with a catalogued
mistake), graded by
  A. `learn grade-all SUBS --out R --jobs 2` (warm fork server per grading process), and
  B. the baseline an instructor would otherwise script: one `pytest solutions/dot-product
     -p grader.plugin --learn-workspace STUDENT` process per student, two at a time,
     OPENBLAS_NUM_THREADS=1 (the same hidden tests, the student's code in a worker).
It prints the median wall time of each and the ratio B / A.

Part 2 (--full N): N students x every exercise of the built-in course that has a reference,
graded by grade-all --jobs 2, sampling the summed RSS of the whole process tree; prints the
peak RSS and the time per student. Run it for two class sizes to check linearity.

    python benchmarks/grade_all_speed.py                 # part 1
    python benchmarks/grade_all_speed.py --full 40 --full 200
"""
from __future__ import annotations

import argparse
import os
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


def one_exercise_course(root: Path) -> Path:
    shutil.copytree(REPO / "exercises" / "01-projection" / "dot-product",
                    root / "exercises" / "01-projection" / "dot-product")
    shutil.copytree(REPO / "solutions" / "dot-product", root / "solutions" / "dot-product",
                    ignore=shutil.ignore_patterns("__pycache__"))
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
    return time.perf_counter() - started


def pytest_per_student(submissions: Path, course: Path) -> float:
    def one(student: Path) -> None:
        subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "grader.plugin",
                        str(course / "solutions" / "dot-product"), "--learn-workspace", str(student)],
                       env=ENV, cwd=course, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    started = time.perf_counter()
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(one, sorted(submissions.iterdir())))
    return time.perf_counter() - started


def part1(students: int, repeats: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        course = one_exercise_course(root / "course")
        submissions = root / "submissions"
        dot_class(course, submissions, students)
        ours = [grade_all(submissions, root / "results", course) for _ in range(repeats)]
        baseline = [pytest_per_student(submissions, course) for _ in range(repeats)]
        a, b = statistics.median(ours), statistics.median(baseline)
        print(f"{students} students x dot-product, median of {repeats}:")
        print(f"  learn grade-all --jobs 2:                      {a:7.2f} s  ({a / students * 1000:.0f} ms/student)")
        print(f"  pytest per student, 2 at a time (plugin):      {b:7.2f} s  ({b / students * 1000:.0f} ms/student)")
        print(f"  ratio (baseline / grade-all):                  {b / a:7.1f}x")


def tree_rss(pid: int) -> int:
    """Summed resident set size (bytes) of PID and all its descendants."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        child = int(entry.name)
        children.setdefault(int(fields.get("PPid", "0").strip()), []).append(child)
        rss[child] = int(fields.get("VmRSS", "0 kB").split()[0]) * 1024
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        total += rss.get(current, 0)
        stack.extend(children.get(current, []))
    return total


def part2(students: int) -> None:
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
        peak = 0

        def sample() -> None:
            nonlocal peak
            while proc.poll() is None:
                peak = max(peak, tree_rss(proc.pid))
                time.sleep(0.2)
        sampler = threading.Thread(target=sample)
        sampler.start()
        proc.wait()
        sampler.join()
        elapsed = time.perf_counter() - started
        print(f"{students} students x {len(exercises)} exercises (of {len(course.exercises)}), --jobs 2: "
              f"{elapsed:.1f} s, {elapsed / students:.2f} s/student, peak RSS of the process tree "
              f"{peak / 2 ** 20:.0f} MiB (exit {proc.returncode})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--full", type=int, action="append", default=[], metavar="N",
                        help="part 2 for a class of N students (repeatable)")
    args = parser.parse_args()
    if args.full:
        for n in args.full:
            part2(n)
    else:
        part1(args.students, args.repeats)


if __name__ == "__main__":
    main()
