"""`learn grade` through the real CLI on throwaway workspaces with real student files."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import EXAMPLE_COURSE, REPO, learn_in_process, write_student

COURSE = ["--course", str(EXAMPLE_COURSE)]
CORRECT = '''def reverse_words(text):
    """The words of TEXT in reverse order, joined by single spaces."""
    return " ".join(text.split()[::-1])
'''


def grade_json(learn, workspace: Path, *extra: str) -> tuple[int, dict]:
    run = learn("grade", "reverse-words", "--workspace", str(workspace), "--format", "json",
                "--seed", "7", *COURSE, *extra)
    assert "Traceback" not in run.stderr, run.stderr
    return run.code, json.loads(run.stdout)


def exercise_of(result: dict) -> dict:
    (exercise,) = result["exercises"]
    return exercise


def hidden_test_of(learn, workspace: Path, source: str) -> dict:
    """The example course's hidden test, as graded with SOURCE as the student's words.py."""
    write_student(workspace, "reverse-words", "words.py", source)
    _, result = grade_json(learn, workspace)
    return {t["name"]: t for t in exercise_of(result)["tests"]}["test_random_sentence"]


def test_correct_file_scores_full_marks_and_exits_0(learn, workspace):
    write_student(workspace, "reverse-words", "words.py", CORRECT)
    code, result = grade_json(learn, workspace)
    assert code == 0
    assert (result["score"], result["max_score"]) == (10, 10)
    assert exercise_of(result)["status"] == "passed"
    assert result["seed"] == 7 and result["schema"] == "learn.results/1"


def test_catalogued_mistake_loses_points_and_is_named(learn, workspace):
    write_student(workspace, "reverse-words", "words.py",
                  "def reverse_words(text):\n    return text.strip()[::-1]\n")
    code, result = grade_json(learn, workspace)
    assert code == 1
    exercise = exercise_of(result)
    assert exercise["score"] < 10
    assert [d["id"] for d in exercise["diagnoses"]] == ["reversed-characters"]
    assert "reversed the characters" in exercise["diagnoses"][0]["message"]


def test_terminal_report_shows_the_diagnosis_and_the_seed(learn, workspace):
    write_student(workspace, "reverse-words", "words.py",
                  "def reverse_words(text):\n    return ' '.join(text.strip().split(' ')[::-1])\n")
    run = learn("grade", "reverse-words", "--workspace", str(workspace), "--seed", "11", *COURSE)
    assert run.code == 1
    assert "Diagnosis: You split on a single space" in run.stdout
    assert "learn grade reverse-words --seed 11" in run.stdout
    assert "\x1b[" not in run.stdout  # no colour when not a tty


def test_same_seed_reproduces_the_run_exactly(learn, workspace):
    write_student(workspace, "reverse-words", "words.py",
                  "def reverse_words(text):\n    return ' '.join(text.split()[::-1][:3])\n")
    first, second = grade_json(learn, workspace)[1], grade_json(learn, workspace)[1]
    strip = lambda r: [(t["name"], t["status"], t["message"]) for t in exercise_of(r)["tests"]]
    assert strip(first) == strip(second)


@pytest.mark.parametrize("seed, says", [
    ("abc", "'abc' is not a valid whole number."), ("1.5", "'1.5' is not a valid whole number."),
    ("-5", "-5 is not in the range from 0 to 4294967295."),
    ("4294967296", "4294967296 is not in the range from 0 to 4294967295.")])
def test_a_seed_that_is_not_a_whole_number_is_told_so_in_words(learn, workspace, seed, says):
    """click's own message was "'abc' is not a valid integer range" and "not in the range
    0<=x<=4294967295" (a student's review)."""
    write_student(workspace, "reverse-words", "words.py", CORRECT)
    run = learn("grade", "reverse-words", "--workspace", str(workspace), "--seed", seed, *COURSE)
    assert run.code == 2 and f"Error: Invalid value for '--seed': {says}" in run.stderr
    assert "Traceback" not in run.stderr and not run.stdout


def test_syntax_error_shows_the_students_line(learn, workspace):
    write_student(workspace, "reverse-words", "words.py", "def reverse_words(text):\n    return text[::-1\n")
    code, result = grade_json(learn, workspace)
    exercise = exercise_of(result)
    assert code == 1 and exercise["status"] == "error" and exercise["score"] == 0
    assert 'File "words.py", line 2' in exercise["error"]
    assert "SyntaxError" in exercise["error"]
    assert exercise["exception"]["type"] == "SyntaxError"  # and as data, for the reports
    assert [(f["file"], f["line"]) for f in exercise["exception"]["frames"]] == [("words.py", 2)]
    assert str(REPO) not in exercise["error"] and "grader/" not in exercise["error"]


def test_import_error_is_reported_as_the_students(learn, workspace):
    write_student(workspace, "reverse-words", "words.py", "import no_such_module\n")
    _, result = grade_json(learn, workspace)
    exercise = exercise_of(result)
    assert exercise["status"] == "error"
    assert "ModuleNotFoundError: No module named 'no_such_module'" in exercise["error"]


def test_exception_in_a_call_shows_only_the_students_frames(learn, workspace):
    write_student(workspace, "reverse-words", "words.py",
                  "def helper(t):\n    return t.nope()\n\ndef reverse_words(text):\n    return helper(text)\n")
    _, result = grade_json(learn, workspace)
    test = exercise_of(result)["tests"][0]
    assert test["status"] == "error"
    assert 'File "words.py", line 5, in reverse_words' in test["message"]
    assert 'File "words.py", line 2, in helper' in test["message"]
    assert "AttributeError" in test["message"]
    assert "grader" not in test["message"]


def test_infinite_loop_times_out_and_grading_stays_bounded(learn, workspace):
    write_student(workspace, "reverse-words", "words.py", "def reverse_words(text):\n    while True:\n        pass\n")
    started = time.monotonic()
    code, result = grade_json(learn, workspace)
    elapsed = time.monotonic() - started
    statuses = {t["status"] for t in exercise_of(result)["tests"]}
    assert code == 1 and statuses == {"timeout"}
    assert exercise_of(result)["score"] == 0
    assert elapsed < 30  # three 1 s timeouts, then the rest is not run


def test_infinite_loop_at_import_times_out(learn, workspace, monkeypatch):
    write_student(workspace, "reverse-words", "words.py", "import time\ntime.sleep(3600)\n")
    monkeypatch.setattr("grader.proxy.IMPORT_TIME_LIMIT", 2.0)  # documented in-process only
    from grader.course import load_course
    from grader.grading import grade_workspace
    import grader.proxy
    grader.proxy.IMPORT_TIME_LIMIT = 2.0
    result = grade_workspace(load_course(EXAMPLE_COURSE), workspace, ["reverse-words"], seed=1)
    exercise = result.exercises[0]
    assert exercise.status.value == "timeout" and exercise.score == 0
    assert "did not finish" in exercise.error


def test_wrong_return_type_fails_with_a_clear_message(learn, workspace):
    write_student(workspace, "reverse-words", "words.py", "def reverse_words(text):\n    return 42\n")
    _, result = grade_json(learn, workspace)
    test = exercise_of(result)["tests"][0]
    assert test["status"] == "failed"
    assert test["message"] == "result is 42, expected 'world hello'"


def test_clever_eq_object_cannot_cross_the_boundary(learn, workspace):
    write_student(workspace, "reverse-words", "words.py",
                  "class Yes(str):\n    def __eq__(self, other):\n        return True\n"
                  "    __hash__ = str.__hash__\n"
                  "def reverse_words(text):\n    return Yes('nope')\n")
    _, result = grade_json(learn, workspace)
    exercise = exercise_of(result)
    assert exercise["score"] == 0
    assert "cannot send a value of type Yes" in exercise["tests"][0]["message"]


def test_print_spam_is_captured_and_truncated(learn, workspace):
    write_student(workspace, "reverse-words", "words.py",
                  "def reverse_words(text):\n    print('x' * 1_000_000)\n    return ' '.join(text.split()[::-1])\n")
    code, result = grade_json(learn, workspace)
    assert code == 0
    run = learn("grade", "reverse-words", "--workspace", str(workspace), "--format", "json", *COURSE)
    assert len(run.stdout) < 200_000


def test_print_output_of_a_failed_test_is_shown_with_a_truncation_note(learn, workspace):
    write_student(workspace, "reverse-words", "words.py",
                  "def reverse_words(text):\n    print('y' * 100_000)\n    return text\n")
    _, result = grade_json(learn, workspace)
    failed = [t for t in exercise_of(result)["tests"] if t["status"] == "failed"]
    assert failed and "more characters of output were cut" in failed[0]["output"]
    assert len(failed[0]["output"]) < 10_000


def test_hidden_test_never_shows_inputs_or_expected_values(learn, workspace):
    write_student(workspace, "reverse-words", "words.py", "def reverse_words(text):\n    return text\n")
    _, result = grade_json(learn, workspace)
    hidden = next(t for t in exercise_of(result)["tests"] if t["name"] == "test_random_sentence")
    assert hidden["status"] == "failed" and hidden["visibility"] == "hidden"
    assert hidden["message"] == "This test is hidden: its inputs and expected values are not shown."


@pytest.mark.parametrize("raising, shown", [
    ("raise ValueError('leak: ' + text)", "ValueError"),
    # a class named after the input, made on the fly
    ("raise type('Leak_' + '_'.join(text.split()), (Exception,), {})()",
     "an exception of your code's own class, derived from Exception"),
    # a class of the student's that borrows a builtin's name is not that builtin
    ("raise type('KeyError', (LookupError,), {})()", "an exception of your code's own class, derived from LookupError"),
])
def test_a_hidden_test_never_shows_the_inputs_in_what_the_students_code_raised(learn, workspace, raising, shown):
    """Found in a review of the hidden-test contract: the student's exception message was shown
    whole, so `raise ValueError(text)` read a hidden test's input back, as printing it could not.
    The type (if Python's or numpy's) and the line in the student's file are shown, in every format."""
    write_student(workspace, "reverse-words", "words.py",  # raises on the hidden test's random sentence only
                  f"def reverse_words(text):\n    if len(text.split()) > 4:\n        {raising}\n"
                  "    return ' '.join(text.split()[::-1])\n")
    _, result = grade_json(learn, workspace)
    tests = {t["name"]: t for t in exercise_of(result)["tests"]}
    hidden = tests["test_random_sentence"]
    assert hidden["status"] == "error" and tests["test_runs_of_whitespace"]["status"] == "passed"
    assert hidden["message"] == ('Your code raised an exception:\n  File "words.py", line 3\n'
                                 f"{shown}: its message is not shown in a hidden test: it may hold the test's inputs")
    assert hidden["exception"] == {"type": shown, "frames": [{"file": "words.py", "line": 3, "function": "", "code": ""}],
                                   "message": "its message is not shown in a hidden test: it may hold the test's inputs"}
    for fmt in ("terminal", "markdown", "html", "junit", "gradescope"):
        page = learn("grade", "reverse-words", "--workspace", str(workspace), "--seed", "3", "--format", fmt,
                     *COURSE).stdout
        assert "line 3" in page and "leak" not in page.lower(), fmt


def test_a_forged_exception_or_output_count_carries_no_hidden_input(learn, workspace):
    """An attacker's review of this session: the student's code replaced the worker's exception
    describer, and a frame named 'LEAK[<the hidden sentence>]/words.py' at line 2**62 came through
    in every format, as did a forged count of cut output. A hidden test names the frame as the
    grader names the file, at a line the file has, and counts nothing."""
    hidden = hidden_test_of(learn, workspace, (
        "import sys\n\nKNOWN = {'hello world', 'a', '', 'one two three', '  to be \\t or  not '}\n\n\n"
        "def _forge(exc, student_file):\n"
        "    return {'type': 'ValueError', 'mro': ['builtins.ValueError'], 'message': 'x',\n"
        "            'frames': [['LEAK[' + str(exc.args[0]) + ']/words.py', 2 ** 62 + 12345, 'f', ''],\n"
        "                       ['words.py', 12345, 'LEAK' + str(exc.args[0]), 'LEAK']]}\n\n\n"
        "worker = sys.modules.get('grader.sandbox.worker')\n"
        "if worker is not None:\n    worker.describe_exception = _forge\n\n\n"
        "def reverse_words(text):\n"
        "    if text not in KNOWN:\n        raise ValueError(text)\n"
        "    return ' '.join(text.split()[::-1])\n"))
    assert hidden["status"] == "error" and hidden["duration"] == 0.0
    assert hidden["exception"] == {"type": "ValueError", "frames": [], "message": (
        "its message is not shown in a hidden test: it may hold the test's inputs")}
    assert "LEAK" not in json.dumps(hidden) and "12345" not in json.dumps(hidden)


def test_a_hidden_tests_inputs_kept_by_the_students_code_never_come_back_in_a_visible_test(learn, course, tmp_path):
    """Found by the same review: the worker keeps the student's globals from test to test, and most
    of the built-in course's exercises have a hidden test before visible ones. Kept, a hidden input
    came back in a later visible test's output and message ("got 'SEEN ...'"). Hidden tests run last;
    the report keeps the order the tests are declared in."""
    tests = course / "solutions" / "reverse-words" / "test_words.py"
    source = tests.read_text()
    hidden = source[source.index("@pytest.mark.points(3)\n@pytest.mark.visibility"):]
    tests.write_text(source.replace(hidden, "").replace("@pytest.mark.points(4)", hidden + "\n\n@pytest.mark.points(4)"))
    workspace = tmp_path / "ws"
    write_student(workspace, "reverse-words", "words.py", (
        "seen = []\n\n\ndef reverse_words(text):\n"
        "    if len(text.split()) > 4:\n        seen.append(text)\n"
        "    if seen and len(text.split()) <= 4:\n        print('SEEN', seen[0])\n        return 'SEEN ' + seen[0]\n"
        "    return ' '.join(text.split()[::-1])\n"))
    run = learn("grade", "reverse-words", "--workspace", str(workspace), "--course", str(course), "--seed", "3",
                "--format", "json")
    result = json.loads(run.stdout)
    names = [t["name"] for t in exercise_of(result)["tests"]]
    assert names[0] == "test_random_sentence" and names[1].startswith("test_examples")  # as declared
    assert run.code == 0 and "SEEN" not in run.stdout, run.stdout


def test_forbidden_call_zeroes_the_exercise_and_names_the_line(learn, workspace):
    write_student(workspace, "reverse-words", "words.py",
                  "def reverse_words(text):\n    return ' '.join(reversed(text.split()))\n")
    code, result = grade_json(learn, workspace)
    exercise = exercise_of(result)
    assert code == 1 and exercise["score"] == 0 and exercise["status"] == "error"
    assert exercise["violations"] == [{"rule": "reversed", "line": 2,
                                       "message": "uses reversed, which this exercise forbids"}]
    # Every test line says what the total says (a new student read "✓ 1/1" on each line under 0/10).
    assert exercise["tests"] and all(t["points"] == 0 for t in exercise["tests"])
    terminal = learn("grade", "reverse-words", "--workspace", str(workspace), "--seed", "7", *COURSE).stdout
    assert " 0/" in terminal and not any(line.strip().startswith("✓") and line.rstrip().endswith(("3/3", "4/4"))
                                         for line in terminal.splitlines()), terminal


def test_untouched_stub_is_not_started_and_scores_0(learn, workspace):
    run = learn("start", "reverse-words", "--workspace", str(workspace), *COURSE)
    assert run.code == 0
    code, result = grade_json(learn, workspace)
    assert exercise_of(result)["status"] == "not_started" and result["score"] == 0
    assert code == 1  # named explicitly, so it counts


@pytest.mark.parametrize("files, told", [
    (["my_words.py"], "reverse-words/words.py does not exist; found my_words.py: rename it to words.py"),
    (["words (1).ipynb"], "reverse-words/words.py does not exist; found words (1).ipynb: rename it to words.ipynb"),
    (["draft.py", "my_words.py"], "reverse-words/words.py does not exist; found draft.py, my_words.py: "
                                  "rename the one with your answer to words.py"),
], ids=["py", "notebook", "two files"])
def test_a_misnamed_file_is_named_not_graded(learn, workspace, files, told):
    """words.py saved as my_words.py used to read "words.py does not exist: run `learn start`", as
    if the folder were empty. The student is told which file is there and what to rename it to;
    it is not graded (the contract is the file name), in the report of one exercise or of all."""
    for name in files:
        write_student(workspace, "reverse-words", name, CORRECT)
    code, result = grade_json(learn, workspace)
    exercise = exercise_of(result)
    assert code == 1 and exercise["status"] == "not_started" and result["score"] == 0
    assert exercise["error"] == told and exercise["found"] == files
    assert all(t["message"] == told.split("/", 1)[1] for t in exercise["tests"])
    run = learn("grade", "--workspace", str(workspace), *COURSE)  # the whole workspace: not folded away
    assert told in " ".join(run.stdout.split()) and "· 1 not started: count-vowels" in run.stdout
    assert told in learn("grade", "--workspace", str(workspace), "--format", "markdown", *COURSE).stdout
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(result, json.loads((REPO / "grader" / "schema" / "results.schema.json").read_text()))


def test_a_file_in_the_wrong_folder_is_named_with_where_to_move_it(learn, workspace):
    """words.py saved at the top of the workspace (or in a folder named otherwise) is named with
    the place it belongs, in `learn grade` and in `learn list`; still not graded."""
    (workspace / "words.py").write_text(CORRECT)
    code, result = grade_json(learn, workspace)
    exercise = exercise_of(result)
    told = "reverse-words/words.py does not exist; found words.py in the wrong folder: move it to reverse-words/words.py"
    assert code == 1 and exercise["status"] == "not_started" and exercise["found"] == ["words.py"]
    assert exercise["error"] == told
    listed = learn("list", "--workspace", str(workspace), *COURSE).stdout
    assert "(found words.py in the wrong folder: move it to reverse-words/words.py)" in " ".join(listed.split())
    # A folder's name reaches every report: control and bidirectional characters are shown as U+FFFD.
    (workspace / "words.py").unlink()
    (workspace / "new\nline\u202eevil").mkdir()
    (workspace / "new\nline\u202eevil" / "words.py").write_text(CORRECT)
    code, result = grade_json(learn, workspace)
    assert exercise_of(result)["found"] == ["new\ufffdline\ufffdevil/words.py"]


def test_the_courses_own_files_in_a_workspace_are_never_called_misplaced(learn, tmp_path):
    """A student bundle worked on in place (`learn start --course .` inside it) and an author's
    course repository hold exercises/<module>/<id>/<file> (the stubs) and solutions/<id>/<file>:
    the search for misplaced files once told students to move the course's stubs (which broke the
    course) and the reference (found by a reviewer). A real misplaced file is still named, ahead
    of a misnamed one beside the exercise's folder."""
    import shutil
    repo = tmp_path / "repo"                      # an author's course, graded in place
    shutil.copytree(EXAMPLE_COURSE, repo)
    bundle = tmp_path / "bundle"
    assert learn("release", "--course", str(repo), "--out", str(bundle)).code == 0
    for course in (bundle, repo):
        assert learn("start", "reverse-words", "--workspace", str(course), "--course", str(course)).code == 0
        listed = learn("list", "--workspace", str(course), "--course", str(course)).stdout
        assert "wrong folder" not in listed and "found" not in listed, listed
        graded = learn("grade", "count-vowels", "--workspace", str(course), "--course", str(course), "--format", "json")
        assert "found" not in graded.json["exercises"][0], graded.json["exercises"][0]
    (bundle / "count-vowels").mkdir()
    (bundle / "count-vowels" / "helpers.py").write_text("VOWELS = 'aeiou'\n")
    (bundle / "count-vowels" / "src").mkdir()
    (bundle / "count-vowels" / "src" / "vowels.py").write_text("def count_vowels(text):\n    return 0\n")
    (exercise,) = learn("grade", "count-vowels", "--workspace", str(bundle), "--course", str(bundle),
                        "--format", "json").json["exercises"]
    assert exercise["found"] == ["count-vowels/src/vowels.py"], exercise
    assert "move it to count-vowels/vowels.py" in exercise["error"]


def test_a_workspace_is_searched_once_for_all_its_missing_files(tmp_path, monkeypatch):
    """A student with 17 missing files and a large folder (a venv committed by mistake) was walked
    once per missing file, by `learn list`, `learn grade` and grade-all's plan: a reviewer's class of
    30 such students took 8.5 s instead of 1 s. Each folder is now listed once per command, and the
    misplaced file is still named."""
    from conftest import learn_in_process
    from grader.classroom.plan import Submission, submission_hash
    from grader.course import load_course
    ws = tmp_path / "alice"
    assert learn_in_process("start", "dot-product", "--workspace", ws).exit_code == 0
    for i in range(40):                       # 41 folders that hold no submission
        (ws / "venv" / f"pkg{i}").mkdir(parents=True)
    (ws / "attention.py").write_text("def softmax(x):\n    return x\n")  # a misplaced file
    listed = []
    real_scandir = os.scandir
    monkeypatch.setattr(os, "scandir", lambda path=".": listed.append(os.fspath(path)) or real_scandir(path))

    def each_folder_once(what: str) -> None:
        venv = [p for p in listed if Path(p).parts[-1].startswith("pkg")]
        assert len(venv) == 40 and len(set(venv)) == 40, (what, len(venv), len(set(venv)))
        listed.clear()

    run = learn_in_process("list", "--workspace", ws)
    assert "move it to" in run.output and "attention.py" in run.output, run.output
    each_folder_once("learn list")
    monkeypatch.setenv("LEARN_SERVICE", "off")
    run = learn_in_process("grade", "--workspace", ws, "--format", "json")
    assert "attention.py in the wrong folder" in run.output, run.output
    each_folder_once("learn grade")
    course = load_course(REPO)
    submission_hash(Submission("alice", ws), course, 0, "fingerprint")
    each_folder_once("the hash grade-all records for --resume")


def test_a_file_in_another_exercise_of_the_same_file_name_is_that_exercises(learn, workspace, tmp_path):
    """Two exercises of one course may share a file name: count-vowels' words.py, not started, must
    not be told to move reverse-words/words.py (which is reverse-words' own) into its folder. A
    words.py at the top of the workspace is still named."""
    import shutil
    course = tmp_path / "course"
    shutil.copytree(EXAMPLE_COURSE, course)
    folder = course / "exercises" / "01-strings" / "count-vowels"
    (folder / "vowels.py").rename(folder / "words.py")
    yaml_path = folder / "exercise.yaml"
    yaml_path.write_text(yaml_path.read_text().replace("file: vowels.py", "file: words.py"))
    (course / "solutions" / "count-vowels" / "vowels.py").rename(course / "solutions" / "count-vowels" / "words.py")
    write_student(workspace, "reverse-words", "words.py", CORRECT)
    graded = learn("grade", "count-vowels", "--workspace", str(workspace), "--course", str(course), "--format", "json")
    (exercise,) = graded.json["exercises"]
    assert exercise["status"] == "not_started" and "found" not in exercise, exercise
    (workspace / "words.py").write_text("def count_vowels(text):\n    return 0\n")
    graded = learn("grade", "count-vowels", "--workspace", str(workspace), "--course", str(course), "--format", "json")
    assert graded.json["exercises"][0]["found"] == ["words.py"]


@pytest.mark.parametrize("source, told", [
    ("import os\nos._exit(0)\n", "importing words.py ended its process before it finished "
     "(os._exit, a crash such as a segfault, or the memory or CPU limit?)"),
    ("import os\ndef reverse_words(text):\n    os._exit(0)\n", "the process running reverse_words() ended "
     "before it answered (os._exit, a crash such as a segfault, or the memory or CPU limit?)"),
], ids=["at import", "in a call"])
def test_a_file_that_ends_its_process_is_told_so_in_its_own_terms(learn, workspace, source, told):
    """os._exit used to read "the process importing words.py died (ChannelClosed)": the grader's
    own exception names are no words for a student, in any report."""
    write_student(workspace, "reverse-words", "words.py", source)
    code, result = grade_json(learn, workspace)
    exercise = exercise_of(result)
    assert code == 1 and result["score"] == 0
    assert told in [exercise["error"], *(t["message"] for t in exercise["tests"])]
    terminal = learn("grade", "reverse-words", "--workspace", str(workspace), *COURSE).stdout
    assert told in " ".join(terminal.split())
    for internal in ("ChannelClosed", "WorkerDied", "WorkerGarbled", "died"):
        assert internal not in json.dumps(result) and internal not in terminal


def test_unknown_exercise_is_a_usage_error(learn, workspace):
    run = learn("grade", "no-such-thing", "--workspace", str(workspace), *COURSE)
    assert run.code == 2
    assert run.stderr.startswith("Error: no exercise named 'no-such-thing'")
    assert "Traceback" not in run.stderr


def test_results_json_matches_its_schema(learn, workspace):
    jsonschema = pytest.importorskip("jsonschema")
    write_student(workspace, "reverse-words", "words.py", "def reverse_words(text):\n    return text\n")
    _, result = grade_json(learn, workspace)
    schema = json.loads((REPO / "grader" / "schema" / "results.schema.json").read_text())
    jsonschema.validate(result, schema)


GOLDEN = Path(__file__).parent / "golden"


def normalized(result: dict) -> dict:
    """Results without what legitimately changes between runs (timings, versions)."""
    result = json.loads(json.dumps(result))
    for key in ("duration", "grader_version", "sandbox"):
        result.pop(key, None)
    for exercise in result["exercises"]:
        exercise.pop("duration", None)
        for test in exercise["tests"]:
            test.pop("duration", None)
    return result


@pytest.mark.parametrize("name, source", [
    ("correct", CORRECT),
    ("single-space", "def reverse_words(text):\n    return ' '.join(text.strip().split(' ')[::-1])\n"),
    ("crash", "def reverse_words(text):\n    raise RuntimeError('boom')\n"),
])
def test_golden_json(learn, workspace, name, source):
    write_student(workspace, "reverse-words", "words.py", source)
    _, result = grade_json(learn, workspace)
    golden = GOLDEN / f"reverse-words-{name}.json"
    # written by a person, never by this test: a missing file fails (print the result, review it, commit it)
    assert golden.is_file(), json.dumps(normalized(result), indent=2, sort_keys=True)
    assert normalized(result) == json.loads(golden.read_text())


def test_grading_a_workspace_lists_exercises_not_started_on_one_line(learn, workspace):
    write_student(workspace, "reverse-words", "words.py", CORRECT)
    run = learn("grade", "--workspace", str(workspace), "--seed", "1", *COURSE)
    assert run.code == 1  # the report covers count-vowels too, which has not passed
    assert "· 1 not started: count-vowels" in run.stdout
    assert "test_examples[Queue-4]" not in run.stdout  # no test lines for an exercise not started
    assert "Score: 10/20" in run.stdout


VOWELS = '''def count_vowels(text):
    """How many characters of TEXT are vowels (aeiou, either case)."""
    return sum(c in "aeiou" for c in text.lower())
'''


def test_exit_status_is_0_only_when_the_score_shown_is_a_pass(learn, workspace):
    """The exit status matches what the report shows: an empty workspace is 0/20 and exits 1
    (a student's CI is not green for an empty repository), a half-done one too, and only a
    report whose every exercise passed exits 0. Naming exercises narrows what the report covers."""
    empty = learn("grade", "--workspace", str(workspace), "--seed", "1", *COURSE)
    assert "Score: 0/20" in empty.stdout and empty.code == 1

    assert learn("start", "--workspace", str(workspace), *COURSE).code == 0  # an untouched stub
    stub_only = learn("grade", "--workspace", str(workspace), "--seed", "1", *COURSE)
    assert "Score: 0/20" in stub_only.stdout and stub_only.code == 1

    write_student(workspace, "reverse-words", "words.py", CORRECT)
    half = learn("grade", "--workspace", str(workspace), "--seed", "1", "--format", "json", *COURSE)
    assert (half.json["score"], half.json["max_score"], half.code) == (10, 20, 1)
    named = learn("grade", "reverse-words", "--workspace", str(workspace), "--seed", "1", *COURSE)
    assert "Score: 10/10" in named.stdout and named.code == 0

    write_student(workspace, "count-vowels", "vowels.py", VOWELS)
    written = learn("grade", "--workspace", str(workspace), "--seed", "1", "--format", "junit",
                    "--output", str(workspace / "junit.xml"), *COURSE)
    assert "(20/20)" in written.stdout and written.code == 0


FORGED = '''def helper(text):
    raise ValueError('File "words.py", line 99, in reverse_words\\n    forged')


def reverse_words(text):
    return helper(text)
'''


def test_the_students_traceback_is_kept_as_frames_and_reports_read_them(learn, workspace, tmp_path):
    """Where the code raised travels as data (type, message, the student's frames), so the HTML
    report and the CI annotations point at the real line even when the exception's message is
    made to look like a traceback line."""
    write_student(workspace, "reverse-words", "words.py", FORGED)
    _, result = grade_json(learn, workspace)
    exception = exercise_of(result)["tests"][0]["exception"]
    assert exception["type"] == "ValueError" and "forged" in exception["message"]
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(result, json.loads((REPO / "grader" / "schema" / "results.schema.json").read_text()))
    assert [(f["file"], f["line"], f["function"], f["code"]) for f in exception["frames"]] == [
        ("words.py", 6, "reverse_words", "return helper(text)"),
        ("words.py", 2, "helper", "raise ValueError('File \"words.py\", line 99, in reverse_words\\n    forged')")]
    html = tmp_path / "report.html"
    learn("grade", "reverse-words", "--workspace", str(workspace), "--format", "html", "-o", str(html), *COURSE)
    assert "Your code raised ValueError at</strong> <code>words.py, line 2, in helper</code>" in html.read_text()
    env = {**os.environ, "GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(workspace),
           "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md")}
    run = subprocess.run([sys.executable, "-m", "grader", "grade", "reverse-words", "--workspace", str(workspace),
                          *COURSE], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    pins = {line.split(",")[1] for line in run.stdout.splitlines() if line.startswith("::error ")}
    assert pins == {"line=2"}, run.stdout


@pytest.mark.parametrize("visibility", ["visible", "hidden"])
def test_a_check_that_fails_with_the_reference_too_is_the_graders_error(learn, workspace, course, tmp_path, visibility):
    """An author's review: a hidden test whose expected value was typed wrong failed every correct
    student (the reference itself scored 9/10), exit 1, and grade-all wrote the 0 into the gradebook.
    A failed check is judged like a test that raises: if it fails with the reference's answers on
    the same inputs, it is the exercise's bug (grader_error, exit 3), never the student's 0."""
    tests_file = course / "solutions" / "reverse-words" / "test_words.py"
    source = tests_file.read_text()
    broken = source.replace('"not or be to")', '"not or be to ")')  # a stray space in the expected text
    assert broken != source
    if visibility == "hidden":
        broken = broken.replace("def test_runs_of_whitespace(", '@pytest.mark.visibility("hidden")\ndef test_runs_of_whitespace(')
    tests_file.write_text(broken)
    write_student(workspace, "reverse-words", "words.py", CORRECT)
    run = learn("grade", "reverse-words", "--workspace", str(workspace), "--seed", "7", "--course", str(course),
                "--format", "json")
    assert run.code == 3, run.stderr
    exercise = exercise_of(run.json)
    test = next(t for t in exercise["tests"] if t["name"] == "test_runs_of_whitespace")
    assert test["status"] == "grader_error" and test["grader_error"] and test["points"] == 0, test
    assert "fails with the reference solution too" in test["message"] and "not in your code" in test["message"]
    assert exercise["status"] == "grader_error" and not any(d["id"] for d in exercise["diagnoses"]
                                                          if "test_runs_of_whitespace" in d.get("tests", []))
    # A wrong answer is still the student's: the same check with a student who does not do the work.
    write_student(workspace, "reverse-words", "words.py", "def reverse_words(text):\n    return text\n")
    wrong = learn("grade", "reverse-words", "--workspace", str(workspace), "--seed", "7", "--course", str(course),
                  "--format", "json")
    assert wrong.code == 3  # the broken check still cannot judge anyone
    statuses = {t["name"]: t["status"] for t in exercise_of(wrong.json)["tests"]}
    assert statuses["test_runs_of_whitespace"] == "grader_error"
    assert [s for n, s in statuses.items() if n != "test_runs_of_whitespace"].count("failed") >= 2
    # grade-all: the row is not final (blank total, grader_error), the command exits 3.
    subs = tmp_path / "subs"
    write_student(subs / "ann", "reverse-words", "words.py", CORRECT)
    graded = learn("grade-all", str(subs), "--out", str(tmp_path / "out"), "--course", str(course))
    assert graded.code == 3, graded.stderr
    row = (tmp_path / "out" / "gradebook.csv").read_text().splitlines()[1].split(",")
    assert row[0] == "ann" and row[1] == "" and "grader_error" in row


def test_a_broken_hidden_test_is_the_graders_error_in_every_format(learn, workspace, course, tmp_path):
    """Finding 7: a hidden test that raises by itself (here: it calls a helper the reference does
    not have) was recorded as the student's error: 0 points, exit 1. It is the grader's
    (status grader_error, shown as such in every format), and `learn grade` exits 3."""
    tests_file = course / "solutions" / "reverse-words" / "test_words.py"
    source = tests_file.read_text()
    broken = source.replace('def test_runs_of_whitespace(student):', 'def test_runs_of_whitespace(student, reference):')
    broken = broken.replace('assert_close(student.reverse_words("  to be \\t or  not "), "not or be to")',
                            'assert_close(student.reverse_words("  to be \\t or  not "), reference.no_such_helper())')
    assert broken != source
    tests_file.write_text(broken)
    write_student(workspace, "reverse-words", "words.py", CORRECT)
    args = ["grade", "reverse-words", "--workspace", str(workspace), "--seed", "7", "--course", str(course)]
    run = learn(*args, "--format", "json")
    assert run.code == 3, run.stderr
    assert "the grader could not check 1 test(s) (reverse-words: test_runs_of_whitespace)" in run.stderr
    assert "This is a bug in the exercise, not in your code: tell your instructor" in run.stderr
    assert "--debug" not in run.stderr  # it would show nothing more: the test is broken, not the grader
    exercise = exercise_of(run.json)
    assert exercise["status"] == "grader_error" and exercise["score"] == 7  # the other tests' points, not final
    broken_test = next(t for t in exercise["tests"] if t["name"] == "test_runs_of_whitespace")
    assert broken_test["status"] == "grader_error" and broken_test["grader_error"] and broken_test["points"] == 0
    assert "fails with the reference solution too" in broken_test["message"]
    says = {"terminal": "(grader error: not your code)", "markdown": "**Grader error.**",
            "html": "grader error: not your code", "junit": 'type="grader_error"',
            "gradescope": "fails with the reference solution too"}
    for fmt, text in says.items():  # in-process: no start-up each
        report = tmp_path / f"report.{fmt}"
        assert learn_in_process(*args, "--format", fmt, "--output", str(report)).exit_code == 3
        assert text in report.read_text(), fmt


def test_a_hidden_test_whose_own_code_never_ends_is_the_graders_error(learn, course, tmp_path):
    """An author's endless loop in a hidden test's own code (not in the student's calls, which
    have their own limit) once hung `learn grade`, `learn validate` and `grade-all` without a
    word. Past LEARN_TEST_CODE_SECONDS of its own time (60 s by default; 1 s here) the test stops;
    it hangs with the reference's answers too, so it is the grader's error (exit 3), and a class
    pays that limit once per grading process, not once per student. A student whose code is merely
    slow is never taken for a hung test."""
    tests_file = course / "solutions" / "reverse-words" / "test_words.py"
    source = tests_file.read_text()
    looping = source.replace('    assert_close(student.reverse_words("  to be \\t or  not "), "not or be to")',
                             '    assert_close(student.reverse_words("  to be \\t or  not "), "not or be to")\n'
                             '    while len(student.__class__.__name__) > 0:\n        pass')
    assert looping != source
    tests_file.write_text(looping)
    fast = {"LEARN_TEST_CODE_SECONDS": "1"}
    ws = tmp_path / "ws"
    write_student(ws, "reverse-words", "words.py", CORRECT)
    run = learn("grade", "reverse-words", "--workspace", str(ws), "--course", str(course), "--format", "json",
                "--seed", "7", env=fast, timeout=60)
    assert run.code == 3, run.stderr
    (test,) = [t for t in exercise_of(run.json)["tests"] if t["name"] == "test_runs_of_whitespace"]
    assert test["status"] == "grader_error" and "the test's own code ran for more than 1 s" in test["message"]
    # A class: every student's row says the grader failed on that test; the run ends, exit 3.
    subs = tmp_path / "subs"
    for name in ("ann", "ben", "cat", "dan"):
        write_student(subs / name, "reverse-words", "words.py", CORRECT)
    run = learn("grade-all", str(subs), "--out", str(tmp_path / "out"), "--course", str(course), "--jobs", "1",
                env=fast, timeout=60)
    assert run.code == 3, run.stderr
    book = (tmp_path / "out" / "gradebook.csv").read_text()
    assert book.count("the grader failed on reverse-words: test_runs_of_whitespace") == 4, book
    # `learn validate` ends too, and says which test is broken (the same words every run).
    run = learn("validate", "reverse-words", "--course", str(course), env=fast, timeout=60)
    assert run.code == 1 and "test_runs_of_whitespace: grader_error" in run.stdout, run.stdout + run.stderr
    assert "two runs with the same seed gave different results" not in run.stdout
    # A slow student, a fast test: the clock never stops a test during the student's call (0.7 s,
    # under the call's own limit of 1 s), even with a limit of 0.5 s on the test's own time.
    tests_file.write_text(source)
    write_student(ws, "reverse-words", "words.py", "import time\n" + CORRECT.replace(
        "    return", "    time.sleep(0.7)\n    return"))
    run = learn("grade", "reverse-words", "--workspace", str(ws), "--course", str(course), "--format", "json",
                "--seed", "7", env={"LEARN_TEST_CODE_SECONDS": "0.5"}, timeout=120)
    assert run.code == 0, [t["message"] for t in exercise_of(run.json)["tests"] if t["message"]]


def test_a_test_that_hangs_only_on_some_inputs_costs_no_other_student_the_test(learn, course, tmp_path):
    """A visible test whose own code loops only at size 1, a size only the search for a smaller
    failing input tries: a wrong student's search once cached "hangs with the reference" for the
    whole test, and the next, correct student got a grader error for a test they pass (an
    attacker's review). The search gives the test's own code only what is left of its 3 s budget,
    stops at a test that breaks, and no verdict outlives the inputs it was reached on."""
    tests_file = course / "solutions" / "reverse-words" / "test_words.py"
    tests_file.write_text(tests_file.read_text() + """

@pytest.mark.points(1)
@pytest.mark.shrink(8)
def test_sized(student, size):
    \"\"\"Sentences of SIZE words come back reversed.\"\"\"
    words = [f"w{i}" for i in range(size)]
    got = student.reverse_words(" ".join(words))
    while size == 1:   # an author's slip that only matters at size 1
        pass
    assert_close(got, " ".join(words[::-1]))
""")
    yaml_path = course / "exercises" / "01-strings" / "reverse-words" / "exercise.yaml"
    assert "points: 10\n" in yaml_path.read_text()
    yaml_path.write_text(yaml_path.read_text().replace("points: 10\n", "points: 11\n"))
    subs = tmp_path / "subs"
    write_student(subs / "ann", "reverse-words", "words.py", "def reverse_words(text):\n    return ' '.join(text.split())\n")
    write_student(subs / "ben", "reverse-words", "words.py", CORRECT)
    run = learn("grade-all", str(subs), "--out", str(tmp_path / "out"), "--course", str(course), "--jobs", "1",
                env={"LEARN_TEST_CODE_SECONDS": "1"}, timeout=120)
    assert run.code == 0, run.stderr
    book = {line.split(",")[0]: line for line in (tmp_path / "out" / "gradebook.csv").read_text().splitlines()}
    assert book["ben"].startswith("ben,11,21,11,0,graded"), book  # every point of reverse-words, test_sized too
    ann = json.loads((tmp_path / "out" / "ann" / "results.json").read_text())["exercises"][0]
    (sized,) = [t for t in ann["tests"] if t["name"] == "test_sized"]
    assert sized["status"] == "failed" and not sized["grader_error"]


def test_an_exception_without_a_message_is_named_in_every_report(learn, workspace):
    """NotImplementedError() has no message: every report still says what was raised."""
    write_student(workspace, "reverse-words", "words.py",
                  "def reverse_words(text):\n    unfinished = NotImplementedError()\n    raise unfinished\n")
    _, result = grade_json(learn, workspace)
    test = exercise_of(result)["tests"][0]
    assert test["status"] == "error"
    assert test["message"].splitlines()[-1] == "NotImplementedError"
    assert test["exception"]["type"] == "NotImplementedError" and test["exception"]["message"] == ""
    for form in ("terminal", "markdown", "html", "junit", "gradescope"):
        run = learn("grade", "reverse-words", "--workspace", str(workspace), "--format", form, "--seed", "7", *COURSE)
        assert "NotImplementedError" in run.stdout, (form, run.stdout)


def grade_dot_product(learn, workspace: Path, source: str) -> dict:
    write_student(workspace, "dot-product", "similarity.py", source)
    run = learn("grade", "dot-product", "--workspace", str(workspace), "--course", str(REPO),
                "--format", "json", "--seed", "1")
    assert run.code == 1 and "Traceback" not in run.stderr, run.stderr
    return exercise_of(run.json)


@pytest.mark.parametrize("source", ["", "# TODO: dot, cosine_similarity and angle\n\n   \n# later\n"],
                         ids=["zero-bytes", "only-comments"])
def test_an_empty_file_is_told_it_is_empty(learn, workspace, source):
    exercise = grade_dot_product(learn, workspace, source)
    assert exercise["status"] == "error" and exercise["score"] == 0
    assert exercise["error"].startswith("similarity.py is empty"), exercise["error"]
    assert "dot(), cosine_similarity() and angle()" in exercise["error"]
    assert all(t["message"] == exercise["error"] for t in exercise["tests"])
    assert not any("smallest_input" in t for t in exercise["tests"])
    terminal = learn("grade", "dot-product", "--workspace", str(workspace), "--course", str(REPO), "--seed", "1")
    assert "Smallest failing input" not in terminal.stdout and "does not define" not in terminal.stdout
    assert terminal.stdout.count("similarity.py is empty") == 1, terminal.stdout


def test_a_file_that_defines_none_of_the_functions_is_told_so(learn, workspace):
    exercise = grade_dot_product(learn, workspace, "import numpy as np\n\n\ndef inner(q, k):\n    return q @ k\n")
    assert exercise["status"] == "error" and exercise["score"] == 0
    assert exercise["error"] == ("similarity.py defines none of the exercise's functions, dot(), "
                                 "cosine_similarity() and angle(): keep the function names of the stub")
    assert not any("smallest_input" in t for t in exercise["tests"])


def test_a_missing_function_is_not_shrunk(learn, workspace):
    """A smaller input cannot help with a function that is not there."""
    exercise = grade_dot_product(learn, workspace, "import numpy as np\n\n\ndef cosine_similarity(q, k, eps=1e-8):\n"
                                 "    return 0.0\n")
    dot = next(t for t in exercise["tests"] if t["name"] == "test_dot_random_vectors")
    assert dot["message"] == "similarity.py does not define dot(): keep the function names of the stub"
    assert "smallest_input" not in dot


def test_real_eigenvalues_in_a_complex_array_with_rounding_noise_score_full_marks(learn, tmp_path):
    """The contract allows a complex eigenspectrum; a complex routine may leave imaginary parts of
    about 1e-17 on real eigenvalues. Compared with the reference's real ones they were called
    "complex; expected real numbers" (0.5 points lost, found by a reviewer). Within the test's
    own tolerance they are real; an imaginary part beyond it is still refused."""
    source = (REPO / "solutions/eigenspectrum/spectrum.py").read_text()
    noisy = source.replace("    return eigenvalues[np.argsort(-np.abs(eigenvalues), kind=\"stable\")]\n",
                           "    eigenvalues = eigenvalues.astype(complex) + 1e-17j * np.abs(eigenvalues)\n"
                           "    return eigenvalues[np.argsort(-np.abs(eigenvalues), kind=\"stable\")]\n", 1)
    assert noisy != source
    ws = tmp_path / "ws"
    write_student(ws, "eigenspectrum", "spectrum.py", noisy)
    for seed in (1, 2, 3):
        run = learn("grade", "eigenspectrum", "--workspace", str(ws), "--seed", str(seed), "--format", "json")
        assert run.json["score"] == 10, [t["message"] for t in run.json["exercises"][0]["tests"] if t["message"]]
    from grader.compare import explain
    import numpy as np
    assert explain(np.array([2.0 + 1e-6j, 1.0]), np.array([2.0, 1.0]), name="eigenvalues") is not None
    assert explain(np.array([np.nan + 0j]), np.array([np.nan]), name="x") is None  # NaN where NaN is expected


def test_forbidden_uses_are_listed_up_to_twenty_then_counted(learn, tmp_path):
    """A 256 KB file of 37,000 `np.dot` lines once listed each use: 4 MB of report.html per
    exercise (an attacker's review). The first 20 are listed, the rest counted in one line."""
    source = (REPO / "solutions/dot-product/similarity.py").read_text()
    ws = tmp_path / "ws"
    write_student(ws, "dot-product", "similarity.py", source + "\n\ndef _unused():\n" + "    np.dot\n" * 100)
    run = learn("grade", "dot-product", "--workspace", str(ws), "--seed", "1", "--format", "json")
    (exercise,) = run.json["exercises"]
    violations = exercise["violations"]
    assert exercise["status"] == "error" and exercise["score"] == 0
    assert len(violations) == 21 and all(v["message"] == "uses numpy.dot, which this exercise forbids"
                                         for v in violations[:20])
    assert violations[20]["message"] == "and 80 more forbidden uses from this line on"
    assert violations[20]["line"] == violations[19]["line"] + 1


def test_the_graders_own_numpy_warnings_never_reach_the_screen(learn, tmp_path):
    """A softmax over the wrong axis, compared with a log-softmax that holds -inf: the grader's
    pattern search did arithmetic on the infinities and printed nine RuntimeWarnings (one said
    atol was inf) to the student's terminal and to CI logs (an instructor's review)."""
    source = (REPO / "solutions/softmax/softmax.py").read_text()
    wrong_axis = source.replace("axis=axis", "axis=0")
    assert wrong_axis != source
    ws = tmp_path / "ws"
    write_student(ws, "softmax", "softmax.py", wrong_axis)
    run = learn("grade", "softmax", "--workspace", str(ws), "--seed", "1")
    assert run.code == 1 and "Warning" not in run.stderr, run.stderr


def test_what_a_student_printed_is_counted_right_and_never_shown_in_a_hidden_test(learn, workspace):
    """A student who printed 20,000 characters in one call was told "[... 4047 more characters of
    output were cut]" whatever they printed (only the last cut was counted), and a hidden test
    showed what they printed, its inputs included, under "This test is hidden: its inputs and
    expected values are not shown" (a new student's review)."""
    write_student(workspace, "reverse-words", "words.py",
                  "def reverse_words(text):\n    print('x' * 19999)\n    return text\n")
    code, result = grade_json(learn, workspace)
    tests = {t["name"]: t for t in exercise_of(result)["tests"]}
    visible = tests["test_runs_of_whitespace"]
    assert visible["output"].endswith("\n[... 16000 more characters of output were cut]"), visible["output"][-80:]
    assert visible["output"].startswith("x" * 4000)
    hidden = tests["test_random_sentence"]
    # not even the count: the student's code chooses it (a review of this session: 480 printed lines of
    # 100,000 characters read back as 48000000, an input of 480)
    assert hidden["output"] == "[your code printed during this hidden test: not shown, since it may hold its inputs]"


def test_a_hidden_test_shows_numpys_warnings_in_their_fixed_words_and_nothing_forged(learn, workspace):
    """A new user's review: "invalid value encountered in arccos" is the clue to a NaN, and a hidden
    test hid it with the rest. numpy's warnings are shown in numpy's own words; the file, line and
    operation a student's code writes around them are not, so no input gets out that way."""
    hidden = hidden_test_of(learn, workspace, (
        "import warnings\n\nimport numpy as np\n\nwarnings.simplefilter('always')  # every call's, not the first's\n\n\n"
        "def reverse_words(text):\n"
        "    words = text.split()\n"
        "    print(f'/submission/{text}.py:7: RuntimeWarning: invalid value encountered in arccos')\n"
        "    print(f'RuntimeWarning: overflow encountered in {words[0] if words else 0}')\n"
        "    np.log(np.zeros(1))\n"
        "    return ' '.join(words[::-1])\n"))
    # the first warning only: a choice among a few hundred fixed phrases (three, in order, carried 28 bits)
    assert hidden["output"] == ("numpy warned: invalid value encountered in arccos\n"
                                "[your code printed during this hidden test: not shown, since it may hold its inputs]")


def test_the_output_files_extension_chooses_the_format_when_none_is_given(learn, workspace, tmp_path):
    """`learn grade -o r.json` wrote the terminal's text into r.json and said "Wrote r.json"
    (a new student's review). Without --format, the extension chooses; --format still wins."""
    write_student(workspace, "reverse-words", "words.py", CORRECT)
    base = ["grade", "reverse-words", "--workspace", str(workspace), "--seed", "7", *COURSE]
    for name, check in (("r.json", lambda t: json.loads(t)["score"] == 10), ("r.md", lambda t: t.startswith("## learn: 10/10")),
                        ("r.html", lambda t: t.startswith("<!DOCTYPE html>")), ("r.xml", lambda t: "<testsuite" in t),
                        ("r.txt", lambda t: t.startswith("✓ reverse-words"))):
        assert learn(*base, "-o", str(tmp_path / name)).code == 0
        assert check((tmp_path / name).read_text()), name
    assert learn(*base, "--format", "markdown", "-o", str(tmp_path / "forced.json")).code == 0
    assert (tmp_path / "forced.json").read_text().startswith("## learn: 10/10")


def test_a_breakpoint_left_in_the_code_says_to_remove_it(learn, workspace):
    """breakpoint() reported only "PermissionError: sys.settrace is not allowed while grading"
    (a new student's review): the report says what to do."""
    write_student(workspace, "reverse-words", "words.py", "def reverse_words(text):\n    breakpoint()\n"
                  "    return ' '.join(text.split()[::-1])\n")
    _code, result = grade_json(learn, workspace)
    messages = [t["message"] for t in exercise_of(result)["tests"] if t["status"] == "error"]
    assert messages and all("breakpoint() and pdb start a debugger" in m for m in messages), messages[:1]


def test_a_misspelt_function_name_is_named(learn, workspace):
    """`def reverse_wrods` was told only "does not define reverse_words()" (a new student's
    review): the close name the file does define is named."""
    write_student(workspace, "reverse-words", "words.py",
                  "def reverse_wrods(text):\n    return ' '.join(text.split()[::-1])\n\n\ndef helper():\n    return 1\n")
    _code, result = grade_json(learn, workspace)
    messages = {t["message"] for t in exercise_of(result)["tests"] if t["status"] != "passed"}
    assert messages == {"words.py defines none of the exercise's functions, reverse_words() (it defines "
                        "reverse_wrods(): a typo?): keep the function names of the stub"}, messages
    # One function of several misspelt: the tests that call it say which name the file has.
    source = (REPO / "solutions/dot-product/similarity.py").read_text()
    typo = source.replace("def cosine_similarity(", "def cosine_similarty(")
    assert typo != source
    write_student(workspace, "dot-product", "similarity.py", typo)
    run = learn("grade", "dot-product", "--workspace", str(workspace), "--seed", "1", "--format", "json")
    said = {t["message"] for t in run.json["exercises"][0]["tests"] if t["status"] != "passed"}
    assert "similarity.py does not define cosine_similarity(), but defines cosine_similarty(): keep the function " \
           "names of the stub" in said, said


def test_arrays_in_the_terminal_report_keep_their_columns(learn, workspace):
    """The terminal report wraps its text at 78 columns; arrays wider than that were re-wrapped at
    their spaces, so a row of the smallest failing input broke in two and its columns no longer
    lined up (a student's review). Arrays are printed to fit, rows under rows, the call's
    arguments lined up under its first row."""
    reference = (REPO / "solutions" / "softmax" / "softmax.py").read_text()
    wrong = reference.replace("return np.divide(e, total, out=np.zeros_like(e), where=total > 0)", "return e / e.sum()")
    assert wrong != reference
    write_student(workspace, "softmax", "softmax.py", wrong)
    run = learn("grade", "softmax", "--workspace", str(workspace), "--seed", "8", env={"COLUMNS": "80"})  # e-notation: wide
    assert run.code == 1, run.stderr
    lines = run.stdout.splitlines()
    assert max(map(len, lines)) <= 78, max(lines, key=len)
    first = next(i for i, line in enumerate(lines) if line.startswith("      softmax([["))
    block = lines[first:next(i for i in range(first, len(lines)) if lines[i].endswith("])")) + 1]
    assert len(block) >= 2, block  # a 2-row input at the least (shrunk to size 2)
    # Every line after the first lines up under the array (numpy's own layout: a row too wide for
    # the report continues under its entries); before, the terminal re-wrapped a row's tail back
    # to the report's indent ("      1.489273e+00]").
    for row in block[1:]:
        assert row.startswith(" " * len("      softmax([")), block
    got = lines.index("      got:")
    rows = lines[got + 1:lines.index("      expected:", got)]
    assert rows and all(row.startswith(("      [[", "       [")) and row.endswith("]") for row in rows), rows


def test_a_long_line_of_the_students_code_continues_under_itself(learn, workspace):
    """A traceback's line of code longer than the report's width was wrapped back to the report's
    margin, where its tail read as another line of the file (a student's review): it continues
    under the code, two columns deeper."""
    long_line = ("    return ' '.join(reversed(text.split())) + str(sorted(set(text.split()), key=len)[0] "
                 "+ undefined_name_here)\n")
    write_student(workspace, "reverse-words", "words.py", "def reverse_words(text):\n" + long_line)
    run = learn("grade", "reverse-words", "--workspace", str(workspace), *COURSE, env={"COLUMNS": "80"})
    assert run.code == 1
    lines = run.stdout.splitlines()
    assert max(map(len, lines)) <= 78, max(lines, key=len)
    code = next(i for i, line in enumerate(lines) if line.lstrip().startswith("return ' '.join("))
    indent = len(lines[code]) - len(lines[code].lstrip())
    tail = lines[code + 1]
    assert tail.startswith(" " * (indent + 2)) and not tail.startswith(" " * (indent + 3)), lines[code:code + 3]
    assert "undefined_name_here)" in lines[code] + tail
    assert lines[code + 2].lstrip().startswith("NameError: name 'undefined_name_here' is not defined")


def test_a_message_padded_with_spaces_is_not_spread_one_word_a_line(learn, workspace):
    """An attacker's review: a student's exception message with a line indented 74 spaces was
    wrapped under that indent, one word a line: 935 lines for 2,000 characters."""
    write_student(workspace, "reverse-words", "words.py",
                  "def reverse_words(text):\n    raise ValueError('x\\n' + ' ' * 74 + 'a ' * 960)\n")
    run = learn("grade", "reverse-words", "--workspace", str(workspace), *COURSE, env={"COLUMNS": "80"})
    assert run.code == 1
    assert len(run.stdout.splitlines()) < 250, len(run.stdout.splitlines())
    assert max(map(len, run.stdout.splitlines())) <= 78


def test_a_parameter_the_test_changes_in_place_is_fresh_for_the_reference(learn, workspace, course):
    """An attacker's review: parameters were shared between runs of a test, so one that changed its
    parameter in place handed the change to the judging run with the reference's answers, which
    then failed: a wrong answer became a grader error."""
    tests_file = course / "solutions" / "reverse-words" / "test_words.py"
    tests_file.write_text(tests_file.read_text().replace("@pytest.mark.points(4)\n", "@pytest.mark.points(3)\n", 1) + '''

@pytest.mark.points(1)
@pytest.mark.parametrize("words", [["ab", "cd", "ef"]])
def test_words_from_a_list(student, words):
    """Words from a list, one added."""
    words.append("gh")
    assert len(words) == 4
    assert_close(student.reverse_words(" ".join(words)), "gh ef cd ab")
''')
    write_student(workspace, "reverse-words", "words.py", "def reverse_words(text):\n    return text[::-1]\n")
    run = learn("grade", "reverse-words", "--workspace", str(workspace), "--course", str(course), "--format", "json")
    assert run.code == 1, run.stderr
    test = next(t for t in exercise_of(run.json)["tests"] if t["name"] == "test_words_from_a_list[words0]")
    assert test["status"] == "failed" and not test["grader_error"], test


def test_reproduce_line_names_the_exercises_of_a_subset_and_none_for_the_whole_course(learn, workspace):
    """`learn grade dot-product attention-scores --seed 42` said `Reproduce this run: learn grade
    --seed 42`, which grades all 18 exercises (a new user's review): every report names the
    exercises graded, and running the line grades those again."""
    asked = ["dot-product", "attention-scores"]
    terminal = learn("grade", *asked, "--seed", "42", "--workspace", str(workspace))
    assert "Reproduce this run: learn grade dot-product attention-scores --seed 42\n" in terminal.stdout, terminal.stdout
    markdown = learn("grade", *asked, "--seed", "42", "--workspace", str(workspace), "--format", "markdown")
    assert "reproduce with `learn grade dot-product attention-scores --seed 42`" in markdown.stdout, markdown.stdout
    html = learn("grade", *asked, "--seed", "42", "--workspace", str(workspace), "--format", "html")
    assert "<code>learn grade dot-product attention-scores --seed 42</code>" in html.stdout
    line = terminal.stdout.split("Reproduce this run: ", 1)[1].splitlines()[0]
    again = learn(*line.split()[1:], "--workspace", str(workspace), "--format", "json")
    assert [e["id"] for e in again.json["exercises"]] == asked
    whole = learn("grade", "--seed", "42", "--workspace", str(workspace), *COURSE)
    assert "Reproduce this run: learn grade --seed 42\n" in whole.stdout, whole.stdout
