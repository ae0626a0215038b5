"""Every pattern the generic explainer recognizes is a diagnosis of its own (an id such as
generic/wrong-axis, a message, the tests it came from): in the JSON results, in every report
format, and in the class summary beside the catalogued mistakes. Through the real CLI: a class
of real student files, each wrong in one way, graded by `learn grade-all`."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, learn_in_process as learn, one_exercise_course, run_learn, write_student

YAML = """format_version: 1
id: arrays
title: Array habits
module: 01-arrays
points: 10
file: arrays.py
functions: [softmax_rows, row_max, center, sorted_desc, min_max, unit_columns, check_positive]
instructions: |
  Seven small functions on arrays.
hints:
  - Read each docstring.
mistakes:
  - id: sorted-ascending
    message: You sorted in ascending order; the largest entry comes first.
"""
REFERENCE = '''import numpy as np


def softmax_rows(X):
    """The softmax of each row of X."""
    E = np.exp(X - X.max(axis=-1, keepdims=True))
    return E / E.sum(axis=-1, keepdims=True)


def row_max(X):
    """The largest entry of each row, as a column of shape (n, 1)."""
    return X.max(axis=-1, keepdims=True)


def center(X):
    """X minus the mean of each column."""
    return X - X.mean(axis=0)


def sorted_desc(v):
    """The entries of v, largest first."""
    return np.sort(v)[::-1]


def min_max(v):
    """(the smallest entry, the largest entry) of v."""
    return float(np.min(v)), float(np.max(v))


def unit_columns(X):
    """Each column scaled to unit length, its entry of largest magnitude positive."""
    U = X / np.linalg.norm(X, axis=0)
    return U * np.sign(U[np.argmax(np.abs(U), axis=0), np.arange(U.shape[1])])


def check_positive(v):
    """v itself when every entry is positive; ValueError otherwise."""
    if np.any(v <= 0):
        raise ValueError("every entry must be positive")
    return v
'''
TESTS = '''import numpy as np
import pytest

from grader.testing import assert_close, assert_does_the_work, assert_inputs_unchanged


def test_softmax_rows(student, reference, rng):
    """Each row of a square matrix."""
    X = rng.standard_normal((4, 4))
    assert_close(student.softmax_rows(X), reference.softmax_rows(X), name="softmax_rows(X)")


def test_softmax_large_logits(student, reference, rng):
    """Logits in the thousands."""
    X = 1000 * rng.standard_normal((3, 3))
    assert_close(student.softmax_rows(X), reference.softmax_rows(X), name="softmax_rows(X)")


@pytest.mark.visibility("hidden")
def test_softmax_hidden(student, reference, rng):
    """A hidden case."""
    X = rng.standard_normal((5, 5))
    assert_close(student.softmax_rows(X), reference.softmax_rows(X), name="softmax_rows(X)")


def test_softmax_leaves_its_input(student, reference, rng):
    """X is not modified (by a softmax_rows that does its job)."""
    assert_does_the_work(student, reference, "softmax_rows", rng.standard_normal((3, 3)))
    assert_inputs_unchanged()


def test_row_max(student, reference, rng):
    X = rng.standard_normal((4, 3))
    assert_close(student.row_max(X), reference.row_max(X), name="row_max(X)")


def test_center(student, reference, rng):
    X = rng.standard_normal((6, 3)) + 5
    assert_close(student.center(X), reference.center(X), name="center(X)")


def test_sorted_desc(student, reference, rng):
    v = rng.standard_normal(6)
    assert_close(student.sorted_desc(v), reference.sorted_desc(v), name="sorted_desc(v)")


def test_min_max(student, reference, rng):
    v = rng.standard_normal(6)
    assert_close(student.min_max(v), reference.min_max(v), name="min_max(v)")


def test_unit_columns(student, reference, rng):
    X = rng.standard_normal((5, 4))
    X[0, 0], X[1, 1] = 10.0, -10.0
    assert_close(student.unit_columns(X), reference.unit_columns(X), name="unit_columns(X)")


def test_check_positive_refuses(student):
    assert_close(student.check_positive(np.array([0.5, 2.0])), np.array([0.5, 2.0]))
    with pytest.raises(ValueError):
        student.check_positive(np.array([1.0, 0.0]))
'''
MISTAKES = '''import numpy as np

from grader.testing import mistake


@mistake("sorted-ascending", replaces="sorted_desc")
def sorted_ascending(v):
    return np.sort(v)
'''
SOFTMAX = '''    E = np.exp(X - X.max(axis=-1, keepdims=True))
    return E / E.sum(axis=-1, keepdims=True)'''
# Each student: the reference with one function wrong, and the diagnosis it must get.
STUDENTS = {
    "axis": (SOFTMAX, "    E = np.exp(X - X.max(axis=0))\n    return E / E.sum(axis=0)", "generic/wrong-axis"),
    "transposed": ("    return E / E.sum(axis=-1, keepdims=True)", "    return (E / E.sum(axis=-1, keepdims=True)).T",
                   "generic/transposed"),
    "scaled": ("    return E / E.sum(axis=-1, keepdims=True)", "    return 2 * E / E.sum(axis=-1, keepdims=True)",
               "generic/scaled"),
    "shifted": ("    return E / E.sum(axis=-1, keepdims=True)", "    return 0.5 + E / E.sum(axis=-1, keepdims=True)",
                "generic/shifted"),
    "sign": ("    return E / E.sum(axis=-1, keepdims=True)", "    return -E / E.sum(axis=-1, keepdims=True)",
             "generic/wrong-sign"),
    "nan": (SOFTMAX, "    E = np.exp(X)\n    return E / E.sum(axis=-1, keepdims=True)", "generic/unexpected-nan"),
    "inf": (SOFTMAX, "    return np.exp(X)", "generic/unexpected-inf"),
    "in-place": (SOFTMAX, "    X -= X.max(axis=-1, keepdims=True)\n    E = np.exp(X)\n"
                 "    return E / E.sum(axis=-1, keepdims=True)", "generic/modified-input"),
    "float32": ("    return E / E.sum(axis=-1, keepdims=True)",
                "    return (E / E.sum(axis=-1, keepdims=True)).astype(np.float32)", "generic/lost-precision"),
    "no-return": ("    return E / E.sum(axis=-1, keepdims=True)", "    E / E.sum(axis=-1, keepdims=True)",
                  "generic/no-return"),
    "keepdims": ("    return X.max(axis=-1, keepdims=True)", "    return X.max(axis=-1)", "generic/missing-keepdims"),
    "centre-axis": ("    return X - X.mean(axis=0)", "    return X - X.mean(axis=1, keepdims=True)",
                    "generic/wrong-axis"),
    "shuffled": ("    return np.sort(v)[::-1]", "    return np.sort(v)[[1, 0, 2, 3, 5, 4]][::-1]", "generic/wrong-order"),
    "ascending": ("    return np.sort(v)[::-1]", "    return np.sort(v)", "sorted-ascending"),
    "swapped": ("    return float(np.min(v)), float(np.max(v))", "    return float(np.max(v)), float(np.min(v))",
                "generic/wrong-order"),
    "signs": ("    return U * np.sign(U[np.argmax(np.abs(U), axis=0), np.arange(U.shape[1])])", "    return U",
              "generic/wrong-sign"),
    "no-raise": ("    if np.any(v <= 0):\n        raise ValueError(\"every entry must be positive\")\n", "",
                 "generic/not-raised"),
}


def make_course(root: Path) -> Path:
    stub = re.sub(r'(""".*?""")\n(?:    .*\n)+', r'\1\n    raise NotImplementedError\n', REFERENCE)
    return one_exercise_course(root, "arrays", "arrays.py", yaml=YAML, stub=stub, reference=REFERENCE, tests=TESTS,
                               mistakes=MISTAKES)


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    root = tmp_path_factory.mktemp("generic")
    course = make_course(root / "course")
    submissions = root / "submissions"
    for student, (old, new, _) in STUDENTS.items():
        assert old in REFERENCE, student
        (submissions / student / "arrays").mkdir(parents=True)
        (submissions / student / "arrays" / "arrays.py").write_text(REFERENCE.replace(old, new))
    results = root / "results"
    proc = subprocess.run([sys.executable, "-m", "grader", "grade-all", str(submissions), "--out", str(results),
                           "--course", str(course), "--jobs", "2"], cwd=REPO, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr
    return course, submissions, results


def test_the_reference_course_is_valid(graded):
    course, _, _ = graded
    run = learn("validate", "--course", str(course), "--jobs", "1")
    assert "ok   arrays" in run.output, run.output


def test_every_generic_pattern_has_a_student_here():
    from grader.findings import GENERIC
    assert set(GENERIC) <= {wanted for _, _, wanted in STUDENTS.values()}


@pytest.mark.parametrize("student", list(STUDENTS))
def test_each_pattern_is_diagnosed_as_itself(graded, student):
    """The one thing wrong with each student's file is named, by its id, on the exercise and on
    the tests it came from; a catalogued mistake is named instead of a generic pattern."""
    _, _, results = graded
    exercise = json.loads((results / student / "results.json").read_text())["exercises"][0]
    wanted = STUDENTS[student][2]
    ids = [d["id"] for d in exercise["diagnoses"]]
    assert ids == [wanted], (student, exercise["diagnoses"], [(t["name"], t["message"]) for t in exercise["tests"]
                                                             if t["status"] != "passed"])
    (diagnosis,) = exercise["diagnoses"]
    assert diagnosis["kind"] == ("catalogued" if wanted == "sorted-ascending" else "generic")
    failing = {t["name"] for t in exercise["tests"] if t["status"] != "passed"}
    assert diagnosis["tests"] and set(diagnosis["tests"]) <= failing
    for test in exercise["tests"]:
        if test["name"] in diagnosis["tests"]:
            assert [d["id"] for d in test["diagnoses"]] == [wanted]
    if wanted == "generic/modified-input":  # named as the student wrote it, not as the wire does ("args[0]")
        assert "Your softmax_rows() modified its input (X) in place" in diagnosis["message"], diagnosis["message"]


def test_a_hidden_test_gets_the_diagnosis_without_numbers_or_values(graded):
    """The pattern is named for a hidden test too, but without the scale factor (which, with the
    student's own output, would give away the expected values) and without the difference."""
    _, _, results = graded
    tests = {t["name"]: t for t in json.loads((results / "scaled" / "results.json").read_text())["exercises"][0]["tests"]}
    visible, hidden = tests["test_softmax_rows"], tests["test_softmax_hidden"]
    assert "about 2 times" in visible["diagnoses"][0]["message"]
    assert visible["difference"]["name"] == "softmax_rows(X)" and visible["difference"]["size"] == 16
    assert hidden["diagnoses"][0]["id"] == "generic/scaled"
    assert "about" not in hidden["diagnoses"][0]["message"] and "difference" not in hidden


def test_the_class_summary_lists_generic_and_catalogued_mistakes_together(graded):
    _, _, results = graded
    summary = (results / "summary.md").read_text()
    section = summary.split("### What to re-teach")[1].split("<details>")[0]
    assert "- 2 students: `generic/wrong-axis` (generic): normalized, centred or reduced over the wrong axis" in section
    assert "- 2 students: `generic/wrong-order` (generic): the right values in the wrong order" in section
    assert "`sorted-ascending`: You sorted in ascending order" in section
    html = (results / "summary.html").read_text()
    assert "<code>generic/wrong-axis</code> <span class=\"meta\">(generic)</span>" in html
    assert "<code>sorted-ascending</code>:" in html


@pytest.mark.parametrize("fmt, shown", [
    ("terminal", "Diagnosis: Your values sum to 1 along axis 0 instead of the last axis"),
    ("markdown", "> **Diagnosis:** Your values sum to 1 along axis 0 instead of the last axis"),
    ("html", "Your values sum to 1 along axis 0 instead of the last axis"),
    ("junit", "Diagnosis: Your values sum to 1 along axis 0 instead of the last axis"),
    ("gradescope", "**Diagnosis:** Your values sum to 1 along axis 0 instead of the last axis"),
    ("json", '"id": "generic/wrong-axis"'),
])
def test_every_format_shows_a_generic_diagnosis(graded, fmt, shown):
    course, submissions, _ = graded
    run = learn("grade", "--workspace", str(submissions / "axis"), "--course", str(course), "--format", fmt,
                "--seed", "3")
    assert run.exit_code == 1
    assert shown in run.output, run.output


def test_the_results_match_their_schema(graded):
    """Diagnoses with their kind and tests, and the difference as data, are in results.schema.json."""
    jsonschema = pytest.importorskip("jsonschema")
    _, _, results = graded
    schema = json.loads((REPO / "grader/schema/results.schema.json").read_text())
    for student in STUDENTS:
        jsonschema.validate(json.loads((results / student / "results.json").read_text()), schema)


def test_a_wrong_single_number_is_not_called_scaled(workspace):
    """Any two numbers are multiples of each other: a dot() that drops a term must not be told
    it returned the expected value "scaled by a constant" (a new user was sent after a
    normalization that does not exist), while a wrong vector that is scaled still is."""
    source = (REPO / "solutions/dot-product/similarity.py").read_text()
    dropped = source.replace("    return np.sum(q * k)\n", "    return np.sum(q[1:] * k[1:])\n", 1)
    assert dropped != source
    write_student(workspace, "dot-product", "similarity.py", dropped)
    result = run_learn("grade", "dot-product", "--workspace", str(workspace), "--seed", "1", "--format", "json")
    tests = result.json["exercises"][0]["tests"]
    failed = [t for t in tests if t["status"] == "failed"]
    assert any(t["name"].startswith("test_dot") for t in failed)
    ids = [d["id"] for t in failed for d in t.get("diagnoses", [])]
    assert "generic/scaled" not in ids, ids
    terminal = run_learn("grade", "dot-product", "--workspace", str(workspace), "--seed", "1")
    assert "differs from the expected value" in terminal.stdout
    assert "scaled by a constant" not in terminal.stdout
