"""No points without the work: files that ignore the question score 0, in a whole class graded by
`learn grade-all`, and `learn validate` names a test that pays for a side property alone."""
from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
from conftest import REPO, learn_in_process, run_learn

from grader import trivial
from grader.course import load_course


def test_a_class_of_trivial_submissions_scores_zero_on_every_exercise(tmp_path):
    course = load_course(REPO)
    students = trivial.write_class(course.exercises, tmp_path / "submissions")
    assert len(students) == len(trivial.KINDS) >= 7
    run = run_learn("grade-all", str(tmp_path / "submissions"), "--out", str(tmp_path / "results"),
                    "--jobs", "2", "--seed-secret", "LEARN_TRIVIAL_SECRET",
                    env={"LEARN_TRIVIAL_SECRET": "every student its own seed", "GITHUB_ACTIONS": ""})
    assert run.code == 0, run.stderr
    with open(tmp_path / "results" / "gradebook.csv", newline="", encoding="utf-8") as handle:
        book = {row["student"]: row for row in csv.DictReader(handle)}
    assert set(book) == set(students)
    for student, row in book.items():
        earned = {e.id: row[e.id] for e in course.exercises if float(row[e.id]) != 0}
        assert row["total"] == "0" and not earned, f"{student} earned points: {earned}"
        assert row["max"] == "180"


def test_trivial_files_keep_the_stubs_signatures(tmp_path):
    """What the worker imports: the stub's names, parameters and defaults, and an answer built
    from the arguments (the input's shape, the sizes it is given, its own rng)."""
    course = load_course(REPO)
    power = next(e for e in course.exercises if e.id == "power-iteration")
    text = trivial.source("noise", power.stub_path.read_text(), power.functions, power.id)
    assert "def power_iteration(W, num_iters=200, rng=None, tol=1e-10):" in text
    assert "def spectral_normalize(W, num_iters=200, rng=None):" in text
    xavier = next(e for e in course.exercises if e.id == "xavier-init")
    for kind, check in [("zeros", lambda W: W.shape == (5, 3) and not W.any()),
                        ("noise", lambda W: W.shape == (5, 3) and W.std() > 0),
                        ("input", lambda W: W == 5), ("none", lambda W: W is None)]:
        uniform = trivial.functions(kind, xavier)["xavier_uniform"]
        assert check(uniform(5, 3, np.random.default_rng(0))), kind


def test_validate_names_a_test_that_pays_for_a_side_property_alone(course: Path):
    """A test of "the input is left unchanged" without a check of the result pays every file
    that does nothing; validate says which kind of file scores, and through which test."""
    tests = course / "solutions" / "reverse-words" / "test_words.py"
    tests.write_text(tests.read_text().replace("@pytest.mark.points(3)\ndef test_runs_of_whitespace",
                                               "@pytest.mark.points(2)\ndef test_runs_of_whitespace")
                     + '\n\n@pytest.mark.points(1)\ndef test_text_unchanged(student):\n'
                       '    """The text is left as it was."""\n'
                       '    student.reverse_words("one two")\n    assert_inputs_unchanged()\n')
    tests.write_text(tests.read_text().replace("import assert_close,", "import assert_close, assert_inputs_unchanged,"))
    result = learn_in_process("validate", "reverse-words", "--course", str(course), "--jobs", "1")
    assert result.exit_code == 1, result.output
    problems = [line for line in result.output.splitlines() if "a trivial implementation" in line]
    # Every kind that returns something passes it (a ValueError for everything does not), and so do
    # the reference's answers emptied to their own form (grader.validation._check_answer_shaped).
    assert len(problems) == len(trivial.KINDS) - 1 + 1, result.output
    assert any("returns zeros shaped like the right answer scores 1, not 0 (passes test_text_unchanged)" in p
               for p in problems)
    assert any(re.search(r"that returns None scores 1, not 0 \(passes test_text_unchanged\)", p) for p in problems)
    assert all("assert_does_the_work" in p for p in problems)

    gated = tests.read_text().replace('    student.reverse_words("one two")\n',
                                      '    assert_does_the_work(student, reference, "reverse_words", "one two")\n')
    gated = gated.replace("def test_text_unchanged(student):", "def test_text_unchanged(student, reference):")
    tests.write_text(gated)
    again = learn_in_process("validate", "reverse-words", "--course", str(course), "--jobs", "1")
    assert again.exit_code == 0, again.output
