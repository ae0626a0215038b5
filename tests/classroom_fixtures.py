"""A small course and a mixed class of real student files, for the class-scale tests."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXERCISES = {"dot-product": ("01-projection", "similarity.py"), "softmax": ("01-projection", "softmax.py")}
HOSTILE = '=HYPERLINK("evil";"win"), said "me"'  # a legal folder name, hostile to spreadsheets


def make_course(root: Path) -> Path:
    """A two-exercise copy of the built-in course, so these tests do not move with the others."""
    for exercise_id, (module, _file) in EXERCISES.items():
        shutil.copytree(REPO / "exercises" / module / exercise_id, root / "exercises" / module / exercise_id)
        shutil.copytree(REPO / "solutions" / exercise_id, root / "solutions" / exercise_id,
                        ignore=shutil.ignore_patterns("__pycache__"))
    # A short time limit keeps the hanging student from dominating the suite's run time.
    yaml_path = root / "exercises" / "01-projection" / "softmax" / "exercise.yaml"
    yaml_path.write_text(re.sub(r"(?m)^time_limit:.*$", "time_limit: 0.5", yaml_path.read_text()))
    return root


def _reference(course: Path, exercise_id: str) -> str:
    return (course / "solutions" / exercise_id / EXERCISES[exercise_id][1]).read_text()


def _stub(course: Path, exercise_id: str) -> str:
    module, file = EXERCISES[exercise_id]
    return (course / "exercises" / module / exercise_id / file).read_text()


def put(submissions: Path, student: str, exercise_id: str, source: str) -> None:
    target = submissions / student / exercise_id / EXERCISES[exercise_id][1]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(source)


def make_class(course: Path, submissions: Path) -> dict[str, str]:
    """Correct, partial, untouched, buggy, crashing, hanging and hostile students, a stray file
    and an empty folder (a student who handed in nothing). Returns what each student is (ghost aside)."""
    dot, soft = _reference(course, "dot-product"), _reference(course, "softmax")
    put(submissions, "alice", "dot-product", dot)
    put(submissions, "alice", "softmax", soft)
    # Partial: no length check, the catalogued mistake dot-no-length-check.
    put(submissions, "bob", "dot-product", dot.replace("if q.ndim != 1 or q.shape != k.shape:", "if False:"))
    # Known mistake: softmax without subtracting the maximum; dot-product left as the stub.
    put(submissions, "carol", "softmax", soft.replace("shift = np.where(np.isfinite(shift), shift, 0)",
                                                      "shift = np.zeros_like(shift)"))
    put(submissions, "carol", "dot-product", _stub(course, "dot-product"))
    put(submissions, "dave", "dot-product", dot.replace("    return np.sum(q * k)", "    return 1 / 0"))
    put(submissions, "erin", "dot-product", "import os\nos._exit(3)\n" + dot)
    put(submissions, "frank", "softmax", soft.replace('    """Logarithm of', "    while True:\n        pass\n    \"\"\"Logarithm of"))
    put(submissions, HOSTILE, "dot-product", dot)
    (submissions / "notes.txt").write_text("not a student")
    (submissions / "ghost").mkdir()
    return {"alice": "correct", "bob": "partial", "carol": "mistake", "dave": "buggy", "erin": "crashing",
            "frank": "hanging", HOSTILE: "hostile name"}
