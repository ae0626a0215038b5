"""Broken exercise.yaml files: every error names the file, the line and the field."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import EXAMPLE_COURSE, REPO

YAML = "exercises/01-strings/count-vowels/exercise.yaml"


def break_yaml(course: Path, old: str, new: str) -> None:
    path = course / YAML
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize("old, new, expected", [
    ("points: 10", "points: ten", f"{YAML}:5: points: expected a whole number of points, got a string"),
    ("  - Lower-case the text first so that \"A\" counts.", "  - [not, a, string]",
     f"{YAML}:13: hints[1]: expected a string, got a list"),
    ("id: count-vowels", "id: count-consonants", f"{YAML}:2: id: 'count-consonants' does not match its folder 'count-vowels'"),
    ("file: vowels.py", "file: vowels.txt", f"{YAML}:6: file: expected a Python file name like similarity.py"),
    ("title: Count the vowels", "title: [oops", f"{YAML}:4: invalid YAML: "),
    ("format_version: 1", "format_version: 2", f"{YAML}:1: format_version: expected 1, got 2"),
    ("functions: [count_vowels]", "functions: [count_vowels]\ncolour: blue",
     f"{YAML}:8: colour: unknown field (expected one of: equivalent_mutants, examples, file, "),
    ("title: Count the vowels", "titel: Count the vowels",
     f"{YAML}:3: titel: unknown field, did you mean 'title'? (expected one of: "),
    ("file: vowels.py", "file: missing.py", f"{YAML}:6: file: the stub missing.py named in field 'file' does not exist"),
    ("functions: [count_vowels]", "functions: [count_vowels]\npoints: 5", f"{YAML}:8: points: appears twice (first on line 5)"),
    ("title: Count the vowels", "title: 2025-02-30",
     f"{YAML}:3: title: '2025-02-30' is not a valid date: day is out of range for month"),
])
def test_yaml_errors_name_file_line_and_field(learn, course, old, new, expected):
    break_yaml(course, old, new)
    run = learn("list", "--course", str(course))
    assert run.code == 2
    assert run.stderr.startswith(f"Error: {expected}"), run.stderr
    assert "Traceback" not in run.stderr
    if "invalid YAML" in expected:  # libyaml and pure-Python PyYAML word the problem differently
        assert "',' or ']'" in run.stderr and "(while parsing a flow sequence that starts at line 3)" in run.stderr


def test_every_yaml_problem_of_the_course_is_named_in_one_run(learn, course):
    """An author who made four mistakes in two files hears of all four at once, each on a line of
    its own, in file order; a misspelt required field is named once, as a typo."""
    break_yaml(course, "points: 10", "points: ten")
    break_yaml(course, "title: Count the vowels", "titel: Count the vowels")
    break_yaml(course, "functions: [count_vowels]", "functions: [count_vowels]\nhints: [A, B]")
    other = "exercises/01-strings/reverse-words/exercise.yaml"
    text = (course / other).read_text()
    (course / other).write_text(text.replace("id: split-on-single-space", "id: reversed-characters")
                                .replace("module: 01-strings", "module: 01-string"))
    for command in (("list",), ("validate",)):
        run = learn(*command, "--course", str(course))
        assert run.code == 2 and "Traceback" not in run.stderr
        lines = run.stderr.splitlines()
        assert [line.split(" (expected")[0] for line in lines] == [
            f"Error: {other}:4: module: '01-string' does not match its folder '01-strings'",
            f"Error: {other}:{_line_of(course / other, '  - id: reversed-characters', 2)}: mistakes[1].id: "
            "mistake 'reversed-characters' is listed twice",
            f"Error: {YAML}:3: titel: unknown field, did you mean 'title'?",
            f"Error: {YAML}:5: points: expected a whole number of points, got a string",
            f"Error: {YAML}:12: hints: appears twice (first on line 8)",
        ], run.stderr


def test_a_value_yaml_cannot_read_is_named_once(learn, course):
    """Not again as the wrong type: the None it leaves behind is not the author's value."""
    break_yaml(course, "points: 10", "points: !!int abc")
    break_yaml(course, '  - Lower-case the text first so that "A" counts.', "  - !!python/name:os.system")
    run = learn("list", "--course", str(course))
    assert run.code == 2 and [line.split(": ")[2] for line in run.stderr.splitlines()] == ["points", "hints[1]"]


def _line_of(path: Path, text: str, nth: int = 1) -> int:
    return [i for i, line in enumerate(path.read_text().splitlines(), 1) if line == text][nth - 1]


INDEX = "exercises/course.yaml"


@pytest.mark.parametrize("extra, expected", [
    ("due_date: 2025-02-30", "4: due_date: '2025-02-30' is not a valid date: day is out of range for month"),
    ("due_date: 2025-03-31T25:00:00", "4: due_date: '2025-03-31T25:00:00' is not a valid date: hour must be in 0..23"),
    ("due_date: 2025-13-01", "4: due_date: '2025-13-01' is not a valid date: month must be in 1..12"),
    ("due_dates:\n  count-vowels: 2025-02-30",
     "5: due_dates.count-vowels: '2025-02-30' is not a valid date: day is out of range for month"),
])
def test_an_impossible_date_in_course_yaml_is_a_course_error(learn, course, extra, expected):
    """YAML reads these as dates and Python's datetime refuses them: an author's error, not the grader's."""
    (course / INDEX).write_text(f"format_version: 1\ntitle: Strings\nexercises: [reverse-words, count-vowels]\n{extra}\n")
    run = learn("list", "--course", str(course))
    assert run.code == 2, run.stderr
    assert run.stderr.startswith(f"Error: {INDEX}:{expected}"), run.stderr
    assert "Traceback" not in run.stderr and "Internal error" not in run.stderr


@pytest.mark.parametrize("version, expected", [("2", "expected 1, got 2"), ("'1'", "expected 1, got '1'")])
def test_course_yaml_refuses_a_format_version_it_does_not_know(learn, course, version, expected):
    (course / INDEX).write_text(f"format_version: {version}\ntitle: Strings\nexercises: [reverse-words, count-vowels]\n")
    run = learn("list", "--course", str(course))
    assert run.code == 2
    assert run.stderr.startswith(f"Error: {INDEX}:1: format_version: {expected}"), run.stderr


def test_missing_required_field(learn, course):
    path = course / YAML
    path.write_text("\n".join(l for l in path.read_text().splitlines() if not l.startswith("points:")))
    run = learn("list", "--course", str(course))
    assert run.code == 2 and "missing required field 'points'" in run.stderr


def test_every_builtin_exercise_yaml_matches_the_json_schema():
    jsonschema = pytest.importorskip("jsonschema")
    import yaml
    schema = json.loads((REPO / "grader/schema/exercise.schema.json").read_text())
    paths = sorted((REPO / "exercises").glob("*/*/exercise.yaml")) + \
        sorted((EXAMPLE_COURSE / "exercises").glob("*/*/exercise.yaml"))
    assert paths
    for path in paths:
        jsonschema.validate(yaml.safe_load(path.read_text()), schema)


MUTANTS = "functions: [count_vowels]\nequivalent_mutants:\n"


@pytest.mark.parametrize("old, new", [
    ("points: 10", "points: ten"), ("points: 10", "points: 0"), ("file: vowels.py", "file: vowels.txt"),
    ("format_version: 1", "format_version: 2"),
    ("functions: [count_vowels]", "functions: [count_vowels]\ncolour: blue"),
    ("functions: [count_vowels]", "functions: []"),
    ("functions: [count_vowels]", "functions: [count_vowels, count_vowels]"),
    ("functions: [count_vowels]", "functions: [count vowels]"),
    ("functions: [count_vowels]", "functions: [count_vowels]\ntime_limit: 0"),
    ("functions: [count_vowels]", "functions: [count_vowels]\nforbidden: [numpy dot]"),
    ("  - id: case-sensitive", "  - id: Case Sensitive"),
    ("  - id: case-sensitive", "  - id: case-sensitive\n    points: 1"),
    ("    expected: 4", "    expected: 4\n    tolerance: {rtol: 1}"),
    ("    expected: 4", "    expected: 4\n    kwargs: {not a name: 1}"),
    ("functions: [count_vowels]", MUTANTS + "  - {id: count_vowels:drop-call:abcdef}"),
    ("functions: [count_vowels]", MUTANTS + "  - {id: count_vowels, reason: why}"),
    ("functions: [count_vowels]", MUTANTS + "  - {id: count_vowels:drop-call:abcdef, pattern: x, reason: why}"),
    ("functions: [count_vowels]", MUTANTS + "  - {reason: why}"),
    ("functions: [count_vowels]", MUTANTS + "  - {pattern: '', reason: why}"),
])
def test_the_schema_rejects_what_the_loader_rejects(course, old, new):
    jsonschema = pytest.importorskip("jsonschema")
    import yaml
    from grader.course import load_exercise
    from grader.errors import CourseError
    break_yaml(course, old, new)
    schema = json.loads((REPO / "grader/schema/exercise.schema.json").read_text())
    with pytest.raises(CourseError):
        load_exercise(course / YAML, course)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(yaml.safe_load((course / YAML).read_text()), schema)


def test_the_schema_file_is_generated_from_the_loaders_declarations():
    """One source of truth: grader/schema/exercise.schema.json is what `python -m grader.schema`
    writes from grader/exercise_format.py, the declarations the loader checks with."""
    from grader.schema import EXERCISE_SCHEMA, exercise_schema_text
    assert EXERCISE_SCHEMA.read_text() == exercise_schema_text(), \
        "exercise.schema.json is stale: run `python -m grader.schema`"


def test_equivalent_mutants_are_loaded_and_their_errors_name_file_line_and_field(learn, course):
    break_yaml(course, "functions: [count_vowels]", MUTANTS + "  - id: count_vowels:drop-call:abcdef\n"
               "    reason: Lower-casing twice changes nothing.\n  - pattern: text.lower()\n    reason: Same.\n")
    from grader.course import load_exercise
    exercise = load_exercise(course / YAML, course)
    assert [(e.id, e.pattern, e.reason) for e in exercise.equivalent_mutants] == [
        ("count_vowels:drop-call:abcdef", "", "Lower-casing twice changes nothing."), ("", "text.lower()", "Same.")]
    break_yaml(course, "  - pattern: text.lower()\n", "  - id: count_vowels:drop-call:abcdef\n")
    run = learn("list", "--course", str(course))
    assert run.code == 2
    assert run.stderr.startswith(f"Error: {YAML}:11: equivalent_mutants[1]: "
                                 "'count_vowels:drop-call:abcdef' is listed twice"), run.stderr
    break_yaml(course, "    reason: Same.\n", "")
    run = learn("list", "--course", str(course))
    assert run.stderr.startswith(f"Error: {YAML}:11: equivalent_mutants[1]: missing required field 'reason'"), run.stderr


def test_an_unknown_fixture_names_the_test_file_and_line(learn, course):
    """A typo in a hidden test's fixture ('refrence') named the file but not the line (an
    instructor's review): the message names the test's line too."""
    tests_file = course / "solutions" / "reverse-words" / "test_words.py"
    source = tests_file.read_text()
    assert "def test_runs_of_whitespace(student):" in source
    tests_file.write_text(source.replace("def test_runs_of_whitespace(student):",
                                         "def test_runs_of_whitespace(student, refrence):"))
    line = next(n for n, text in enumerate(tests_file.read_text().splitlines(), 1)
                if text.startswith("def test_runs_of_whitespace("))
    run = learn("grade", "reverse-words", "--workspace", str(course.parent / "ws"), "--course", str(course))
    assert run.code == 2, run.stderr
    assert f"test_words.py:{line}: test_runs_of_whitespace() asks for an unknown fixture 'refrence'" in run.stderr


@pytest.mark.parametrize("file, line, source, says", [
    ("test_vowels.py", 12, None, "SyntaxError: invalid syntax"),
    ("test_vowels.py", 1, "import torch\n", "ModuleNotFoundError: No module named 'torch'"),
    ("mistakes.py", 4, "import numpy\n\ndef helper():\n    return 1 / 0\n\nX = helper()\n",
     "ZeroDivisionError: division by zero"),
])
def test_a_broken_hidden_file_is_named_like_a_broken_yaml(learn, course, tmp_path, file, line, source, says):
    """A hidden test file that cannot be imported is named as the YAML errors are (relative to the
    course, with the line it failed on), by `validate` and `grade` alike, from any folder: it was
    an absolute path with the line only inside the exception's text (a review of stop 23)."""
    path = course / "solutions" / "count-vowels" / file
    path.write_text(path.read_text() + "def test_x(:\n" if source is None else source)
    expected = f"solutions/count-vowels/{file}:{line}: failed to import: {says}"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    validated = learn("validate", "count-vowels", "--course", str(course), cwd=elsewhere)
    assert validated.code == 1 and f"     - {expected}" in validated.stdout, validated.stdout + validated.stderr
    graded = learn("grade", "count-vowels", "--course", str(course), "--workspace", str(tmp_path / "ws"), cwd=elsewhere)
    assert graded.code == 2 and graded.stderr.startswith(f"Error: {expected}"), graded.stderr
    assert "Traceback" not in validated.stderr + graded.stderr
    # grade-all finds it once the hidden tests load, after making --out: it leaves no empty folder behind.
    (tmp_path / "subs" / "ann" / "count-vowels").mkdir(parents=True)
    (tmp_path / "subs" / "ann" / "count-vowels" / "vowels.py").write_text("def count_vowels(text):\n    return 0\n")
    classed = learn("grade-all", str(tmp_path / "subs"), "--out", str(tmp_path / "results"), "--course", str(course),
                    cwd=elsewhere)
    assert classed.code == 2 and f"Error: {expected}" in classed.stderr, classed.stderr
    assert not (tmp_path / "results").exists()


def test_an_unknown_exercise_is_answered_with_the_courses_own_ids(learn, course):
    """`learn validate no-such --course C` said "Run `learn list` to see them", and a plain
    `learn list` shows another course (an author's review): the message names them itself."""
    run = learn("validate", "no-such", "--course", str(course))
    assert run.code == 2
    assert "no exercise named 'no-such' in this course. Its exercises: reverse-words, count-vowels." in run.stderr
    typo = learn("validate", "count-vowel", "--course", str(course))
    assert "Did you mean count-vowels?" in typo.stderr
