"""Public examples (`examples:` in exercise.yaml): the loader checks them, `learn validate` holds
them to the reference, `learn show` lists them, and `learn grade` in a student-only install runs
them in the sandbox. Through the real CLI, on throwaway copies of the example course."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from conftest import REPO, learn_in_process as learn, write_student


YAML = "exercises/01-strings/count-vowels/exercise.yaml"


def set_examples(course: Path, text: str) -> None:
    """Replace the examples: block (it sits before mistakes:) with TEXT."""
    path = course / YAML
    before, after = path.read_text().split("examples:\n")
    path.write_text(before + "examples:\n" + text + after[after.index("mistakes:"):])


# -- the loader -----------------------------------------------------------------------------

@pytest.mark.parametrize("examples, expected", [
    ("  - call: count_vowel\n    args: [\"a\"]\n    expected: 1\n",
     "examples[0].call: 'count_vowel' is not one of the exercise's functions (count_vowels)"),
    ("  - call: count_vowels\n    args: [\"a\"]\n", "examples[0]: missing required field 'expected'"),
    ("  - call: count_vowels\n    args: \"a\"\n    expected: 1\n", "examples[0].args: expected a list of arguments"),
    ("  - call: count_vowels\n    args: [\"a\"]\n    expected: 1\n    output: 1\n",
     "examples[0].output: unknown field"),
    ("  - call: count_vowels\n    args: [[[1, 2], [3]]]\n    expected: 1\n",
     "examples[0].args[0]: the rows of this array have different lengths"),
    ("  - call: count_vowels\n    args: [\"a\"]\n    expected: {list: [1]}\n",
     "examples[0].expected: a mapping here must be {tuple: [values]}"),
    ("  - call: count_vowels\n    args: [\"a\"]\n    expected: 1\n    tolerance: {rtol: 2}\n",
     "examples[0].tolerance.rtol: expected a number between 0 and 1"),
    ("  - call: count_vowels\n    args: [\"a\"]\n    expected: 2024-01-01\n",
     "examples[0].expected: expected a number, a string, a boolean, a list"),
])
def test_a_malformed_example_is_reported_with_file_line_and_field(course, examples, expected):
    set_examples(course, examples)
    run = learn("list", "--course", course, "--workspace", course.parent / "ws")
    assert run.exit_code == 2, run.output
    assert f"{YAML}:" in run.output and expected in run.output, run.output
    line = run.output.split(f"{YAML}:")[1].split(":")[0]
    assert line.isdigit() and int(line) >= 15  # the examples start after the hints


def test_the_schema_knows_the_examples_field(course):
    jsonschema = pytest.importorskip("jsonschema")
    import yaml
    schema = json.loads((REPO / "grader/schema/exercise.schema.json").read_text())
    set_examples(course, "  - call: count_vowels\n    args: [\"a\", [[1, 2], [3, 4]], {tuple: [1, true]}]\n"
                         "    kwargs: {n: null}\n    expected: 1\n    tolerance: {atol: 0.001}\n")
    jsonschema.validate(yaml.safe_load((course / YAML).read_text()), schema)
    set_examples(course, "  - call: count_vowels\n    args: [\"a\"]\n    expected: {list: [1]}\n")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(yaml.safe_load((course / YAML).read_text()), schema)


# -- learn validate and learn show ----------------------------------------------------------

def test_validate_fails_when_an_example_disagrees_with_the_reference(course):
    set_examples(course, "  - call: count_vowels\n    args: [\"Queue\"]\n    expected: 4\n"
                         "  - call: count_vowels\n    args: [\"Aeon\"]\n    expected: 2\n")
    run = learn("validate", "count-vowels", "--course", course, "--jobs", "1")
    assert run.exit_code == 1, run.output
    assert "example 2 of count-vowels: the reference returns 3, the YAML says 2" in run.output
    assert "example 1 of" not in run.output

    set_examples(course, "  - call: count_vowels\n    args: [\"Queue\", \"extra\"]\n    expected: 4\n")
    run = learn("validate", "count-vowels", "--course", course, "--jobs", "1")
    assert run.exit_code == 1 and "example 1 of count-vowels: count_vowels(\"Queue\", \"extra\") raised" in run.output


def test_show_lists_the_examples(course, tmp_path):
    run = learn("show", "reverse-words", "--course", course, "--workspace", tmp_path / "ws")
    assert run.exit_code == 0, run.output
    assert "Examples" in run.output and 'reverse_words("  to be  or ")  →  "or be to"' in run.output


# -- learn grade in a student-only install --------------------------------------------------

def grade(ws: Path, source: str) -> dict:
    write_student(ws, "reverse-words", "words.py", source)
    run = learn("grade", "reverse-words", "--workspace", ws, "--format", "json")
    result = run.json
    assert result["partial"] is True and result["max_score"] == 0 and result["score"] == 0
    exercise = result["exercises"][0]
    assert exercise["max_score"] == 0
    return {"exit": run.exit_code, "status": exercise["status"],
            "tests": {t["name"]: t for t in exercise["tests"]}}


def test_a_student_only_install_runs_the_examples_in_the_sandbox(course, tmp_path):
    bundle = tmp_path / "bundle"
    assert learn("release", "--out", bundle, "--course", course).exit_code == 0
    assert not (bundle / "solutions").exists()
    ws = tmp_path / "ws"
    assert learn("start", "reverse-words", "--workspace", ws, "--course", bundle).exit_code == 0

    right = grade(ws, "def reverse_words(text):\n    return ' '.join(text.split()[::-1])\n")
    assert right["exit"] == 0 and right["status"] == "passed"
    assert right["tests"]["example[1]"]["status"] == "passed"
    assert right["tests"]["example[1]"]["points"] == 0

    wrong = grade(ws, "def reverse_words(text):\n    return text[::-1]\n")
    assert wrong["exit"] == 1 and wrong["status"] == "failed"
    assert wrong["tests"]["example[1]"]["message"] == \
        'reverse_words("  to be  or ") returned " ro  eb ot  ", expected "or be to"'

    hanging = grade(ws, "def reverse_words(text):\n    while True:\n        pass\n")
    assert hanging["status"] == "timeout" and hanging["tests"]["example[1]"]["status"] == "timeout"
    assert "did not finish within 1 s" in hanging["tests"]["example[1]"]["message"]

    crashing = grade(ws, "import os\ndef reverse_words(text):\n    os._exit(3)\n")
    assert crashing["tests"]["example[1]"]["status"] == "error"
    raising = grade(ws, "def reverse_words(text):\n    return text.split()[7]\n")
    assert "IndexError" in raising["tests"]["example[1]"]["message"]
    assert 'words.py", line 2, in reverse_words' in raising["tests"]["example[1]"]["message"]
    broken_import = grade(ws, "import no_such_module\n")
    assert "could not be imported" in broken_import["tests"]["example[1]"]["message"]

    # the grade itself still comes from CI, and the terminal report says so
    write_student(ws, "reverse-words", "words.py", "def reverse_words(text):\n    return text[::-1]\n")
    terminal = learn("grade", "reverse-words", "--workspace", ws)
    assert "example[1]" in terminal.output and "returned" in terminal.output
    assert "instructor's CI" in terminal.output and "Score: 0/0" in terminal.output


def test_arrays_tuples_and_tolerances_reach_the_student_as_numpy(course, tmp_path):
    """A list of numbers is a float64 array; {tuple: [...]} a tuple; the tolerance is used."""
    set_examples(course, "  - call: count_vowels\n    args: [[[1, 2], [3, 4]], {tuple: [1, \"a\"]}]\n"
                         "    kwargs: {scale: 0.5}\n"
                         "    expected: {tuple: [[1.0, 2.0], 2.0001, true, \"float64\"]}\n"
                         "    tolerance: {atol: 0.001}\n")
    bundle = tmp_path / "bundle"
    assert learn("release", "--out", bundle, "--course", course).exit_code == 0
    ws = tmp_path / "ws"
    assert learn("start", "count-vowels", "--workspace", ws, "--course", bundle).exit_code == 0
    write_student(ws, "count-vowels", "vowels.py",
                  "def count_vowels(text, pair=None, *, scale=1.0):\n"
                  "    assert isinstance(pair, tuple) and pair == (1, 'a')\n"
                  "    return (text[0], float(text.sum() * scale / 2.5), text.shape == (2, 2), str(text.dtype))\n")
    run = learn("grade", "count-vowels", "--workspace", ws, "--format", "json")
    tests = {t["name"]: t for t in run.json["exercises"][0]["tests"]}
    assert tests["example[1]"]["status"] == "passed", tests["example[1]"]["message"]
    assert tests["signatures"]["status"] == "failed"  # the stub's signature differs: still reported


# -- the built-in course --------------------------------------------------------------------

def test_every_builtin_exercise_has_examples_that_its_reference_passes():
    """`learn validate` checks this too; here it is direct and fast, in-process."""
    from grader.course import load_course
    from grader.examples import run_example
    from grader.proxy import InProcessBackend, StudentProxy
    from grader.results import Status
    course = load_course(REPO)
    for exercise in course.exercises:
        assert exercise.examples, f"{exercise.id} has no public examples"
        spec = importlib.util.spec_from_file_location(f"ref_{exercise.id.replace('-', '_')}", exercise.reference_path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        functions = {n: getattr(module, n) for n in exercise.functions}
        proxy = StudentProxy(InProcessBackend(functions, exercise.file), exercise.functions, exercise.file)
        for number, example in enumerate(exercise.examples, 1):
            status, message, _ = run_example(example, proxy)
            assert status is Status.PASSED, f"example {number} of {exercise.id}: {message}"


def test_the_references_pass_every_example_in_a_released_builtin_bundle(tmp_path):
    """In the real sandbox, through the bundle a student installs: a correct file passes them all."""
    bundle, ws = tmp_path / "bundle", tmp_path / "ws"
    assert learn("release", "--out", bundle).exit_code == 0
    assert learn("start", "dot-product", "--workspace", ws, "--course", bundle).exit_code == 0
    from grader.course import load_course
    for exercise in load_course(REPO).exercises:
        write_student(ws, exercise.id, exercise.file, exercise.reference_path.read_text())
    result = learn("grade", "--workspace", ws, "--format", "json").json
    assert result["partial"] is True and result["max_score"] == 0
    for exercise in result["exercises"]:
        names = [t["name"] for t in exercise["tests"]]
        assert "example[1]" in names, exercise["id"]
        failing = [(t["name"], t["message"]) for t in exercise["tests"] if t["status"] != "passed"]
        assert not failing, (exercise["id"], failing)
