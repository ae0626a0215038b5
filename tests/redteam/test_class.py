"""An honest class graded alongside hostile students gets exactly the grades it gets alone.

Both runs go through ``learn grade-all`` in a subprocess (the instructor's CI path), with
seeds derived from a secret that sits in the grader's environment: the secret must not
appear in anything written, the hostile students may not touch the honest ones or the
gradebook, and the whole batch finishes within its bound.
"""
from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.sandbox.scratch import remove_tree
from redteam_harness import ATTACKS, EXERCISE, FILE, INSTRUCTOR_MARKERS, REFERENCE, REPO, SECRET
from redteam_harness import course  # noqa: F401  (fixture)

HOSTILE = ("fork_bomb", "write_other_student", "forged_results", "os_exit_in_call", "sleeping",
           "memory_bomb", "environ_secret", "garbage_on_channel", "kill_the_grader", "read_reference_by_path",
           # findings 4-8: forged replies, costly replies, text that breaks formats, bait for grader errors,
           # leftovers in the scratch folder
           "forged_import_error", "forged_call_reply", "million_items_reply", "forged_generator_state",
           "fence_breaker", "grader_error_bait", "deep_scratch_tree")
# Finding 9: folders named like the class files, to overwrite the gradebook or the summary: refused.
CLASS_FILE_NAMES = ("gradebook.csv", "summary.html")
BATCH_BOUND = 150.0  # seconds for the hostile batch on two shared cores


def _honest_class() -> dict[str, str]:
    reference = (REFERENCE / FILE).read_text()
    return {
        "ada": reference,
        "blaise": (ATTACKS / "honest_wrong.py").read_text(),
        "carl": reference.replace("max(norms, eps)", "(norms + eps)"),    # a catalogued mistake
        "dora": reference.replace("np.clip(cosine, -1.0, 1.0)", "cosine"),  # another one
    }


def _contents(root: Path) -> dict[Path, bytes]:
    """Every regular file under ROOT and its bytes (iteratively: pathlib's rglob recurses once per level)."""
    found, queue = {}, [root]
    while queue:
        for entry in os.scandir(queue.pop()):
            if entry.is_dir(follow_symlinks=False):
                queue.append(Path(entry.path))
            elif entry.is_file(follow_symlinks=False):
                found[Path(entry.path)] = Path(entry.path).read_bytes()
    return found


def _write(submissions: Path, students: dict[str, str]) -> None:
    for name, source in students.items():
        target = submissions / name / EXERCISE / FILE
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(source)


def _grade_all(submissions: Path, out: Path, course: Path) -> tuple[subprocess.CompletedProcess, float]:
    env = {**os.environ, "LEARN_TEST_SECRET": SECRET, "PYTHONPATH": str(REPO)}
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "grader", "grade-all", str(submissions), "--out", str(out),
                           "--jobs", "2", "--course", str(course), "--seed-secret", "LEARN_TEST_SECRET"],
                          capture_output=True, text=True, env=env, timeout=BATCH_BOUND + 60, cwd=out.parent)
    return done, time.monotonic() - started


def _grades(out: Path, students: list[str]) -> dict[str, object]:
    grades = {}
    for name in students:
        result = json.loads((out / name / "results.json").read_text())
        grades[name] = (result["score"], result["seed"], [(t["name"], t["status"], t["points"])
                                                          for e in result["exercises"] for t in e["tests"]])
    return grades


@pytest.mark.slow
def test_hostile_students_do_not_change_honest_grades(tmp_path: Path, course: Path, deep_chain) -> None:
    if not (REPO / "grader" / "cli" / "classroom.py").exists():
        pytest.skip("learn grade-all is not available")
    honest = _honest_class()
    alone, together = tmp_path / "alone", tmp_path / "together"
    _write(alone, honest)
    _write(together, honest)
    _write(together, {f"zz-{name}": (ATTACKS / f"{name}.py").read_text() for name in HOSTILE})
    # A named pipe where the file should be: a plain read of it would block the grader forever.
    _write(together, {"zz-named_pipe": "HELPER = 1\n"})
    (together / "zz-named_pipe" / EXERCISE / FILE).rename(together / "zz-named_pipe" / EXERCISE / "helper.py")
    os.mkfifo(together / "zz-named_pipe" / EXERCISE / FILE)
    _write(together, {name: (ATTACKS / "honest_wrong.py").read_text() for name in CLASS_FILE_NAMES})
    # Finding 5: a chain of folders 1200 deep beside a student's file (discovery once recursed into it).
    _write(together, {"zz-deep_folders": (ATTACKS / "honest_wrong.py").read_text()})
    deep_chain(together / "zz-deep_folders")
    before = _contents(together)

    done_alone, _ = _grade_all(alone, tmp_path / "out-alone", course)
    done_together, seconds = _grade_all(together, tmp_path / "out-together", course)

    assert done_alone.returncode == 0, done_alone.stderr
    assert done_together.returncode == 0, done_together.stderr
    assert seconds < BATCH_BOUND
    # Exactly the same grades, test by test, for every honest student.
    assert _grades(tmp_path / "out-together", list(honest)) == _grades(tmp_path / "out-alone", list(honest))
    assert _grades(tmp_path / "out-alone", ["ada"])["ada"][0] == 10.0
    # The gradebook has every student once, the hostile ones at no more than the honest wrong answer.
    with (tmp_path / "out-together" / "gradebook.csv").open(newline="") as handle:
        rows = list(csv.reader(handle))
    names = [row[0] for row in rows[1:]]
    assert sorted(names) == sorted([*honest, *(f"zz-{n}" for n in HOSTILE), "zz-named_pipe", "zz-deep_folders",
                                    *CLASS_FILE_NAMES])
    baseline = float(next(row for row in rows if row[0] == "blaise")[1])
    for row in rows[1:]:
        if row[0].startswith("zz-"):
            assert float(row[1]) <= baseline and row[-2] == "graded", row  # never a grader error, never refused
        elif row[0] in CLASS_FILE_NAMES:
            assert row[1] == "" and row[-2] == "refused", row
    assert rows[0][0] == "student" and (tmp_path / "out-together" / "summary.html").read_text().startswith("<!DOCTYPE html>")
    # Nobody's submission changed, no secret and no instructor line in anything written.
    assert _contents(together) == before
    for output in (tmp_path / "out-together").rglob("*"):
        if output.is_file():
            data = output.read_bytes()
            assert SECRET.encode() not in data, output
            if "similarity" in output.relative_to(tmp_path / "out-together").parts:
                continue  # the students' own files side by side, for the instructor: ada handed in the reference
            assert not any(m.encode() in data for m in INSTRUCTOR_MARKERS), output
    assert SECRET not in done_together.stdout + done_together.stderr
    shutil.rmtree(tmp_path / "out-alone")
    remove_tree(str(together / "zz-deep_folders"), time.monotonic() + 120)  # shutil.rmtree (pytest's too) recurses
