"""Every attack of the red team again, as a notebook: the attack's source in the cell tagged
``answer`` of ``dot-product/similarity.ipynb``, wrapped in a notebook whose outputs, metadata and
attachments are hostile too (script and SVG payloads, forged scores and tags, terminal escapes,
an untagged cell that would exit). Each twin must end exactly as its ``.py`` attack does
(``test_attacks.EXPECTED``, judged by the same ``_attack``), and nothing of the notebook's data
may reach anything the grader prints: outputs, metadata and attachments are never read, run or
rendered.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import test_attacks
from redteam_harness import ATTACKS, EXERCISE, INSTRUCTOR_MARKERS, REPO, SECRET, Graded, expected_layer
from redteam_harness import course, runner, secret_env  # noqa: F401  (fixtures)
from test_attacks import EXPECTED, PROCESS_LAYER, _attack, baseline  # noqa: F401  (baseline: a fixture)

CANARY = "NOTEBOOK-DATA-CANARY-5d1e"
NOTEBOOK = "similarity.ipynb"


def hostile_notebook(source: str) -> nbformat.NotebookNode:
    """SOURCE as the answer, in a notebook whose every other part is an attack on whoever renders it."""
    script = f"<script>document.title='{CANARY}'</script><img src=x onerror=\"alert('{CANARY}')\">"
    svg = f"<svg xmlns='http://www.w3.org/2000/svg' onload=\"alert('{CANARY}')\"><text>{CANARY}</text></svg>"
    answer = nbformat.v4.new_code_cell(source, metadata={
        "tags": ["answer"], "learn": {"points": 10, "status": "passed"}, "jupyter": {"source_hidden": True}})
    answer.outputs = [
        nbformat.v4.new_output("display_data", data={"text/html": script, "image/svg+xml": svg,
                                                      "application/javascript": f"fetch('//{CANARY}')"}),
        nbformat.v4.new_output("execute_result", data={"text/plain": f"Score: 10/10 {CANARY}"}, execution_count=1),
        nbformat.v4.new_output("stream", text=f"\x1b]0;{CANARY}\x07\x1b[2J all tests passed\n"),
        nbformat.v4.new_output("error", ename="SystemExit", evalue=CANARY, traceback=[f"\x1b[31m{CANARY}"]),
    ]
    notes = nbformat.v4.new_markdown_cell(f"![x](attachment:evil.svg)\n\n{script}", attachments={
        "evil.svg": {"image/svg+xml": svg}, "canary.txt": {"text/plain": CANARY}})
    untagged = nbformat.v4.new_code_cell(f"raise SystemExit('{CANARY}: an untagged cell ran')\n")
    notebook = nbformat.v4.new_notebook(cells=[notes, answer, untagged], metadata={
        "kernelspec": {"name": "python3", "display_name": script, "language": "python"},
        "learn": {"exercise": EXERCISE, "score": 10, "max_score": 10, "status": "passed"},
        "widgets": {"application/vnd.jupyter.widget-state+json": {"state": {"x": CANARY}}}})
    nbformat.validate(notebook)
    return notebook


def notebook_workspace(root: Path, attack: str, port: int = 0) -> Path:
    """The notebook twin of redteam_harness.make_workspace."""
    workspace = root / "workspace"
    target = workspace / EXERCISE / NOTEBOOK
    target.parent.mkdir(parents=True)
    source = (ATTACKS / f"{attack}.py").read_text().replace("PORT = 0", f"PORT = {port}")
    nbformat.write(hostile_notebook(source), target)
    return workspace


@pytest.fixture
def as_notebooks(monkeypatch: pytest.MonkeyPatch, baseline: float) -> float:  # noqa: F811
    """Grade every attack as its notebook twin (the .py baseline is computed first, unpatched)."""
    monkeypatch.setattr(test_attacks, "make_workspace", notebook_workspace)
    return baseline


def _held_the_same_way(graded: Graded) -> None:
    assert graded.exercise["file"] == NOTEBOOK
    assert CANARY not in graded.text  # nothing of the outputs, metadata or attachments, anywhere printed
    from grader import reports
    from grader.notebook.service import result_from_json
    for fmt in ("html", "markdown", "terminal", "junit"):
        shown = reports.render(result_from_json(graded.result), fmt)
        assert CANARY not in shown
        if fmt in ("html", "junit"):  # markup there; the student's own printed text, if it holds a
            assert "<script" not in shown  # tag, is escaped (Markdown fences it, a terminal shows it: both data)


QUICK = sorted(n for n, e in EXPECTED.items() if not e.slow)
SLOW = sorted(n for n, e in EXPECTED.items() if e.slow)


@pytest.mark.parametrize("name", QUICK)
def test_notebook_twin(name: str, runner, course, tmp_path: Path, as_notebooks: float,  # noqa: F811
                       secret_env: None) -> None:  # noqa: F811
    graded = _attack(runner, course, tmp_path, name, as_notebooks)
    assert graded.result["sandbox"] == expected_layer()
    _held_the_same_way(graded)


@pytest.mark.parametrize("name", [n for n in PROCESS_LAYER if not EXPECTED[n].slow])
def test_notebook_twin_on_the_process_layer(name: str, runner, course, tmp_path: Path, as_notebooks: float,  # noqa: F811
                                            secret_env: None, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    monkeypatch.setenv("LEARN_SANDBOX", "process")
    graded = _attack(runner, course, tmp_path, name, as_notebooks)
    assert graded.result["sandbox"] == "process"
    _held_the_same_way(graded)


@pytest.mark.slow
def test_the_slow_twins_graded_as_a_class(course, tmp_path: Path, baseline: float) -> None:  # noqa: F811
    """The twins that spend their time limits (loops, sleeps, memory): graded by `learn grade-all
    --jobs 2`, two at a time, each held exactly as its .py attack is (status, message, points),
    and no notebook data in anything the class run wrote."""
    submissions, out = tmp_path / "submissions", tmp_path / "results"
    for name in SLOW:
        notebook_workspace(submissions / "x", name).rename(submissions / name)
    (submissions / "x").rmdir()
    env = {**os.environ, "LEARN_TEST_SECRET": SECRET, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-m", "grader", "grade-all", str(submissions), "--out", str(out),
                           "--jobs", "2", "--course", str(course), "--seed-secret", "LEARN_TEST_SECRET"],
                          capture_output=True, text=True, env=env, timeout=300, cwd=tmp_path)
    assert done.returncode in (0, 1), done.stderr
    for name in SLOW:
        expect = EXPECTED[name]
        result = json.loads((out / name / "results.json").read_text())
        exercise = next(e for e in result["exercises"] if e["id"] == EXERCISE)
        messages = "\n".join([exercise["error"], exercise["output"]]
                             + [t["message"] + t["output"] for t in exercise["tests"]])
        assert exercise["file"] == NOTEBOOK
        assert exercise["status"] in (expect.status if isinstance(expect.status, tuple) else (expect.status,)), name
        assert expect.says in messages, name
        assert not any(t["grader_error"] for t in exercise["tests"])
        assert exercise["score"] <= baseline and (exercise["score"] == 0 or not expect.zero), name
    written = b"".join(p.read_bytes() for p in out.rglob("*") if p.is_file())
    for secret in (CANARY, SECRET, *INSTRUCTOR_MARKERS):
        assert secret.encode() not in written and secret not in done.stdout + done.stderr


def test_every_attack_has_a_twin() -> None:
    """The twins are built from the attack files themselves: a new attack gets its twin for free."""
    names = {p.stem for p in ATTACKS.glob("*.py")} - {"honest_wrong"}
    assert names == set(EXPECTED)
    for name in names:
        source = (ATTACKS / f"{name}.py").read_text()
        (cell,) = [c for c in hostile_notebook(source).cells if "answer" in c.metadata.get("tags", [])]
        assert cell.source == source
