"""JUnit XML, Gradescope results.json, GitHub annotations and the Gradescope bundle, through the CLI."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import junitparser
import pytest

from classroom_fixtures import REPO, make_class, make_course

from grader.sandbox.scratch import remove_tree

GRADESCOPE_TOP = {"score", "execution_time", "output", "output_format", "test_output_format", "test_name_format",
                  "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard"}
GRADESCOPE_TEST = {"score", "max_score", "status", "name", "name_format", "number", "output", "output_format",
                   "tags", "visibility", "extra_data"}
VISIBILITIES = {"hidden", "after_due_date", "after_published", "visible"}
FORMATS = {"text", "html", "simple_format", "md", "ansi"}


@pytest.fixture(scope="module")
def rendered(klass):
    """Each student graded once in-process (one fork server), for the format checks; bob goes
    through the real CLI in each test as well."""
    from grader.course import load_course
    from grader.sandbox import ForkServer
    from grader.grading import grade_workspace
    course, submissions = klass
    with ForkServer() as server:
        the_course = load_course(course)
        return {s: grade_workspace(the_course, submissions / s, [], 7, server=server) for s in ("alice", "dave", "erin")}


def export(klass, rendered, tmp_path, student, fmt):
    from grader import reports
    if student in rendered:
        return reports.render(rendered[student], fmt)
    course, submissions = klass
    out = tmp_path / "out"
    assert grade(course, submissions / student, fmt, out).returncode == 1
    return out.read_text()


@pytest.fixture(scope="module")
def klass(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("exports")
    course = make_course(root / "course")
    make_class(course, root / "submissions")
    return course, root / "submissions"


def grade(course: Path, workspace: Path, fmt: str, out: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", "grade", "--workspace", str(workspace), "--course",
                           str(course), "--format", fmt, "--output", str(out), "--seed", "7"],
                          cwd=REPO, capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=120)


def check_gradescope(data: dict) -> None:
    """The fields and values of Gradescope's autograder results.json specification."""
    assert set(data) <= GRADESCOPE_TOP and isinstance(data["tests"], list)
    assert isinstance(data["score"], (int, float)) and isinstance(data["execution_time"], int)
    assert data["output_format"] in FORMATS and data["visibility"] in VISIBILITIES
    assert data["stdout_visibility"] in VISIBILITIES
    for test in data["tests"]:
        assert set(test) <= GRADESCOPE_TEST
        assert test["status"] in ("passed", "failed") and test["visibility"] in VISIBILITIES
        assert isinstance(test["score"], (int, float)) and isinstance(test["max_score"], (int, float))
        assert 0 <= test["score"] <= test["max_score"] and isinstance(test["name"], str) and test["output_format"] == "md"
    assert abs(sum(t["score"] for t in data["tests"]) - data["score"]) < 0.01


@pytest.mark.parametrize("student", ["alice", "bob", "dave", "erin"])
def test_junit_parses_with_a_real_consumer(klass, rendered, tmp_path, student):
    out = tmp_path / "junit.xml"
    out.write_text(export(klass, rendered, tmp_path, student, "junit"))
    xml = junitparser.JUnitXml.fromfile(str(out))
    suites = {suite.name: suite for suite in xml}
    assert set(suites) == {"dot-product", "softmax"}
    dot = suites["dot-product"]
    cases = list(dot)
    assert dot.tests == len(cases) > 10
    outcomes = [type(r).__name__ for case in cases for r in case.result]
    if student == "alice":
        assert all(case.is_passed for case in cases)
    elif student == "bob":
        assert "Failure" in outcomes and sum(case.is_passed for case in cases) > 0
    elif student == "erin":  # crashes on import: every test is an error, not a failure
        assert set(outcomes) == {"Error"}
    else:
        assert not all(case.is_passed for case in cases)
    assert all(r.type == "skipped" or isinstance(r, junitparser.Skipped) for case in suites["softmax"] for r in case.result) \
        or student == "alice"


@pytest.mark.parametrize("student", ["alice", "bob", "erin"])
def test_gradescope_results_follow_the_spec(klass, rendered, tmp_path, student):
    data = json.loads(export(klass, rendered, tmp_path, student, "gradescope"))
    check_gradescope(data)
    assert data["output_format"] == "md"
    if student == "alice":
        assert data["score"] == 20 and all(t["status"] == "passed" for t in data["tests"])
    else:
        assert data["score"] < 20 and any(t["status"] == "failed" for t in data["tests"])
    # learn's hidden test: its name, status and diagnosis shown (Gradescope's "visible"), never its
    # inputs or expected values (Gradescope's "hidden" would show nothing, not even the diagnosis).
    assert {t["visibility"] for t in data["tests"]} == {"visible"}
    (hidden,) = [t for t in data["tests"] if t["name"] == "dot-product: test_angle_of_parallel_vectors_is_never_nan"]
    assert "differs from the expected value" not in hidden["output"]  # the inputs and values stay hidden


def test_github_annotations_and_job_summary(klass, tmp_path):
    course, submissions = klass
    summary = tmp_path / "summary.md"
    proc = grade(course, submissions / "bob", "junit", tmp_path / "j.xml",
                 env={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_WORKSPACE": str(submissions)})
    errors = [line for line in proc.stdout.splitlines() if line.startswith("::error ")]
    assert errors and all(line.startswith("::error file=bob/dot-product/similarity.py,line=") for line in errors)
    assert all("\n" not in line for line in errors)
    assert "## learn:" in summary.read_text()
    quiet = grade(course, submissions / "bob", "junit", tmp_path / "j2.xml", env={"GITHUB_ACTIONS": ""})
    assert "::error" not in quiet.stdout + quiet.stderr


def unpacked_bundle(course: Path, tmp_path: Path) -> tuple[Path, list[str]]:
    """`learn export gradescope`, unpacked as Gradescope does: (AUTOGRADER_ROOT, the zip's names)."""
    bundle = tmp_path / "autograder.zip"
    proc = subprocess.run([sys.executable, "-m", "grader", "export", "gradescope", "--out", str(bundle),
                           "--course", str(course)], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    root = tmp_path / "autograder"
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
        archive.extractall(root / "source")
        assert (archive.getinfo("run_autograder").external_attr >> 16) & 0o111
    (root / "submission").mkdir()
    return root, names


def run_autograder(root: Path, env: dict | None = None) -> dict:
    """Gradescope's run of one submission: its results.json."""
    run = subprocess.run(["bash", str(root / "source" / "run_autograder")], capture_output=True, text=True,
                         env={**os.environ, "AUTOGRADER_ROOT": str(root), **(env or {})}, timeout=120)
    assert run.returncode == 0, run.stderr
    data = json.loads((root / "results" / "results.json").read_text())
    check_gradescope(data)
    return data


def test_gradescope_bundle_grades_a_submission(klass, tmp_path, deep_chain):
    course, submissions = klass
    root, names = unpacked_bundle(course, tmp_path)
    assert {"setup.sh", "run_autograder"} <= set(names)
    assert "learn/solutions/softmax/test_softmax.py" in names and "learn/grader/classroom/pool.py" in names
    for script in ("setup.sh", "run_autograder"):
        assert subprocess.run(["bash", "-n", str(root / "source" / script)]).returncode == 0
    # A submission uploaded as loose files (Gradescope's usual shape).
    (root / "submission" / "similarity.py").write_text((submissions / "alice" / "dot-product" / "similarity.py").read_text())
    deep_chain(root / "submission")  # and a chain of folders 1200 deep (a recursive search broke)
    data = run_autograder(root)
    assert data["score"] == 10  # dot-product passed, softmax not submitted
    assert remove_tree(str(root / "submission"), time.monotonic() + 120)  # shutil.rmtree recurses once per level


def test_a_broken_hidden_test_records_no_score_on_gradescope(klass, tmp_path):
    """A hidden test that fails with the reference too is the course's bug: the bundle once wrote
    results with that test at 0 (Gradescope recorded 6/10). It now leaves no results.json, so
    Gradescope records no score and says the autograder failed; the run's stdout (instructors
    only) names the broken test. A course error (exit 2) is handled the same way."""
    import shutil
    course, submissions = klass
    broken = tmp_path / "course"
    shutil.copytree(course, broken)
    tests = broken / "solutions" / "dot-product" / "test_similarity.py"
    source = tests.read_text()
    assert source.count("def test_dot_random_vectors(") == 1
    tests.write_text(source.replace("def test_dot_random_vectors(student, reference, rng, size):\n",
                                    "def test_dot_random_vectors(student, reference, rng, size):\n    size.shape[2]\n"))
    root, _names = unpacked_bundle(broken, tmp_path)
    (root / "submission" / "similarity.py").write_text((submissions / "alice" / "dot-product" / "similarity.py").read_text())
    run = subprocess.run(["bash", str(root / "source" / "run_autograder")], capture_output=True, text=True,
                         env={**os.environ, "AUTOGRADER_ROOT": str(root)}, timeout=120)
    assert not (root / "results" / "results.json").exists(), (root / "results" / "results.json").read_text()
    assert "learn grade exited with status 3" in run.stdout
    assert "- dot-product: test_dot_random_vectors" in run.stdout, run.stdout
    (broken / "exercises" / "course.yaml").write_text("exercises: [\n")  # a course error: exit 2
    root, _names = unpacked_bundle(course, tmp_path / "again")
    shutil.rmtree(root / "source" / "learn" / "exercises")
    shutil.copytree(broken / "exercises", root / "source" / "learn" / "exercises")
    run = subprocess.run(["bash", str(root / "source" / "run_autograder")], capture_output=True, text=True,
                         env={**os.environ, "AUTOGRADER_ROOT": str(root)}, timeout=120)
    assert not (root / "results" / "results.json").exists() and "exited with status 2" in run.stdout


def _daemons_of(root: Path) -> list[int]:
    """The pids of grading services started from the bundle unpacked in ROOT."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if entry.name.isdigit() and "grader.service.daemon" in command and str(root) in command:
            found.append(int(entry.name))
    return found


def test_gradescope_bundle_never_starts_the_grading_service(klass, tmp_path):
    """Gradescope does not set CI: the bundle itself turns the service off (one grade per container)."""
    course, submissions = klass
    root, _names = unpacked_bundle(course, tmp_path)
    (root / "submission" / "similarity.py").write_text((submissions / "alice" / "dot-product" / "similarity.py").read_text())
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    environment = {**os.environ, "XDG_RUNTIME_DIR": str(runtime)}
    for name in ("LEARN_SERVICE", "CI", "GITHUB_ACTIONS", "GITLAB_CI"):
        environment.pop(name, None)
    try:
        run = subprocess.run(["bash", str(root / "source" / "run_autograder")], capture_output=True, text=True,
                             env={**environment, "AUTOGRADER_ROOT": str(root)}, timeout=120)
        assert run.returncode == 0, run.stderr
        assert json.loads((root / "results" / "results.json").read_text())["score"] == 10
        time.sleep(1.5)  # a service started at the end of the grade would be listening by now
        assert _daemons_of(root) == []
        assert list(runtime.rglob("*.sock")) == []
    finally:
        for pid in _daemons_of(root):
            os.kill(pid, signal.SIGKILL)


def test_gradescope_report_says_which_file_to_upload(klass, tmp_path):
    """On Gradescope a student uploads files: a missing one is named, never a `learn` command; a
    workspace's `learn grade` still says `learn start`."""
    course, submissions = klass
    root, _names = unpacked_bundle(course, tmp_path)
    (root / "submission" / "similarity.py").write_text((submissions / "alice" / "dot-product" / "similarity.py").read_text())
    data = run_autograder(root)
    assert "learn start" not in json.dumps(data)
    assert "- `softmax`: 0/10 (not submitted: upload `softmax.py` or the notebook `softmax.ipynb`)" in data["output"]
    here = grade(course, submissions / "bob", "json", tmp_path / "bob.json")
    softmax = next(e for e in json.loads((tmp_path / "bob.json").read_text())["exercises"] if e["id"] == "softmax")
    assert softmax["error"] == "softmax/softmax.py does not exist: run `learn start softmax`", here.stderr


def test_gradescope_names_a_misnamed_upload_as_data():
    """A file name is the student's text: in Gradescope's Markdown it stays one code span."""
    from grader.reports.gradescope import _exercise_line
    from grader.results import ExerciseResult, Status
    missing = ExerciseResult(id="softmax", title="Softmax", module="01", file="softmax.py", status=Status.NOT_STARTED,
                             score=0, max_score=10, tests=[], diagnoses=[], violations=[], error="", output="",
                             found=["my`</code>` **softmax**.py"], missing=True)
    assert _exercise_line(missing) == ("- `softmax`: 0/10 (not submitted: upload `softmax.py` or the notebook "
                                       "`softmax.ipynb`; found ``my`</code>` **softmax**.py``: rename it)")


def test_gradescope_bundle_grades_a_notebook(klass, tmp_path):
    """A student who worked in Jupyter uploads `similarity.ipynb`: its answer cells are graded, as
    in a workspace, and the bundle installs what reads notebooks."""
    import nbformat
    course, submissions = klass
    root, _names = unpacked_bundle(course, tmp_path)
    assert any(line.startswith("nbformat") for line in (root / "source" / "requirements.txt").read_text().splitlines())
    answer = (submissions / "alice" / "dot-product" / "similarity.py").read_text()
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("my work"),
                                               nbformat.v4.new_code_cell(answer, metadata={"tags": ["answer"]})])
    nbformat.write(notebook, root / "submission" / "similarity.ipynb")
    data = run_autograder(root)
    assert data["score"] == 10, data["output"]
    assert "- `softmax`: 0/10 (not submitted: upload `softmax.py` or the notebook `softmax.ipynb`)" in data["output"]


def test_a_hidden_parametrized_test_shows_gradescope_neither_its_inputs_nor_what_they_printed(tmp_path):
    """Shown on Gradescope as learn shows hidden tests (visible, redacted), a hidden parametrized
    test's name carried its inputs and expected value (`test_examples[hello world-world hello]`),
    and the student could print the inputs into the test's output (an attacker's review). Its
    cases are numbered, and nothing it printed is shown."""
    import shutil
    from conftest import EXAMPLE_COURSE
    course = tmp_path / "course"
    shutil.copytree(EXAMPLE_COURSE, course, ignore=shutil.ignore_patterns("__pycache__"))
    tests = course / "solutions" / "reverse-words" / "test_words.py"
    source = tests.read_text()
    assert source.count("@pytest.mark.parametrize") == 1
    tests.write_text(source.replace("@pytest.mark.parametrize", '@pytest.mark.visibility("hidden")\n@pytest.mark.parametrize', 1))
    ws = tmp_path / "ws"
    (ws / "reverse-words").mkdir(parents=True)
    (ws / "reverse-words" / "words.py").write_text("def reverse_words(text):\n    print('INPUT', repr(text))\n"
                                                    "    return text\n")
    out = tmp_path / "gs.json"
    proc = subprocess.run([sys.executable, "-m", "grader", "grade", "reverse-words", "--workspace", str(ws), "--course",
                           str(course), "--format", "gradescope", "--output", str(out), "--seed", "7"],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    data = json.loads(out.read_text())
    check_gradescope(data)
    hidden = [t for t in data["tests"] if t["name"].startswith("reverse-words: test_examples")]
    assert [t["name"] for t in hidden] == [f"reverse-words: test_examples[{i}]" for i in range(1, len(hidden) + 1)]
    assert len(hidden) >= 2 and not any("INPUT" in t["output"] for t in hidden), hidden
    shown = [t for t in data["tests"] if t["name"] == "reverse-words: test_runs_of_whitespace"]
    assert "INPUT" in shown[0]["output"]  # a visible test still shows what the student printed
