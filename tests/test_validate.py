"""`learn validate` on the example course and on broken copies of it: each break is reported
under the exercise it breaks, with the reason, and the exit status says what kind of failure."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from conftest import Outcome, learn_in_process as learn, one_exercise_course, run_learn, write_student


def validate(course: Path, *args: str) -> Outcome:
    return learn("validate", "--course", str(course), "--jobs", "1", *args)


def block(output: str, exercise: str) -> str:
    """The lines validate printed for EXERCISE: its verdict and its problems."""
    lines, inside = [], False
    for line in output.splitlines():
        if line.startswith(("ok  ", "FAIL")):
            inside = line.split()[1] == exercise
        if inside:
            lines.append(line)
    return "\n".join(lines)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new))


def test_example_course_is_valid_in_parallel(course):
    result = learn("validate", "--course", str(course), "--jobs", "2")
    assert result.exit_code == 0, result.output
    assert block(result.output, "reverse-words").startswith("ok   reverse-words")
    assert block(result.output, "count-vowels").startswith("ok   count-vowels")
    assert "2/2 exercises valid" in result.output and "with 2 processes" in result.output


def test_uncaught_mistake(course):
    yaml = course / "exercises/01-strings/count-vowels/exercise.yaml"
    yaml.write_text(yaml.read_text() + "  - id: strips-whitespace\n    message: You stripped the text.\n")
    (course / "solutions/count-vowels/mistakes.py").write_text(
        (course / "solutions/count-vowels/mistakes.py").read_text()
        + '\n\n@mistake("strips-whitespace", replaces="count_vowels")\n'
          'def strips_whitespace(text):\n    return sum(c in "aeiou" for c in text.strip().lower())\n')
    result = validate(course)
    assert result.exit_code == 1
    out = block(result.output, "count-vowels")
    assert out.startswith("FAIL count-vowels")
    assert "mistake 'strips-whitespace' scores full marks" in out and "do not catch it" in out
    assert block(result.output, "reverse-words").startswith("ok")
    assert "Invalid: count-vowels" in result.output


def test_reference_that_fails(course):
    edit(course / "solutions/count-vowels/vowels.py", "text.lower()", "text")
    result = validate(course, "count-vowels")
    assert result.exit_code == 1
    out = block(result.output, "count-vowels")
    assert "the reference scores" in out and "test_examples" in out


def test_stub_signature_drift(course):
    edit(course / "exercises/01-strings/reverse-words/words.py", "def reverse_words(text):",
         "def reverse_words(text, sep=' '):")
    result = validate(course, "reverse-words")
    assert result.exit_code == 1
    assert "reverse_words: the stub's signature (text, sep=' ') differs from the reference's (text)" \
        in block(result.output, "reverse-words")


def test_stub_docstring_drift(course):
    edit(course / "exercises/01-strings/reverse-words/words.py", "in reverse order", "backwards")
    result = validate(course, "reverse-words")
    assert result.exit_code == 1
    assert "the stub's docstring differs" in block(result.output, "reverse-words")


def test_forbidden_call_in_reference(course):
    edit(course / "solutions/reverse-words/words.py", "text.split()[::-1]", "reversed(text.split())")
    result = validate(course, "reverse-words")
    assert result.exit_code == 1
    assert "the reference breaks its own rule at line 3: uses reversed" in block(result.output, "reverse-words")


def test_stub_that_scores(course):
    # A stub that does part of the work (lower-case vowels only) scores: a constant no longer does.
    (course / "exercises/01-strings/count-vowels/vowels.py").write_text(
        'def count_vowels(text):\n    """How many characters of TEXT are vowels (aeiou, either case)."""\n'
        '    return sum(c in "aeiou" for c in text)\n')
    result = validate(course, "count-vowels")
    assert result.exit_code == 1
    assert "the untouched stub scores" in block(result.output, "count-vowels")


def test_hints_and_instructions_must_render(course):
    yaml = course / "exercises/01-strings/count-vowels/exercise.yaml"
    edit(yaml, "  - Loop over the characters", "  - TODO Loop over the characters")
    edit(yaml, "is 4.\n", "is 4.\n  ```python\n  count_vowels('a')\n")
    edit(yaml, "Lower-case the text first", "Lower-case the \\x1b[31mtext first")
    edit(yaml, '- Lower-case', '- "Lower-case')
    edit(yaml, 'first so that "A" counts.', 'first so that A counts."')
    result = validate(course, "count-vowels")
    assert result.exit_code == 1, result.output
    out = block(result.output, "count-vowels")
    assert "hints[0] still holds a TODO placeholder" in out
    assert "instructions opens a ``` code block that it never closes" in out
    assert "hints[1] holds control characters" in out


def test_yaml_error_exits_2_naming_the_file_and_line(course):
    yaml = course / "exercises/01-strings/count-vowels/exercise.yaml"
    edit(yaml, "points: 10", "points: [10")
    result = validate(course)
    assert result.exit_code == 2
    assert "exercises/01-strings/count-vowels/exercise.yaml:" in result.output
    assert "invalid YAML" in result.output


def test_yaml_field_error_names_the_field(course):
    edit(course / "exercises/01-strings/count-vowels/exercise.yaml", "points: 10", "points: ten")
    result = validate(course)
    assert result.exit_code == 2
    assert "exercises/01-strings/count-vowels/exercise.yaml:5: points: expected a whole number" in result.output


def test_id_must_match_its_folder(course):
    edit(course / "exercises/01-strings/count-vowels/exercise.yaml", "id: count-vowels", "id: vowels")
    result = validate(course)
    assert result.exit_code == 2
    assert "count-vowels/exercise.yaml:2: id: 'vowels' does not match its folder 'count-vowels'" in result.output


def test_ids_are_unique_across_modules(course):
    twin = course / "exercises/02-more/count-vowels"
    shutil.copytree(course / "exercises/01-strings/count-vowels", twin)
    edit(twin / "exercise.yaml", "module: 01-strings", "module: 02-more")
    result = validate(course)
    assert result.exit_code == 2
    assert "count-vowels" in result.output and "twice" in result.output


def test_course_index_lists_every_exercise_once(course):
    edit(course / "exercises/course.yaml", "[reverse-words, count-vowels]", "[reverse-words, reverse-words]")
    result = validate(course)
    assert result.exit_code == 2
    assert "'reverse-words' is listed twice" in result.output


def test_warnings_of_the_mistakes_do_not_reach_the_terminal(course):
    """A catalogued mistake runs in the student's seat: what it warns (0/0, say) is part of the wrong
    answer it stands for, not something for the instructor's terminal."""
    yaml = course / "exercises/01-strings/count-vowels/exercise.yaml"
    yaml.write_text(yaml.read_text() + "  - id: one-too-many\n    message: You counted one vowel too many.\n")
    (course / "solutions/count-vowels/mistakes.py").write_text(
        (course / "solutions/count-vowels/mistakes.py").read_text()
        + '\n\nimport numpy as np\n\n\n@mistake("one-too-many", replaces="count_vowels")\n'
          'def one_too_many(text):\n'
          '    vowels = np.array([c in "aeiou" for c in text.lower()], dtype=float)\n'
          '    share = vowels.sum() / np.float64(0.0)  # inf or 0/0, with a RuntimeWarning on every call\n'
          '    return int(vowels.sum()) + 1 + 0 * np.isnan(share)\n')
    run = run_learn("validate", "count-vowels", "--course", str(course), "--jobs", "1")
    assert run.code == 0, run.stdout + run.stderr
    assert "ok   count-vowels" in run.stdout
    assert "Warning" not in run.stderr, run.stderr


def test_an_exception_without_a_message_is_named(course):
    """The one-line summary of a failing test names what was raised, even NotImplementedError()."""
    edit(course / "solutions/reverse-words/words.py", 'return " ".join(text.split()[::-1])',
         "raise NotImplementedError()")
    result = validate(course, "reverse-words")
    assert result.exit_code == 1
    out = block(result.output, "reverse-words")
    assert "the reference scores 0/10 with seed 1: test_examples[hello world-world hello]: error: " \
           "NotImplementedError;" in out, out
    assert "exception:;" not in out and "exception: (" not in out


def test_a_todo_left_in_a_docstring_the_student_reads_fails(course):
    """The scaffold's `TODO: one or two lines the student reads` in the stub's docstring (copied
    into the reference, so the two still match) and in a hidden test's docstring passed validate
    (an instructor's review). A `# TODO` comment in the stub is for the student, and passes."""
    for path in (course / "exercises/01-strings/reverse-words/words.py", course / "solutions/reverse-words/words.py"):
        edit(path, '"""The words of TEXT', '"""TODO: describe. The words of TEXT')
    edit(course / "solutions/reverse-words/test_words.py", '"""Runs of spaces', '"""TODO Runs of spaces')
    out = block(validate(course, "reverse-words").output, "reverse-words")
    assert "the docstring of reverse_words() in the stub still holds a TODO placeholder" in out, out
    assert "the docstring of test_runs_of_whitespace still holds a TODO placeholder" in out, out
    stub = course / "exercises/01-strings/count-vowels/vowels.py"
    stub.write_text(stub.read_text() + "    # TODO: your code here\n")
    assert validate(course, "count-vowels").exit_code == 0


EXAMPLES = '''
  ```python
  >>> count_vowels("Queue")          # Q is no vowel
  {queue}
  >>> [count_vowels(w) for w in ["sky", "AEIOU"]]
  [0, 5]
  >>> np.array([[count_vowels("ab"), 0],
  ...           [0, count_vowels("aa")]])[np.newaxis].repeat(2, axis=0)
  array([[[1, 0],
          [0, 2]],

         [[1, 0],
          [0, 2]]])
  >>> count_vowels(np.random.choice(["a", "b"]))   # doctest: +SKIP
  1
  ```
'''


def test_the_instructions_examples_must_be_what_the_reference_does(course):
    """A student reads the instructions' `>>>` examples before any test runs: validate runs them on
    the reference, written as the text shows them (a blank line inside an array, a comment after
    an output, a +SKIP for a random draw), and names one that shows the wrong output or raises."""
    yaml = course / "exercises/01-strings/count-vowels/exercise.yaml"
    original = yaml.read_text()
    marker = '`count_vowels("Queue")` is 4.\n'
    yaml.write_text(original.replace(marker, marker + EXAMPLES.format(queue=4)))
    right = validate(course, "count-vowels")
    assert right.exit_code == 0, right.output
    yaml.write_text(original.replace(marker, marker + EXAMPLES.format(queue=3)))
    wrong = validate(course, "count-vowels")
    assert wrong.exit_code == 1
    assert ("the instructions' example: `>>> count_vowels(\"Queue\")` shows '3', the reference gives '4'"
            in block(wrong.output, "count-vowels")), wrong.output
    yaml.write_text(original.replace(marker, marker + "\n  ```python\n  >>> count_vowels(None)\n  0\n  ```\n"))
    raising = validate(course, "count-vowels")
    assert raising.exit_code == 1
    assert ("the instructions' example: `>>> count_vowels(None)` raises AttributeError: 'NoneType' object has no "
            "attribute 'lower' with the reference") in block(raising.output, "count-vowels"), raising.output


def test_a_check_that_fails_the_reference_is_named_and_no_mutant_is_judged_by_it(course):
    """An author's review: a 0-point test that fails with the reference passed validate (the
    points still added up), so every correct student saw a ✗ and exit status 1; and a broken test
    "killed" mutants, so validate told the author to remove true equivalent_mutants entries."""
    tests_file = course / "solutions/reverse-words/test_words.py"
    tests_file.write_text(tests_file.read_text() + '''

@pytest.mark.points(0)
def test_known_value(student):
    """A value typed by hand, wrongly."""
    assert_close(student.reverse_words("a b"), "a b")
''')
    result = validate(course, "reverse-words")
    assert result.exit_code == 1, result.output
    said = block(result.output, "reverse-words")
    assert "the reference fails a test with seed 1: test_known_value: grader_error: The grader could not check" in said
    assert "mutation analysis, the rounding and the answer-shape checks not run: the hidden tests must pass the reference first" in said
    assert "survives" not in said and "is not equivalent" not in said


def test_a_test_that_raises_by_itself_is_shown_to_the_author_with_its_line(course):
    """An author's review: validate cut a broken test's message at 160 characters, before its cause's
    place, and never said where in the test file it broke."""
    edit(course / "solutions/reverse-words/test_words.py", '    assert_close(student.reverse_words("  to be',
         '    import torch\n    assert_close(student.reverse_words("  to be')
    said = block(validate(course, "reverse-words").output, "reverse-words")
    assert ("the reference scores 7/10 with seed 1: test_runs_of_whitespace: grader_error: The grader could not check "
            "this test (ModuleNotFoundError: No module named 'torch' at test_words.py:18): it fails with the reference "
            "solution too. This is a bug in the exercise") in said, said


TIGHT_YAML = """format_version: 1
id: mean
title: Mean
module: 01-stats
points: 10
file: mean.py
functions: [mean_of]
instructions: |
  Return the mean of the entries of x.
hints:
  - Sum, then divide.
"""
TIGHT_STUB = '''def mean_of(x):
    """The mean of the entries of x, a float."""
    raise NotImplementedError
'''
TIGHT_REFERENCE = '''import numpy as np


def mean_of(x):
    """The mean of the entries of x, a float."""
    return float(np.mean(x))
'''
TIGHT_TESTS = '''import pytest

from grader.testing import assert_close


@pytest.mark.points(10)
def test_mean(student, reference, rng):
    """The mean of 1000 draws."""
    x = rng.uniform(1.0, 2.0, 1000)
    assert_close(student.mean_of(x), reference.mean_of(x){tolerance})
'''
LOOPED = '''def mean_of(x):
    total = 0.0
    for value in x:
        total += value
    return total / len(x)
'''


@pytest.mark.parametrize("tolerance", [", rtol=0, atol=0", ""])
def test_a_tolerance_tighter_than_rounding_is_the_authors_to_fix(tmp_path, tolerance):
    """An author's review: `rtol=0, atol=0` passed validate, then failed a correct answer computed
    in another order (a loop instead of np.mean's pairwise sum) with invented diagnoses ("shifted by
    a constant", "another order"). Validate now grades the reference's answers moved by 4 ulps, and
    the report says the difference is rounding and the exercise's to fix. The default tolerance is fine."""
    course = one_exercise_course(tmp_path / "course", "mean", "mean.py", yaml=TIGHT_YAML, stub=TIGHT_STUB,
                                 reference=TIGHT_REFERENCE, tests=TIGHT_TESTS.format(tolerance=tolerance))
    said = block(validate(course, "mean").output, "mean")
    tight = bool(tolerance)
    assert ("the reference's answers moved by 4 units in the last place (what another, equally correct order of "
            "operations gives) score 0, not 10: the tolerance of test_mean is tighter than floating point allows"
            in said) is tight, said
    write_student(tmp_path / "ws", "mean", "mean.py", LOOPED)
    run = learn("grade", "mean", "--workspace", tmp_path / "ws", "--course", course, "--seed", "2", "--format", "json")
    test = json.loads(run.output)["exercises"][0]["tests"][0]
    if not tight:
        assert test["status"] == "passed", test
        return
    assert test["status"] == "failed" and "at the level of floating-point rounding" in test["message"], test
    assert "tell your instructor" in test["message"] and json.loads(run.output)["exercises"][0]["diagnoses"] == []


ROWS_YAML = TIGHT_YAML.replace("id: mean", "id: rows").replace("title: Mean", "title: Row sums").replace(
    "file: mean.py", "file: rows.py").replace("functions: [mean_of]", "functions: [row_sums]").replace(
    "Return the mean of the entries of x.", "Return the sum of each row of X.")
ROWS_STUB = '''def row_sums(X):
    """The sum of each row of the 2-D array X, shape (n,)."""
    raise NotImplementedError
'''
ROWS_REFERENCE = '''def row_sums(X):
    """The sum of each row of the 2-D array X, shape (n,)."""
    return X.sum(axis=1)
'''
ROWS_TESTS = '''import pytest

from grader.testing import assert_close


@pytest.mark.points(8)
def test_row_sums(student, reference, rng):
    """Random rows."""
    X = rng.standard_normal((4, 3))
    assert_close(student.row_sums(X), reference.row_sums(X))


@pytest.mark.points(2)
def test_shape(student, rng):
    """One sum per row."""
    assert student.row_sums(rng.standard_normal((5, 2))).shape == (5,)
'''


def test_a_test_of_the_answers_shape_alone_is_named(tmp_path):
    """An author's review: the trivial files are shaped like the input, so a test that checks only
    the shape of a reducing function's answer ((5, 2) in, (5,) out) passed validate while zeros of
    the answer's shape earned its points. The reference's answers emptied to zeros must score 0."""
    course = one_exercise_course(tmp_path / "course", "rows", "rows.py", yaml=ROWS_YAML, stub=ROWS_STUB,
                                 reference=ROWS_REFERENCE, tests=ROWS_TESTS)
    said = block(validate(course, "rows").output, "rows")
    assert ("a trivial implementation that returns zeros shaped like the right answer scores 2, not 0 (passes "
            "test_shape)") in said, said
    assert "returns zeros shaped like its input scores" not in said  # the input-shaped file never saw it


def test_a_problem_of_several_lines_stays_under_its_exercise(course):
    """An author's review: a problem's second line (an example's exception) began at column 0,
    where it read as output of its own."""
    edit(course / "exercises/01-strings/count-vowels/exercise.yaml", 'args: ["Queue"]', 'args: ["Queue", 2]')
    lines = validate(course, "count-vowels").output.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("     - example 1 of count-vowels:"))
    assert lines[first + 1] == "       TypeError: count_vowels() takes 1 positional argument but 2 were given", lines


def test_two_hints_folded_into_one_by_indentation_are_named(course):
    """An author's review: a second hint indented one space deeper than the first is, to YAML, a
    continuation of the first: validate said ok, and students saw one hint reading
    'Square every entry first. - Sum the squares'."""
    yaml = course / "exercises/01-strings/count-vowels/exercise.yaml"
    edit(yaml, '  - Lower-case the text first so that "A" counts.', '   - Lower-case the text first so that "A" counts.')
    said = block(validate(course, "count-vowels").output, "count-vowels")
    assert "hints[0] reads as two hints run together ('. - Lower'...)" in said, said


@pytest.mark.parametrize("got, expected, tolerance", [
    ([float("inf"), 1000.0], [float("inf"), 1.0], {"rtol": 1e-9}),          # a matching inf elsewhere
    ([1e16, 2.0], [1e16, 1.0], {"rtol": 1e-12, "atol": 0}),                  # a large value elsewhere
    (np.array([2 ** 60, 105]), [2.0 ** 60, 5.0], {"rtol": 1e-12, "atol": 0}),  # large integers
    (np.array([1.0, 2.0], dtype=np.float16) * np.float16(1.05), np.array([1.0, 2.0], dtype=np.float32),
     {"rtol": 1e-4}),                                                        # a float16 answer, 5% off
])
def test_a_wrong_answer_is_never_called_rounding(got, expected, tolerance):
    """An attacker's review of the rounding note: measured against the array's largest value, and in
    the student's own precision, these wrong answers were told "a bug in the exercise" and lost
    their diagnoses. Each entry is measured against itself, in the expected answer's precision."""
    from grader.compare import compare
    found = compare(np.asarray(got), np.asarray(expected), **tolerance)
    assert found is not None and "floating-point rounding" not in found.message, found.message


def test_instruction_examples_that_never_end_or_flood_are_stopped_and_leave_nothing_behind(course):
    """An attacker's review: an example that never ends hung validate with no word, one that printed
    10 MB put it all in the message, and one that set `np.seterr(all="raise")` left it set for the
    checks after it. The examples get the test-code time limit (at most 10 s), their output is cut,
    and numpy's settings are restored."""
    yaml = course / "exercises/01-strings/count-vowels/exercise.yaml"
    marker = '`count_vowels("Queue")` is 4.\n'
    text = yaml.read_text()
    yaml.write_text(text.replace(marker, marker + "\n  ```python\n  >>> _ = np.seterr(all='raise')\n"
                                 "  >>> print('word ' * 200000)\n  x\n  >>> while True: pass\n  ```\n"))
    run = run_learn("validate", "count-vowels", "--course", str(course), "--jobs", "1",
                    env={"LEARN_TEST_CODE_SECONDS": "1"}, timeout=120)
    said = block(run.stdout, "count-vowels")
    assert run.code == 1, run.stdout + run.stderr
    assert "the reference gives 'word word" in said and "... (999999 characters)" in said and len(said) < 2000, said
    assert "the instructions' examples ran for more than 1 s with the reference and were stopped" in said, said
    # The checks after them ran under the default numpy settings: nothing else failed.
    assert said.count("\n     - ") == 2, said


def test_instruction_examples_leave_numpys_settings_and_draws_as_they_were():
    """The examples run in validate's own process, before the mistakes and mutants of the same
    exercise: what they set must not outlive them (an attacker's review: `np.seterr(all="raise")` did)."""
    import types

    from grader.instruction_examples import failures
    before_err, before_draw = np.geterr(), np.random.get_state()[1][:4].copy()
    ran, problems = failures("```python\n>>> _ = np.seterr(all='raise')\n>>> np.random.seed(3)\n```",
                             types.ModuleType("reference"), "the instructions' example")
    assert ran == 2 and problems == []
    assert np.geterr() == before_err and (np.random.get_state()[1][:4] == before_draw).all()


@pytest.mark.parametrize("returns, test", [
    ("complex(float(sum(X)), len(X))", "assert_close(student.row_sums(X), reference.row_sums(X))"),
    ("{'total': float(X.sum())}", "assert student.row_sums(X) == reference.row_sums(X)"),
])
def test_answers_validate_cannot_empty_do_not_fail_a_sound_course(tmp_path, returns, test):
    """An attacker's review: a complex number or a dict was left as it was by the emptying check,
    so the "trivial" answer was the right one and validate blamed a sound test."""
    reference = f"def row_sums(X):\n    \"\"\"The sum of each row of the 2-D array X, shape (n,).\"\"\"\n    return {returns}\n"
    tests = ("import pytest\n\nfrom grader.testing import assert_close\n\n\n@pytest.mark.points(10)\n"
             "def test_row_sums(student, reference, rng):\n    \"\"\"Random rows.\"\"\"\n"
             f"    X = rng.standard_normal((4, 3))\n    {test}\n")
    course = one_exercise_course(tmp_path / "course", "rows", "rows.py", yaml=ROWS_YAML, stub=ROWS_STUB,
                                 reference=reference, tests=tests)
    said = block(validate(course, "rows").output, "rows")
    assert "zeros shaped like the right answer" not in said, said
