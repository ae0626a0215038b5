"""The README's notebook steps, end to end in a real Jupyter kernel (nbclient + ipykernel):
learn start --notebook, the student edits the answer cell and saves, the notebook runs top to
bottom (%load_ext grader, %learn grade), the report appears inline, and the same notebook
graded by learn grade-all, with the same seed, gets the same score. One kernel start (~2 s)."""
from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

pytestmark = pytest.mark.slow

# The student forgot to subtract the maximum: large logits overflow (a named mistake).
OVERFLOWING = '''import numpy as np


def softmax(x, axis=-1):
    e = np.exp(x)
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(x, axis=-1):
    return np.log(softmax(x, axis))
'''
# A try in a scratch cell: scores divided by d_k instead of its square root (a picture shows it).
SCORES = '''%%learn grade attention-scores --seed 0
import numpy as np


def attention_scores(Q, K, scale=True):
    return Q @ np.swapaxes(K, -1, -2) / (Q.shape[-1] if scale else 1)
'''
# A hostile kernel: if grading ran in here, these would pass every test.
PATCHED = '''import numpy as np
import numpy.testing
np.allclose = lambda *a, **k: True
numpy.testing.assert_allclose = lambda *a, **k: None
np.isnan = lambda x: np.zeros(np.shape(x), dtype=bool)
'''


def _run(notebook: nbformat.NotebookNode, folder: Path) -> nbformat.NotebookNode:
    client = NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(folder)}})
    return client.execute()


def _outputs(cell: nbformat.NotebookNode) -> tuple[str, dict]:
    streams = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
    shown = [o.data for o in cell.outputs if o.output_type == "display_data"]
    return streams, (shown[0] if shown else {})


def _report_page(data: dict) -> str:
    frame = data["text/html"]
    assert frame.startswith('<iframe title="learn report" sandbox srcdoc="')  # sandboxed: no script, no CSS leak
    return html.unescape(re.search(r'srcdoc="([^"]*)"', frame)[1])


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_readme_steps_in_a_real_kernel_then_grade_all_gives_the_same_score(learn, tmp_path):
    workspace = tmp_path / "linalg"
    started = learn("start", "softmax", "--notebook", "--workspace", str(workspace))
    assert started.code == 0, started.stderr
    path = workspace / "softmax" / "softmax.ipynb"
    notebook = nbformat.read(path, as_version=4)
    # The student edits the answer cell and asks for a reproducible run; Jupyter saves.
    (answer,) = [c for c in notebook.cells if "answer" in c.metadata.get("tags", [])]
    answer.source = OVERFLOWING
    grade_at = next(i for i, c in enumerate(notebook.cells) if c.source.startswith("%load_ext grader"))
    notebook.cells[grade_at].source = "%load_ext grader\n%learn grade softmax --seed 0"
    notebook.cells.insert(grade_at, nbformat.v4.new_code_cell(PATCHED))
    notebook.cells += [nbformat.v4.new_code_cell(SCORES), nbformat.v4.new_code_cell("%learn hint softmax"),
                       nbformat.v4.new_code_cell("%learn list")]
    nbformat.write(notebook, path)

    ran = _run(nbformat.read(path, as_version=4), path.parent)
    cells = ran.cells
    said, shown = _outputs(cells[grade_at + 1])
    assert "Graded softmax/softmax.ipynb as saved on disk" in said and "save the notebook first" in said
    score = re.search(r"Score: (\S+)/10   seed 0", shown["text/plain"])[1]
    assert 0 < float(score) < 10  # the overflow tests fail, the others pass
    page = _report_page(shown)
    assert "Softmax and log-softmax" in page and "exp on the raw logits" in page  # the diagnosis, inline
    # The cell magic graded the cell's code, said so, and the report has its picture.
    said, shown = _outputs(cells[-3])
    assert "Graded the code of this cell as attention-scores/scores.py" in said
    assert "<svg" in _report_page(shown) and "query i (rows) against key j" in _report_page(shown)
    said, shown = _outputs(cells[-2])
    assert "Hint 1/" in shown["text/markdown"] and "softmax" in shown["text/markdown"]
    said, _ = _outputs(cells[-1])
    assert "softmax" in said and "in progress" in said and f"{float(score):g}/10" in said

    # CI: the same notebook, one student of a class, graded with the class seed (0 without a secret).
    submissions = tmp_path / "submissions"
    shutil.copytree(workspace, submissions / "ada", ignore=shutil.ignore_patterns(".learn"))
    out = tmp_path / "results"
    graded = learn("grade-all", str(submissions), "--out", str(out))
    assert graded.code in (0, 1), graded.stderr
    results = json.loads((out / "ada" / "results.json").read_text())
    softmax = next(e for e in results["exercises"] if e["id"] == "softmax")
    assert results["seed"] == 0 and softmax["file"] == "softmax.ipynb"
    assert softmax["score"] == float(score)


# Scratch cells as the student sees them: line 1 is the %%learn line, so the missing colon is on
# line 5 of the cell and the unknown name on line 6 (one less, counted from the code below it).
NO_COLON = '''%%learn grade attention-scores --seed 0
import numpy as np


def attention_scores(Q, K, scale=True)
    return Q
'''
UNKNOWN_NAME = '''%%learn grade attention-scores --seed 0
import numpy as np


def attention_scores(Q, K, scale=True):
    return Q @ np.swapaxes(K, -1, -2) / d_k
'''


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_cell_grades_count_the_cells_lines_reproduce_truthfully_and_outside_an_exercise_say_which(learn, tmp_path):
    workspace = tmp_path / "linalg"
    started = learn("start", "attention-scores", "--notebook", "--workspace", str(workspace))
    assert started.code == 0, started.stderr
    notes = tmp_path / "notes"
    notes.mkdir()
    sources = ["%load_ext grader", "%learn grade", "%learn hint", "%%learn grade\nx = 1", NO_COLON, UNKNOWN_NAME,
               f"import os\nos.chdir({str(notes)!r})", "%learn grade", "%learn list"]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    cells = _run(notebook, workspace).cells  # a kernel in the workspace itself, then in an unrelated folder

    # Not in an exercise's folder: one line that names the ones there are, never a guess from the folder's name.
    for at, usage in ((1, "%learn grade"), (2, "%learn hint"), (3, "%%learn grade")):
        said, shown = _outputs(cells[at])
        assert said == ("This kernel runs in the workspace itself: name the exercise, "
                        f"{usage} EXERCISE (exercise folders here: attention-scores).\n") and not shown
    said, _ = _outputs(cells[7])
    assert said == ("This kernel runs in notes/, not an exercise's folder: name the exercise, "
                    "%learn grade EXERCISE (%learn list shows the exercises).\n")
    # %learn list there says it is no workspace, as learn list does, rather than list the folder above.
    said, _ = _outputs(cells[8])
    assert f"(No workspace here: neither {notes} nor a folder above it has a .learn folder." in said
    assert "0/18 exercises passed" in said  # and what the default course holds

    # Line numbers are the cell's as displayed, the %%learn line being line 1.
    said, shown = _outputs(cells[4])
    assert "line numbers are the cell's" in said
    assert 'File "scores.py", line 5' in shown["text/plain"] and "SyntaxError" in shown["text/plain"]
    said, shown = _outputs(cells[5])
    assert 'File "scores.py", line 6, in attention_scores' in shown["text/plain"]
    # learn grade reads the saved notebook, not the cell: the reproduce line says so, in both reports.
    how = "put the cell's code (below %%learn) in attention-scores/scores.ipynb in place of your answer, save, then"
    assert f"Reproduce this run: {how}: learn grade attention-scores --seed 0\n" in shown["text/plain"]
    assert (f"This grade is of a %%learn cell. Reproduce it: {how} run "
            "<code>learn grade attention-scores --seed 0</code>") in html.unescape(_report_page(shown))
