"""No correct answer loses a point: the correct implementations of every exercise, written in
different styles (loops, einsum, float32-preserving, QR/SVD/eigh variants) in
tests/implementations/<exercise-id>/<style>.py, score full marks through `learn grade-all`, each
on several seeds. `benchmarks/statistical_false_failures.py --implementations` runs them over
1000+ seeds and prints the false-failure rate per exercise and style."""
from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from conftest import REPO, run_learn

from grader.course import load_course

IMPLEMENTATIONS = REPO / "tests" / "implementations"
ROUNDS = 3  # seeds per style: every student of a round gets its own seed from the secret
STYLES_PER_EXERCISE = 3

pytestmark = pytest.mark.slow


def _styles() -> dict[str, list[Path]]:
    course = load_course(REPO)
    return {e.id: sorted((IMPLEMENTATIONS / e.id).glob("*.py")) for e in course.exercises}


def test_every_exercise_has_three_correct_styles():
    styles = _styles()
    assert len(styles) == 18
    few = {exercise: len(files) for exercise, files in styles.items() if len(files) < STYLES_PER_EXERCISE}
    assert not few, f"exercises with fewer than {STYLES_PER_EXERCISE} correct styles: {few}"


def test_correct_styles_score_full_marks_on_several_seeds(tmp_path):
    course = {e.id: e for e in load_course(REPO).exercises}
    styles = _styles()
    submissions, results = tmp_path / "submissions", tmp_path / "results"
    graded: dict[tuple[str, str], str] = {}  # (student, exercise) -> style
    slots = max(len(files) for files in styles.values())
    for round_ in range(ROUNDS):
        for slot in range(slots):
            student = f"slot{slot}-round{round_}"
            for exercise, files in styles.items():
                # Rotate the styles across rounds so that each style meets several seeds.
                if slot < len(files):
                    style = files[(slot + round_) % len(files)]
                    target = submissions / student / exercise / course[exercise].file
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(style, target)
                    graded[student, exercise] = style.stem
    run = run_learn("grade-all", str(submissions), "--out", str(results), "--jobs", "2",
                    "--seed-secret", "LEARN_STYLES_SECRET",
                    env={"LEARN_STYLES_SECRET": "correct answers in any style", "GITHUB_ACTIONS": ""})
    assert run.code == 0, run.stderr
    with open(results / "gradebook.csv", newline="", encoding="utf-8") as handle:
        book = {row["student"]: row for row in csv.DictReader(handle)}
    lost = []
    for (student, exercise), style in sorted(graded.items()):
        if book[student][exercise] != "10":
            data = json.loads((results / student / "results.json").read_text())
            report = next(e for e in data["exercises"] if e["id"] == exercise)
            failed = [f"{t['name']}: {t['message'][:200]}" for t in report["tests"] if t["status"] != "passed"]
            lost.append(f"{exercise} in style {style!r} scored {book[student][exercise]}/10 with seed "
                        f"{data['seed']}: {failed or report.get('status')}")
    assert not lost, "\n".join(lost)
    assert {style for (_, exercise), style in graded.items()} >= {f.stem for files in styles.values() for f in files}
