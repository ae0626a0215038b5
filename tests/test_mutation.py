"""Mutation analysis in `learn validate`: mutants of the reference that the hidden tests do not
kill fail validation (each with its diff under --mutants), until a test kills them or
exercise.yaml's equivalent_mutants says why they are equivalent. Through the real CLI, on a
throwaway numeric course."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import Outcome, learn_in_process as learn, one_exercise_course

YAML = """format_version: 1
id: rows
title: Rows and thresholds
module: 01-arrays
points: 10
file: rows.py
functions: [normalize_rows, first_index_above]
time_limit: 0.5
instructions: |
  Normalize the rows of a matrix; find the first entry above a limit.
hints:
  - Divide by the row sums.
"""
STUB = '''import numpy as np


def normalize_rows(X):
    """Each row of X divided by its sum; X itself is left unchanged."""
    raise NotImplementedError


def first_index_above(values, limit):
    """The index of the first entry of VALUES above LIMIT, or -1 when there is none."""
    raise NotImplementedError
'''
REFERENCE = '''import numpy as np


def normalize_rows(X):
    """Each row of X divided by its sum; X itself is left unchanged."""
    Y = X.copy()
    Y /= Y.sum(axis=-1, keepdims=True)
    return Y


def first_index_above(values, limit):
    """The index of the first entry of VALUES above LIMIT, or -1 when there is none."""
    i = 0
    while i < len(values):
        if values[i] > limit:
            return i
        i += 1
    return -1
'''
TESTS = '''import numpy as np
import pytest

from grader.testing import assert_close, assert_inputs_unchanged


@pytest.mark.points(5)
def test_rows_sum_to_one(student, rng):
    """Every row sums to 1, and X is left as it was."""
    X = rng.uniform(1.0, 2.0, (3, 4))
    assert_close(student.normalize_rows(X), X / X.sum(axis=1, keepdims=True))
    assert_inputs_unchanged()


@pytest.mark.points(5)
def test_first_index_above(student):
    """The first index above the limit, or -1."""
    assert student.first_index_above([1.0, 5.0, 7.0], 4.0) == 1
    assert student.first_index_above([5.0, 1.0], 4.0) == 0
    assert student.first_index_above([1.0, 2.0], 4.0) == -1
'''
SURVIVOR = "first_index_above:change-comparison:69edd1"   # values[i] > limit → values[i] >= limit


@pytest.fixture
def numeric_course(tmp_path: Path) -> Path:
    return one_exercise_course(tmp_path / "course", "rows", "rows.py", yaml=YAML, stub=STUB, reference=REFERENCE,
                               tests=TESTS)


def validate(course: Path, *args: str) -> Outcome:
    return learn("validate", "--course", str(course), "--jobs", "1", *args)


def table_row(output: str, exercise: str) -> list[int]:
    match = re.search(rf"^{exercise}\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$", output, re.MULTILINE)
    assert match, output
    return [int(n) for n in match.groups()]


def test_a_survivor_fails_validation_with_its_diff_until_a_test_kills_it(numeric_course):
    """The one mutant the tests miss (`>` for `>=`: no test puts an entry exactly at the limit)
    fails validation; --mutants shows the table and the survivor's diff. Every other mutant is
    killed, among them one that loops forever (`i += 1` dropped: a deadline ends it) and one
    that modifies its input in place (`X.copy()` dropped: caught as a worker would catch it)."""
    run = validate(numeric_course, "--mutants")
    assert run.exit_code == 1, run.output
    assert f"- mutant {SURVIVOR} survives the hidden tests (line 15: values[i] > limit → (values[i] >= limit))" \
        in run.output
    assert table_row(run.output, "rows") == [15, 14, 1, 0]
    assert f"  {SURVIVOR}  (change-comparison, line 15)" in run.output
    assert "    -        if values[i] > limit:\n    +        if (values[i] >= limit):" in run.output

    tests = numeric_course / "solutions/rows/test_rows.py"
    tests.write_text(tests.read_text() + "    assert student.first_index_above([4.0, 6.0], 4.0) == 1\n")
    run = validate(numeric_course, "--mutants")
    assert run.exit_code == 0, run.output
    assert table_row(run.output, "rows") == [15, 15, 0, 0]
    assert "Survivors" not in run.output


def test_an_equivalent_mutant_needs_a_reason_and_stale_entries_fail(numeric_course):
    yaml = numeric_course / "exercises/01-arrays/rows/exercise.yaml"
    base = yaml.read_text()
    yaml.write_text(base + f"equivalent_mutants:\n  - id: {SURVIVOR}\n    reason: Limits are never hit exactly.\n")
    run = validate(numeric_course, "--mutants")
    assert run.exit_code == 0, run.output
    assert table_row(run.output, "rows") == [15, 14, 0, 1]

    # By pattern (a changed line of the diff), too.
    yaml.write_text(base + "equivalent_mutants:\n  - pattern: values[i] > limit\n    reason: Limits are never hit.\n")
    assert validate(numeric_course).exit_code == 0

    # An entry that names no mutant, or a mutant the tests kill, is stale: validation says so.
    yaml.write_text(base + f"equivalent_mutants:\n  - id: {SURVIVOR}\n    reason: Never hit.\n"
                    "  - id: first_index_above:change-comparison:000000\n    reason: Gone.\n"
                    "  - id: normalize_rows:drop-division:ef6394\n    reason: Not at all.\n")
    run = validate(numeric_course)
    assert run.exit_code == 1, run.output
    assert "equivalent_mutants entry first_index_above:change-comparison:000000 (exercise.yaml line 16) " \
           "matches no mutant of the reference" in run.output
    assert "equivalent_mutants entry normalize_rows:drop-division:ef6394 (exercise.yaml line 18) is not " \
           "equivalent: the hidden tests kill it (test_rows_sum_to_one failed); remove it" in run.output


def test_mutant_ids_do_not_move_when_the_reference_is_edited_elsewhere():
    """An id names the function, the operator and the code before and after the change, not a
    line number: an equivalent_mutants entry survives edits to other parts of the file."""
    from grader.mutants import make_mutants
    before = {m.id: m.change.split(": ", 1)[1] for m in make_mutants(REFERENCE)}
    edited = REFERENCE.replace("import numpy as np\n", "import numpy as np\n\n# A comment.\n\n\ndef helper(a, b):\n"
                               "    return a / b\n")
    after = {m.id: m.change.split(": ", 1)[1] for m in make_mutants(edited)}
    assert before.items() <= after.items()
    assert SURVIVOR in before and len(after) > len(before)


def test_mutants_keep_the_precedence_of_what_they_replace():
    """A replacement that binds less tightly than its context is parenthesized: dropping the
    clip of `np.clip(a + b, 0, 1) * 2` gives `(a + b) * 2`, not `a + b * 2`."""
    from grader.mutants import make_mutants
    source = "import numpy as np\n\n\ndef f(a, b):\n    return np.clip(a + b, 0, 1) * 2\n"
    changes = {m.after for m in make_mutants(source) if m.operator == "drop-call"}
    assert changes == {"(a + b)"}
    for mutant in make_mutants(source):
        compile(mutant.source, "f.py", "exec")
