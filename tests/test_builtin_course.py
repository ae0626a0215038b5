"""The built-in course checks itself: for every exercise the reference scores full marks, the
untouched stub scores 0, and every catalogued mistake loses points and is diagnosed as itself."""
from __future__ import annotations

import re

import pytest

from conftest import REPO, run_learn

CURRICULUM = [
    "dot-product", "projection", "attention-scores", "softmax", "scaled-dot-product-attention",
    "multi-head-attention", "orthogonality", "gram-schmidt", "covariance", "layer-norm",
    "subspace-projection", "subspace-angles", "eigenspectrum", "power-iteration", "xavier-init",
    "kaiming-init", "orthogonal-init", "signal-propagation",
]


@pytest.fixture(scope="module")
def validation() -> dict[str, str]:
    run = run_learn("validate", timeout=900)
    assert "Traceback" not in run.stderr, run.stderr
    blocks: dict[str, str] = {}
    current = None
    for line in run.stdout.splitlines():
        match = re.match(r"^(ok  |FAIL) (\S+) ", line)
        if match:
            current = match.group(2)
            blocks[current] = line
        elif current and line.startswith("     - "):
            blocks[current] += "\n" + line
    return blocks


@pytest.mark.parametrize("exercise", CURRICULUM)
def test_exercise_validates(validation, exercise):
    assert exercise in validation, f"{exercise} is missing from the course"
    assert validation[exercise].startswith("ok"), validation[exercise]


def test_course_totals_180_points():
    from grader.course import load_course
    course = load_course(REPO)
    assert [e.id for e in course.exercises] == CURRICULUM
    assert course.max_score == 180

