"""Faithful to pytest: the cases of a parametrized hidden test have exactly pytest's ids, in
pytest's order, so `learn grade --seed N` and `pytest --learn-seed N` run the same cases with
the same seeds; marks given with pytest.param(..., marks=...) are honoured (points,
visibility, shrink) or refused loudly. Through the real CLI and real pytest, on a throwaway
course."""
from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import learn_in_process as learn, one_exercise_course, write_student

YAML = """format_version: 1
id: cases
title: Cases
module: 01-cases
points: 10
file: cases.py
functions: [echo]
instructions: |
  Return x.
hints:
  - Return it.
"""
STUB = '''def echo(x):
    """X itself."""
    raise NotImplementedError
'''
REFERENCE = '''def echo(x):
    """X itself."""
    return x
'''
TESTS = '''import enum

import pytest

LONG = "a" * 120


class Colour(enum.Enum):
    RED = 1


def _report(student, rng, size=None):
    """Fail (the student's echo is wrong) with the first draw of the test's generator: the same seed
    gives the same number. With the reference it passes: a check that fails the reference too is
    the exercise's bug, not a verdict (grader.runner)."""
    if student.echo(1) != 1:
        raise AssertionError(f"draw={rng.random()!r} size={size!r}")


@pytest.mark.parametrize("x", [0, 1])
@pytest.mark.parametrize("y", ["é", "日本", LONG, None, True, 1.5, Colour.RED, int])
def test_stacked(student, rng, x, y):
    _report(student, rng)


@pytest.mark.parametrize("v", [1, 1, 2], ids=lambda v: f"v{v}" if v == 1 else None)
def test_ids_callable_and_duplicates(student, rng, v):
    _report(student, rng)


@pytest.mark.points(4)
@pytest.mark.parametrize("a, b", [pytest.param(1, 2, id="one"), (3, 4),
                                  pytest.param(5, 6, marks=[pytest.mark.visibility("hidden"), pytest.mark.points(2)])],
                         ids=[None, "three", None])
def test_params(student, rng, a, b):
    _report(student, rng)


@pytest.mark.shrink(8)
@pytest.mark.parametrize("n", [pytest.param(1, marks=pytest.mark.shrink(3)), 2])
def test_sizes(student, rng, size, n):
    _report(student, rng, size)


@pytest.mark.parametrize("s", ["x", "x", "x1", "x1"])
def test_unique(student, rng, s):
    _report(student, rng)
'''


def make_course(root: Path, tests: str = TESTS) -> Path:
    return one_exercise_course(root, "cases", "cases.py", yaml=YAML, stub=STUB, reference=REFERENCE, tests=tests)


def pytest_run(course: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", str(course / "solutions/cases"),
                           *args], cwd=course, capture_output=True, text=True, timeout=300)


WRONG = "def echo(x):\n    return None\n"  # fails every case, each with its draw


def graded(course: Path, workspace: Path, seed: int) -> dict:
    write_student(workspace, "cases", "cases.py", WRONG)
    run = learn("grade", "cases", "--workspace", workspace, "--course", course, "--format", "json", "--seed", str(seed))
    return run.json["exercises"][0]


def test_case_ids_and_order_are_pytests(tmp_path):
    """Stacked decorators (the one nearest the function first and slowest), non-ASCII values
    (escaped), a 120-character string, None, bools, floats, an enum, a class, ids= callables
    and lists with None, pytest.param ids, and duplicates made unique."""
    course = make_course(tmp_path / "course")
    collected = pytest_run(course, "--collect-only", "-q")
    assert collected.returncode == 0, collected.stdout + collected.stderr
    pytest_ids = [line.split("::", 1)[1] for line in collected.stdout.splitlines() if "::" in line]
    ours = [t["name"] for t in graded(course, tmp_path / "ws", 1)["tests"]]
    assert ours == pytest_ids
    # What any pytest >= 7.4 makes (how duplicates are told apart and how long strings are cut
    # changed between versions; the equality above holds for each).
    assert ours[:3] == ["test_stacked[\\xe9-0]", "test_stacked[\\xe9-1]", "test_stacked[\\u65e5\\u672c-0]"]
    assert len(set(ours)) == len(ours) == 28


def test_the_same_seed_runs_the_same_cases_with_the_same_draws(tmp_path):
    """`pytest --learn-seed 5` and `learn grade --seed 5`: every case draws the same first number
    from its `rng` and gets the same `size` (a pytest.param's own shrink mark included)."""
    course = make_course(tmp_path / "course")
    report = tmp_path / "junit.xml"
    write_student(tmp_path / "ws", "cases", "cases.py", WRONG)
    pytest_run(course, "--learn-seed", "5", "--learn-workspace", str(tmp_path / "ws"), "-q", f"--junitxml={report}")
    from_pytest = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        failure = case.find("failure")
        assert failure is not None, case.get("name")
        from_pytest[case.get("name")] = re.search(r"draw=\S+ size=\S+", failure.get("message")).group()
    tests = graded(course, tmp_path / "ws", 5)["tests"]
    ours = {t["name"]: re.search(r"draw=\S+ size=\S+", t["message"]).group() for t in tests
            if t["visibility"] == "visible"}
    assert len(ours) == len(tests) - 1 and ours.items() <= from_pytest.items()
    assert ours["test_sizes[1]"].endswith("size=3") and ours["test_sizes[2]"].endswith("size=8")


def test_marks_given_with_pytest_param_are_honoured(tmp_path):
    """The case with marks=[visibility("hidden"), points(2)] is hidden and worth 2; the test's
    other cases share what is left of its 4; tests without points share the rest."""
    course = make_course(tmp_path / "course")
    tests = {t["name"]: t for t in graded(course, tmp_path / "ws", 1)["tests"]}
    hidden = tests["test_params[5-6]"]
    assert hidden["visibility"] == "hidden" and hidden["max_points"] == 2
    assert "draw=" not in hidden["message"]
    assert tests["test_params[one]"]["max_points"] == tests["test_params[three]"]["max_points"] == 1
    assert sum(t["max_points"] for t in tests.values()) == pytest.approx(10)


@pytest.mark.parametrize("tests, says", [
    (TESTS.replace("pytest.param(1, marks=pytest.mark.shrink(3))", "pytest.param(1, marks=pytest.mark.skip)"),
     "test_sizes[1]: pytest.mark.skip is not supported on a hidden test"),
    (TESTS.replace("@pytest.mark.shrink(8)\n", "@pytest.mark.shrink(8)\n@pytest.mark.xfail\n"),
     "test_sizes(): pytest.mark.xfail is not supported on a hidden test"),
    (TESTS.replace('@pytest.mark.parametrize("s", ["x", "x", "x1", "x1"])', '@pytest.mark.parametrize("s", [])'),
     "test_unique: parametrize gives no cases"),
    (TESTS.replace('@pytest.mark.parametrize("s", ["x", "x", "x1", "x1"])',
                   '@pytest.mark.parametrize("s", ["x"], indirect=True)'),
     "test_unique: parametrize(..., indirect=...) is not supported"),
    (TESTS.replace("@pytest.mark.points(4)\n", ""),
     "test_params(): some cases have their own points: give the test @pytest.mark.points(N) too"),
    # An author's review: a typo was refused as a pytest mark to remove, and a parametrize name the
    # function does not take was "an unknown fixture" (the function's argument): pytest says it right.
    (TESTS.replace("@pytest.mark.points(4)\n", "@pytest.mark.point(4)\n"),
     "test_params(): unknown mark pytest.mark.point: did you mean pytest.mark.points?"),
    (TESTS.replace('@pytest.mark.parametrize("s", ["x", "x", "x1", "x1"])', '@pytest.mark.parametrize("t", ["x"])'),
     "test_unique(): parametrize names 't', which test_unique() does not take (its arguments: student, rng, s)"),
    (TESTS.replace("def test_unique(student, rng, s):", "def test_unique(studnet, rng, s):"),
     "test_unique() asks for an unknown fixture 'studnet', did you mean 'student'? (available: "),
])
def test_marks_the_grader_cannot_honour_are_refused_loudly(tmp_path, tests, says):
    course = make_course(tmp_path / "course", tests)
    write_student(tmp_path / "ws", "cases", "cases.py", REFERENCE)
    run = learn("grade", "cases", "--workspace", tmp_path / "ws", "--course", course)
    assert run.exit_code == 2, run.output
    assert re.search(r"solutions/cases/test_cases\.py:(\d+:)? " + re.escape(says), run.output), run.output
    assert "Traceback" not in run.output


def test_plain_pytest_on_a_broken_hidden_test_says_what_learn_says(tmp_path):
    """An author's review: `pytest solutions/<id>` on a test asking for a fixture the grader does
    not have (pytest's own tmp_path) printed 260 lines of the grader's frames; each test now
    errors with the one line `learn` prints."""
    course = make_course(tmp_path / "course", TESTS.replace("def test_unique(student, rng, s):",
                                                              "def test_unique(student, rng, s, tmp_path):"))
    run = pytest_run(course, "-q")
    assert run.returncode == 1
    says = ("learn: solutions/cases/test_cases.py:46: test_unique() asks for an unknown fixture 'tmp_path' "
            "(available: student, reference, rng, size)")
    assert says in run.stdout, run.stdout[-2000:]
    assert "grader/solutions.py" not in run.stdout and "Traceback" not in run.stdout
    assert "another exception occurred" not in run.stdout
