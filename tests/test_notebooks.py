"""Notebooks as workspaces, through the real CLI: learn start --notebook, grading a notebook's answer
cells (by tag, else every code cell), reports that point at cells, and every way a notebook can
be wrong (malformed, no answer, two answers, megabytes of outputs, beside an edited .py)."""
from __future__ import annotations

import csv
import json
import os
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from conftest import REPO

REFERENCE = "def reverse_words(text):\n    return ' '.join(text.split()[::-1])\n"
WRONG = "def reverse_words(text):\n    return text[::-1]\n"  # the characters, not the words
CRASH = "import math\n\n\ndef reverse_words(text):\n    words = text.split()\n    return words[len(words)]\n"


def start_notebook(learn, workspace: Path, course: Path, exercise: str = "reverse-words") -> Path:
    run = learn("start", exercise, "--notebook", "--workspace", str(workspace), "--course", str(course))
    assert run.code == 0, run.stderr
    return workspace / exercise / "words.ipynb"


def answer_cell(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    (cell,) = [c for c in notebook.cells if "answer" in c.metadata.get("tags", [])]
    return cell


def write_answer(path: Path, source: str, extra_cells: tuple = ()) -> nbformat.NotebookNode:
    """What a student does in Jupyter: edit the answer cell, maybe add cells, save."""
    notebook = nbformat.read(path, as_version=4)
    answer_cell(notebook).source = source
    notebook.cells.extend(extra_cells)
    nbformat.write(notebook, path)
    return notebook


def notebook_with(*cells: nbformat.NotebookNode) -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(cells=list(cells))


def tagged(source: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell(source, metadata={"tags": ["answer"]})


def grade_json(learn, workspace: Path, course: Path, exercise: str = "reverse-words", seed: int = 3) -> tuple[int, dict]:
    run = learn("grade", exercise, "--workspace", str(workspace), "--course", str(course), "--format", "json",
                "--seed", str(seed))
    assert run.code in (0, 1), run.stderr
    return run.code, run.json["exercises"][0]


def test_start_notebook_writes_instructions_hints_and_the_stub_in_an_answer_cell(learn, workspace, course):
    path = start_notebook(learn, workspace, course)
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    markdown = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    assert "# Reverse the words of a sentence" in markdown
    assert "`reverse_words(text)` returns the words of `text` in reverse order" in markdown
    assert 'reverse_words("  to be  or ")  # → "or be to"' in markdown  # the public example
    assert "`str.split()` without arguments splits on runs of whitespace." in markdown  # hint 1 of 3
    assert "Hint 3 of 3" in markdown
    stub = (course / "exercises" / "01-strings" / "reverse-words" / "words.py").read_text()
    assert answer_cell(notebook).source == stub
    assert any(c.source == "%load_ext grader\n%learn grade reverse-words" for c in notebook.cells)
    assert notebook.metadata.kernelspec.name == "python3"
    # Untouched: not started, like an untouched .py.
    code, exercise = grade_json(learn, workspace, course)
    assert exercise["status"] == "not_started" and exercise["file"] == "words.ipynb"


def test_start_never_overwrites_a_notebook_and_the_workspace_remembers_the_format(learn, workspace, course):
    path = start_notebook(learn, workspace, course)
    write_answer(path, REFERENCE)
    before = path.read_bytes()
    again = learn("start", "reverse-words", "--workspace", str(workspace), "--course", str(course))
    assert again.code == 0 and "Kept your" in again.stdout and "words.ipynb" in again.stdout
    assert path.read_bytes() == before
    assert not (workspace / "reverse-words" / "words.py").exists()
    # The next exercise starts as a notebook too, without the flag.
    nxt = learn("start", "count-vowels", "--workspace", str(workspace), "--course", str(course))
    assert nxt.code == 0 and (workspace / "count-vowels" / "vowels.ipynb").is_file()
    assert not (workspace / "count-vowels" / "vowels.py").exists()


def test_the_course_can_make_notebooks_the_default(learn, workspace, course):
    index = course / "exercises" / "course.yaml"
    index.write_text(index.read_text() + "student_format: notebook\n")
    run = learn("start", "--workspace", str(workspace), "--course", str(course))
    assert run.code == 0 and (workspace / "reverse-words" / "words.ipynb").is_file()
    index.write_text(index.read_text().replace("student_format: notebook", "student_format: jupyter"))
    bad = learn("list", "--workspace", str(workspace), "--course", str(course))
    assert bad.code == 2 and "course.yaml" in bad.stderr and "student_format" in bad.stderr
    assert "expected one of: python, notebook" in bad.stderr


def test_a_correct_notebook_gets_full_marks_whatever_else_it_holds(learn, workspace, course):
    """Scratch cells, magics, shell lines and outputs around a correct answer cost nothing."""
    path = start_notebook(learn, workspace, course)
    scratch = nbformat.v4.new_code_cell("%timeit reverse_words('a b c')\n!ls\nreverse_words?\n")
    scratch.outputs = [nbformat.v4.new_output("stream", text="1.2 µs ± 3 ns per loop\n")]
    cell_magic = nbformat.v4.new_code_cell("%%bash\necho this is not python\n")
    answer = "import numpy as np\n%matplotlib inline\n\n" + REFERENCE
    write_answer(path, answer, (scratch, cell_magic))
    code, exercise = grade_json(learn, workspace, course)
    assert code == 0 and exercise["status"] == "passed" and exercise["score"] == 10
    assert any("line(s) of IPython syntax" in n for n in exercise["notes"])


def test_a_wrong_answer_is_diagnosed_and_a_crash_points_at_the_cell_and_line(learn, workspace, course):
    path = start_notebook(learn, workspace, course)
    write_answer(path, WRONG)
    code, exercise = grade_json(learn, workspace, course)
    assert code == 1 and exercise["status"] == "failed"
    assert [d["id"] for d in exercise["diagnoses"]] == ["reversed-characters"]
    # A crash on line 6 of the answer cell, which is cell 3 of the notebook (title, example, answer).
    write_answer(path, CRASH)
    code, exercise = grade_json(learn, workspace, course)
    failing = [t for t in exercise["tests"] if t["status"] == "error"]
    assert failing and all('File "words.ipynb, cell 3", line 6, in reverse_words' in t["message"]
                           for t in failing if t["visibility"] == "visible")
    # a hidden test names the cell and line too, without the text the student's code could write
    assert all('File "words.ipynb, cell 3", line 6\n' in t["message"] for t in failing if t["visibility"] == "hidden")
    assert "IndexError: list index out of range" in failing[0]["message"]
    text = learn("grade", "reverse-words", "--workspace", str(workspace), "--course", str(course), "--seed", "3")
    assert 'File "words.ipynb, cell 3", line 6, in reverse_words' in text.stdout
    html = learn("grade", "reverse-words", "--workspace", str(workspace), "--course", str(course), "--seed", "3",
                 "--format", "html").stdout
    assert "<code>words.ipynb, cell 3, line 6, in reverse_words</code>" in html  # "Your code raised ... at"


def test_a_syntax_error_a_forbidden_call_and_a_warning_name_the_cell(learn, workspace, course):
    path = start_notebook(learn, workspace, course)
    helper = tagged("import warnings\n\n\ndef noisy():\n    warnings.warn('careful')\n")
    write_answer(path, "def reverse_words(text):\n    return ' '.join(reversed(text.split()))\n", (helper,))
    code, exercise = grade_json(learn, workspace, course)
    assert exercise["status"] == "error"
    assert exercise["violations"][0]["cell"] == 3 and exercise["violations"][0]["line"] == 2
    text = learn("grade", "reverse-words", "--workspace", str(workspace), "--course", str(course)).stdout
    assert "rule words.ipynb, cell 3, line 2: uses reversed" in text
    # A syntax error in the second answer cell (cell 7: the helper appended after the grade and hint cells).
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[-1].source = "import warnings\n\ndef noisy(:\n    pass\n"
    nbformat.write(notebook, path)
    code, exercise = grade_json(learn, workspace, course)
    assert exercise["status"] == "error"
    assert 'File "words.ipynb, cell 7", line 3' in exercise["error"]
    # The grader's own words name the notebook too: the student has no words.py.
    assert exercise["error"].startswith("words.ipynb could not be imported:\n"), exercise["error"]
    # A warning printed at import names the cell and line too.
    notebook.cells[-1].source = "import warnings\nwarnings.warn('careful')\n"
    notebook.cells[2].source = REFERENCE
    nbformat.write(notebook, path)
    code, exercise = grade_json(learn, workspace, course)
    assert exercise["status"] == "passed"
    assert "words.ipynb, cell 7, line 2: UserWarning: careful" in exercise["output"]
    assert "words.py" not in exercise["output"]


def test_without_a_tagged_cell_every_code_cell_is_graded_with_a_note(learn, workspace, course):
    folder = workspace / "reverse-words"
    folder.mkdir()
    helper = nbformat.v4.new_code_cell("def helper(words):\n    return words[::-1]\n")
    main = nbformat.v4.new_code_cell("def reverse_words(text):\n    return ' '.join(helper(text.split()))\n")
    nbformat.write(notebook_with(nbformat.v4.new_markdown_cell("# mine"), helper, main), folder / "words.ipynb")
    code, exercise = grade_json(learn, workspace, course)
    assert code == 0 and exercise["score"] == 10
    assert any("No cell of words.ipynb is tagged `answer`, so all 2 code cells were graded" in n
               for n in exercise["notes"])
    text = learn("grade", "reverse-words", "--workspace", str(workspace), "--course", str(course)).stdout
    assert "note: No cell of words.ipynb is tagged" in text


@pytest.mark.parametrize("case", ["truncated", "not-json", "invalid-schema", "no-code", "two-answers", "not-utf8",
                                  "minor-version-text", "version-float", "huge-answer", "deep-expression",
                                  "many-cells"])
def test_a_notebook_that_cannot_be_graded_says_why_and_is_left_as_it_was(learn, workspace, course, case):
    folder = workspace / "reverse-words"
    folder.mkdir()
    path = folder / "words.ipynb"
    good = nbformat.writes(notebook_with(tagged(REFERENCE)))
    contents = {
        "truncated": good[: len(good) // 2],
        "not-json": "def reverse_words(text): ...",
        "invalid-schema": good.replace('"cell_type": "code"', '"cell_type": "spreadsheet"'),
        "no-code": nbformat.writes(notebook_with(nbformat.v4.new_markdown_cell("I will do it later"),
                                                 nbformat.v4.new_code_cell("   \n"))),
        "two-answers": nbformat.writes(notebook_with(tagged(WRONG), nbformat.v4.new_markdown_cell("try 2"),
                                                     tagged(REFERENCE))),
        # nbformat asserts on these (a bare AssertionError): once the grader's own crash, exit 3
        "minor-version-text": good.replace('"nbformat_minor": 5', '"nbformat_minor": "x"'),
        "version-float": good.replace('"nbformat": 4', '"nbformat": 4.0'),
        # Found by an attacker's review: the grader parsed the answer in its own process before any cap
        # (5 MB of cell took 2.5 GB), and a too-deep expression raised RecursionError there (exit 3, the
        # student's whole row blank); nbformat validated 300,000 cells for 8 s.
        "huge-answer": nbformat.writes(notebook_with(tagged(REFERENCE + "x = 1\n" * 60_000))),
        "deep-expression": nbformat.writes(notebook_with(tagged(REFERENCE + "x = " + "1 + " * 60_000 + "1\n"))),
        "many-cells": nbformat.writes(notebook_with(tagged(REFERENCE), *[nbformat.v4.new_raw_cell("") for _ in range(2000)])),
    }
    assert contents.get(case, "") != good
    raw = contents[case].encode() if case != "not-utf8" else b"\xff\xfe{" + good.encode("utf-16-le")
    path.write_bytes(raw)
    code, exercise = grade_json(learn, workspace, course)
    assert code == 1 and exercise["status"] == "error" and exercise["score"] == 0
    says = {"truncated": "words.ipynb is not a readable notebook", "not-json": "words.ipynb is not a readable notebook",
            "invalid-schema": "words.ipynb is not a valid notebook: at cells/0",
            "no-code": "has no code to grade: write your answer in a code cell tagged `answer`",
            "two-answers": "cells 1 and 3 of words.ipynb both define reverse_words() and are tagged `answer`",
            "not-utf8": "words.ipynb is not a notebook: it is not UTF-8 text",
            "minor-version-text": 'words.ipynb is not a valid notebook: its nbformat_minor is "x", not a whole number',
            "version-float": "words.ipynb is not a valid notebook: its nbformat is 4.0, not a whole number",
            "huge-answer": "the code graded in words.ipynb is larger than 256 KB",
            "deep-expression": "words.ipynb could not be imported",
            "many-cells": "words.ipynb has 2001 cells; a notebook of more than 2000 is not graded"}[case]
    assert says in exercise["error"]
    assert all(t["status"] == "error" and not t["grader_error"] for t in exercise["tests"])
    assert path.read_bytes() == raw  # nothing lost, nothing "repaired"
    run = learn("grade", "reverse-words", "--workspace", str(workspace), "--course", str(course))
    assert run.code == 1 and "Traceback" not in run.stdout + run.stderr


def test_megabytes_of_outputs_are_ignored_with_a_note_and_a_huge_notebook_is_refused(learn, workspace, course):
    folder = workspace / "reverse-words"
    folder.mkdir()
    plot = nbformat.v4.new_code_cell("import this\n")
    plot.outputs = [nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo" * 300_000})]
    notebook = notebook_with(tagged(REFERENCE), plot)
    nbformat.write(notebook, folder / "words.ipynb")
    code, exercise = grade_json(learn, workspace, course)
    assert code == 0 and exercise["score"] == 10  # the outputs were never looked at, nor run
    assert any("3.1 MB of outputs and attachments" in n for n in exercise["notes"])
    plot.outputs[0].data["image/png"] = "iVBORw0KGgo" * 1_700_000  # ~18 MB
    nbformat.write(notebook, folder / "words.ipynb")
    size = (folder / "words.ipynb").stat().st_size
    code, exercise = grade_json(learn, workspace, course)
    assert exercise["status"] == "error" and "larger than 16 MB" in exercise["error"]
    assert "Clear them" in exercise["error"] and "Your code is kept" in exercise["error"]
    assert (folder / "words.ipynb").stat().st_size == size


def test_a_py_beside_a_notebook_the_edited_one_is_graded_and_two_edited_ones_are_refused(learn, workspace, course):
    path = start_notebook(learn, workspace, course)  # the notebook is the untouched stub
    python = workspace / "reverse-words" / "words.py"
    python.write_text(REFERENCE)
    code, exercise = grade_json(learn, workspace, course)
    assert exercise["file"] == "words.py" and exercise["score"] == 10
    write_answer(path, WRONG)  # both edited: which one did the student mean?
    code, exercise = grade_json(learn, workspace, course)
    assert exercise["status"] == "error" and exercise["score"] == 0
    assert "both words.py and words.ipynb in reverse-words/ hold your work" in exercise["error"]
    assert python.read_text() == REFERENCE and path.is_file()
    shutil.copy(course / "exercises" / "01-strings" / "reverse-words" / "words.py", python)  # the .py back to the stub
    code, exercise = grade_json(learn, workspace, course)
    assert exercise["file"] == "words.ipynb" and [d["id"] for d in exercise["diagnoses"]] == ["reversed-characters"]


def test_start_notebook_refuses_to_put_a_notebook_beside_edited_python(learn, workspace, course):
    run = learn("start", "reverse-words", "--workspace", str(workspace), "--course", str(course))
    python = workspace / "reverse-words" / "words.py"
    python.write_text(REFERENCE)
    refused = learn("start", "reverse-words", "--notebook", "--workspace", str(workspace), "--course", str(course))
    assert refused.code == 2 and "already holds your work" in refused.stderr
    assert not (workspace / "reverse-words" / "words.ipynb").exists() and python.read_text() == REFERENCE
    assert run.code == 0


def test_reset_backs_up_the_notebook_and_writes_a_fresh_one(learn, workspace, course):
    path = start_notebook(learn, workspace, course)
    write_answer(path, WRONG)
    edited = path.read_bytes()
    run = learn("reset", "reverse-words", "--yes", "--workspace", str(workspace), "--course", str(course))
    assert run.code == 0 and "Your file was saved to" in run.stdout
    (backup,) = (workspace / ".learn" / "backups").glob("reverse-words-*-words.ipynb")
    assert backup.read_bytes() == edited
    assert answer_cell(nbformat.read(path, as_version=4)).source.startswith("def reverse_words(text):\n    \"\"\"")
    again = learn("reset", "reverse-words", "--yes", "--workspace", str(workspace), "--course", str(course))
    assert again.code == 0 and len(list((workspace / ".learn" / "backups").glob("*words.ipynb"))) == 2


def test_reset_with_work_in_both_files_backs_up_and_restores_both(learn, workspace, course):
    """Both hold work: resetting only the notebook would hand grading the .py's old work."""
    path = start_notebook(learn, workspace, course)
    write_answer(path, WRONG)
    python = workspace / "reverse-words" / "words.py"
    python.write_text(REFERENCE)
    mine = {path.name: path.read_bytes(), python.name: python.read_bytes()}
    asked = learn("reset", "reverse-words", "--workspace", str(workspace), "--course", str(course), input="n\n")
    assert f"Replace {path} and {python} with the original stub?" in asked.stdout
    assert path.read_bytes() == mine[path.name] and python.read_text() == REFERENCE  # "n" changes nothing
    run = learn("reset", "reverse-words", "--yes", "--workspace", str(workspace), "--course", str(course))
    assert run.code == 0 and "Restored the stub of reverse-words in words.ipynb and words.py." in run.stdout
    backups = sorted((workspace / ".learn" / "backups").iterdir())
    assert "Your files were saved to" in run.stdout and all(str(b) in run.stdout for b in backups)
    assert {b.name.rsplit("-", 1)[1]: b.read_bytes() for b in backups} == mine
    stub = course / "exercises" / "01-strings" / "reverse-words" / "words.py"
    assert python.read_bytes() == stub.read_bytes()
    code, exercise = grade_json(learn, workspace, course)  # a fresh start: nothing of the old work is graded
    assert exercise["status"] == "not_started" and exercise["score"] == 0


def test_grade_all_grades_notebooks_and_resume_notices_a_new_save(learn, tmp_path, course):
    submissions = tmp_path / "submissions"
    for student, source in (("ada", REFERENCE), ("bob", WRONG)):
        folder = submissions / student / "reverse-words"
        folder.mkdir(parents=True)
        nbformat.write(notebook_with(nbformat.v4.new_markdown_cell("mine"), tagged(source)), folder / "words.ipynb")
    (submissions / "cy" / "count-vowels").mkdir(parents=True)
    (submissions / "cy" / "count-vowels" / "vowels.ipynb").write_text("{not a notebook")
    out = tmp_path / "results"
    run = learn("grade-all", str(submissions), "--out", str(out), "--course", str(course), "--jobs", "2")
    assert run.code in (0, 1), run.stderr
    rows = {r["student"]: r for r in csv.DictReader((out / "gradebook.csv").read_text().splitlines())}
    assert float(rows["ada"]["reverse-words"]) == 10 and float(rows["bob"]["reverse-words"]) < 10
    assert float(rows["cy"]["total"]) == 0
    cy = json.loads((out / "cy" / "results.json").read_text())
    assert "vowels.ipynb is not a readable notebook" in cy["exercises"][1]["error"]
    # bob saves a corrected notebook: --resume grades him again, and only him.
    nbformat.write(notebook_with(tagged(REFERENCE)), submissions / "bob" / "reverse-words" / "words.ipynb")
    again = learn("grade-all", str(submissions), "--out", str(out), "--course", str(course), "--resume")
    assert again.code in (0, 1), again.stderr
    rows = {r["student"]: r for r in csv.DictReader((out / "gradebook.csv").read_text().splitlines())}
    assert float(rows["bob"]["reverse-words"]) == 10
    assert "Graded 1 student(s), reused 2" in again.stdout


def test_a_student_bundle_checks_a_notebooks_answer(learn, tmp_path, workspace, course):
    bundle = tmp_path / "bundle"
    assert learn("release", "--out", str(bundle), "--course", str(course)).code == 0
    path = start_notebook(learn, workspace, bundle)
    write_answer(path, "def reverse_words(sentence, sep=' '):\n    return sentence\n")
    run = learn("grade", "reverse-words", "--workspace", str(workspace), "--course", str(bundle), "--format", "json")
    exercise = run.json["exercises"][0]
    assert run.json["partial"] is True and exercise["file"] == "words.ipynb"
    signatures = next(t for t in exercise["tests"] if t["name"] == "signatures")
    assert signatures["status"] == "failed"
    assert "reverse_words(sentence, sep=…) should be reverse_words(text)" in signatures["message"]


def test_release_finds_a_reference_pasted_into_a_shipped_notebook(learn, tmp_path, course):
    """A notebook's JSON escapes its code (quotes, newlines): the leak check reads its cells."""
    reference = (course / "solutions" / "reverse-words" / "words.py").read_text()
    shipped = course / "exercises" / "01-strings" / "reverse-words" / "worked-example.ipynb"
    nbformat.write(notebook_with(nbformat.v4.new_code_cell("# spoiler\n" + reference.replace("\n", "\n\n"))), shipped)
    run = learn("release", "--out", str(tmp_path / "bundle"), "--course", str(course))
    assert run.code == 1
    assert "exercises/01-strings/reverse-words/worked-example.ipynb: contains" in run.stderr
    assert "from solutions/reverse-words/words.py" in run.stderr


def _without_nbformat(tmp_path: Path, *path: Path) -> dict[str, str]:
    """The environment of a learn whose Python finds no nbformat (and PATH first on its path)."""
    blocker = tmp_path / "no-nbformat"
    blocker.mkdir(exist_ok=True)
    (blocker / "nbformat.py").write_text("raise ImportError('nbformat is not installed here')\n")
    return {"PYTHONPATH": os.pathsep.join(str(p) for p in (blocker, *path))}


def test_without_notebook_support_a_notebook_workspace_gets_one_line(learn, tmp_path, workspace, course):
    """The line says how to install the extra into this learn: it runs from this checkout, so from
    its folder (`learn-grader[jupyter]` is on no index: pip answered "No matching distribution")."""
    env = _without_nbformat(tmp_path, REPO)
    folder = workspace / "reverse-words"
    folder.mkdir()
    nbformat.write(notebook_with(tagged(REFERENCE)), folder / "words.ipynb")
    run = learn("grade", "reverse-words", "--workspace", str(workspace), "--course", str(course), env=env)
    assert run.code == 2
    assert run.stderr.strip() == f"Error: notebook support is not installed: pip install '{REPO}[jupyter]'"
    start = learn("start", "count-vowels", "--notebook", "--workspace", str(workspace), "--course", str(course), env=env)
    assert start.code == 2 and f"pip install '{REPO}[jupyter]'" in start.stderr
    assert not (workspace / "count-vowels" / "vowels.ipynb").exists()
    # A .py workspace does not need it.
    (workspace / "reverse-words" / "words.ipynb").unlink()
    (folder / "words.py").write_text(REFERENCE)
    assert learn("grade", "reverse-words", "--workspace", str(workspace), "--course", str(course), env=env).code == 0


@pytest.mark.parametrize("direct_url, hint", [
    (None, "pip install 'learn-grader[jupyter]'"),
    ({"url": "https://example.org/learn.git", "vcs_info": {"vcs": "git", "commit_id": "0a1b2c"}},
     "pip install 'learn-grader[jupyter] @ git+https://example.org/learn.git@0a1b2c'"),
    ({"url": "file:///no/such/checkout", "dir_info": {"editable": True}},
     "pip install '.[jupyter]' in the folder learn was installed from, or pip install 'learn-grader[jupyter]'"),
], ids=["from an index", "from git", "from a folder since removed"])
def test_the_notebook_hint_follows_how_learn_was_installed(learn, tmp_path, workspace, course, direct_url, hint):
    """An installed copy of learn (its distribution's direct_url.json, PEP 610, says where from)."""
    site = tmp_path / "site"
    shutil.copytree(REPO / "grader", site / "grader", ignore=shutil.ignore_patterns("__pycache__"))
    record = site / "learn_grader-0.1.0.dist-info"
    record.mkdir()
    (record / "METADATA").write_text("Metadata-Version: 2.1\nName: learn-grader\nVersion: 0.1.0\n")
    if direct_url is not None:
        (record / "direct_url.json").write_text(json.dumps(direct_url))
    start = learn("start", "count-vowels", "--notebook", "--workspace", str(workspace), "--course", str(course),
                  env=_without_nbformat(tmp_path, site), cwd=tmp_path)
    assert start.code == 2 and start.stderr.strip() == f"Error: notebook support is not installed: {hint}"


def test_grade_all_without_notebook_support_names_the_cause_and_the_install_once(learn, tmp_path, course):
    """The grading machine lacks nbformat: not the students' fault (exit 3, their rows blank), and
    stderr says what to install, once, then how to grade them (--resume)."""
    blocker = tmp_path / "no-nbformat"
    blocker.mkdir()
    (blocker / "nbformat.py").write_text("raise ImportError('nbformat is not installed here')\n")
    env = {"PYTHONPATH": os.pathsep.join([str(blocker), str(REPO)])}
    submissions = tmp_path / "submissions"
    for student in ("ada", "cy"):
        (submissions / student / "reverse-words").mkdir(parents=True)
        nbformat.write(notebook_with(tagged(REFERENCE)), submissions / student / "reverse-words" / "words.ipynb")
    (submissions / "bob" / "reverse-words").mkdir(parents=True)
    (submissions / "bob" / "reverse-words" / "words.py").write_text(REFERENCE)
    out = tmp_path / "results"
    run = learn("grade-all", str(submissions), "--out", str(out), "--course", str(course), "--jobs", "1", env=env)
    assert run.code == 3, run.stderr
    assert len(re.findall(r"pip install '[^']*\[jupyter\]", run.stderr)) == 1, run.stderr  # how depends on the install
    assert ("notebook support is not installed on this machine, so the notebooks of 2 student(s) were not graded"
            in run.stderr)
    assert "rerun with --resume to retry them" not in run.stderr  # retrying without installing cannot help
    rows = {r["student"]: r for r in csv.DictReader((out / "gradebook.csv").read_text().splitlines())}
    assert rows["bob"]["status"] == "graded" and float(rows["bob"]["reverse-words"]) == 10
    assert rows["ada"]["status"] == rows["cy"]["status"] == "grader_error"
    assert "notebook support is not installed" in rows["ada"]["reason"]
    # Installed (here: the blocker gone), --resume grades exactly them.
    again = learn("grade-all", str(submissions), "--out", str(out), "--course", str(course), "--resume")
    assert again.code == 0, again.stderr
    assert "Graded 2 student(s), reused 1" in again.stdout


def test_watch_regrades_a_notebook_on_save_and_opens_the_next_one_as_a_notebook(learn, workspace, course):
    from test_watch import Watch
    path = start_notebook(learn, workspace, course)
    watch = Watch("reverse-words", "--workspace", str(workspace), "--course", str(course), cwd=workspace)
    try:
        at = watch.wait_for("Watching reverse-words/words.ipynb")
        write_answer(path, CRASH)
        at = watch.wait_for("IndexError: list index out of range", after=at)
        assert 'File "words.ipynb, cell 3", line 6, in reverse_words' in watch.output
        write_answer(path, REFERENCE)
        at = watch.wait_for("reverse-words passed. Next: count-vowels", after=at)
        watch.wait_for("Watching count-vowels/vowels.ipynb", after=at)
        assert (workspace / "count-vowels" / "vowels.ipynb").is_file()
    finally:
        assert watch.close() == 0


def test_watch_hears_a_save_to_the_other_file_of_the_exercise(learn, workspace, course):
    """Watching the notebook, a save to the .py beside it changes what is graded: both now hold
    work, and the student is told to keep one (it was never heard: only the notebook was watched)."""
    from test_watch import Watch
    path = start_notebook(learn, workspace, course)
    write_answer(path, WRONG)
    watch = Watch("reverse-words", "--workspace", str(workspace), "--course", str(course), cwd=workspace)
    try:
        at = watch.wait_for("Watching reverse-words/words.ipynb")
        (workspace / "reverse-words" / "words.py").write_text(REFERENCE)
        watch.wait_for("both words.py and words.ipynb in reverse-words/ hold your work", after=at)
    finally:
        assert watch.close() == 0


def test_notebook_submissions_are_compared_for_copying_by_their_answer(learn, tmp_path, course):
    """A copy handed in as a notebook was never compared: similarity read only <id>/words.py, and
    did not even list the notebook as not compared (found by an attacker's review). The answer's
    code is compared as a .py is; a notebook that cannot be read is listed, with why."""
    copied = ("def reverse_words(text):\n    pieces = text.replace('\\t', ' ').split(' ')\n"
              "    kept = [p for p in pieces if p]\n    n = len(kept)\n    out = [None] * n\n"
              "    for i in range(n):\n        out[n - 1 - i] = kept[i].strip()\n"
              "    joined = ''\n    for i, w in enumerate(out):\n        joined += (' ' if i else '') + w\n"
              "    return joined\n")
    subs = tmp_path / "subs"
    for student, source in (("py-copy", copied), ("honest", REFERENCE), ("other", WRONG)):
        (subs / student / "reverse-words").mkdir(parents=True)
        (subs / student / "reverse-words" / "words.py").write_text(source)
    for student in ("nb-copy", "nb-copy-2"):
        (subs / student / "reverse-words").mkdir(parents=True)
        nbformat.write(notebook_with(nbformat.v4.new_markdown_cell("# mine"), tagged(copied.replace("kept", "good"))),
                       subs / student / "reverse-words" / "words.ipynb")
    (subs / "broken" / "reverse-words").mkdir(parents=True)
    (subs / "broken" / "reverse-words" / "words.ipynb").write_text("{not json")
    run = learn("similarity", str(subs), "--out", str(tmp_path / "out"), "--course", str(course))
    assert run.code == 0, run.stderr
    data = json.loads((tmp_path / "out" / "pairs.json").read_text())
    flagged = {frozenset((p["a"], p["b"])) for p in data["pairs"] if p["flagged"]}
    assert flagged == {frozenset(pair) for pair in (("py-copy", "nb-copy"), ("py-copy", "nb-copy-2"),
                                                    ("nb-copy", "nb-copy-2"))}, flagged
    (exercise,) = [e for e in data["exercises"] if e["id"] == "reverse-words"]
    assert exercise["submissions"] == 5
    index = (tmp_path / "out" / "index.html").read_text()
    assert "broken" in index and "a notebook that cannot be read, not compared" in index
