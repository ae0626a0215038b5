"""What `learn grade-all` tells the instructor about a class: the summary's sections and its
progress lines, through the real CLI on a tiny class of the example course."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import EXAMPLE_COURSE

pytestmark = pytest.mark.slow

SECRET = {"LEARN_TEST_SECRET": "s3cret"}
FORBIDDEN = 'def reverse_words(text):\n    return " ".join(reversed(text.split()))\n'  # right, but reversed is forbidden
RAISES = 'def reverse_words(text):\n    raise ValueError("not yet")\n'
WRONG = "def reverse_words(text):\n    return text\n"


def hand_in(submissions: Path, student: str, source: str) -> None:
    folder = submissions / student / "reverse-words"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "words.py").write_text(source)


def grade_all(learn, submissions: Path, out: Path, *extra: str):
    run = learn("grade-all", str(submissions), "--out", str(out), "--course", str(EXAMPLE_COURSE), "--jobs", "1",
                "--seed-secret", "LEARN_TEST_SECRET", *extra, env=SECRET)
    assert run.code == 0, run.stderr + run.stdout
    return run


def section(page: str, heading: str) -> str:
    """The text of PAGE from HEADING to the next heading (Markdown ### or HTML <h2>)."""
    assert heading in page, page
    return re.split(r"\n### |<h2>", page.split(heading, 1)[1], maxsplit=1)[0]


def test_a_forbidden_call_is_a_broken_rule_not_a_crash_in_the_summary(learn, tmp_path):
    """A student who scored 0 for a forbidden call was listed under "Code that crashed or timed
    out", as "error: forbidden calls: ..." (a new user's review). The rule has its own section that
    names the call; the student whose code raised is still under the crashes, alone."""
    submissions, out = tmp_path / "submissions", tmp_path / "results"
    hand_in(submissions, "rule-breaker", FORBIDDEN)
    hand_in(submissions, "crasher", RAISES)
    grade_all(learn, submissions, out)
    md, html = (out / "summary.md").read_text(), (out / "summary.html").read_text()
    for page, crashes, rules in ((md, "### Code that crashed or timed out", "### Broke an exercise's rule"),
                                 (html, "<h2>Code that crashed or timed out</h2>", "<h2>Broke an exercise's rule</h2>")):
        crashed = section(page, crashes)
        assert "crasher" in crashed and "ValueError" in crashed, crashed
        assert "rule-breaker" not in crashed and "forbidden" not in crashed, crashed
        broke = section(page, rules)
        assert "rule-breaker" in broke and "uses reversed, which this exercise forbids (line 2)" in broke, broke
        assert "crasher" not in broke, broke
    gradebook = (out / "gradebook.csv").read_text()
    assert "reverse-words: uses reversed, which this exercise forbids (line 2)" in gradebook, gradebook


def test_resume_counts_its_progress_over_the_students_it_grades(learn, tmp_path):
    """`learn grade-all --resume` with one student left to grade printed `[3/3] bob: ...`, counted
    over the whole class (a new user's review): the progress counts what this run grades."""
    submissions, out = tmp_path / "submissions", tmp_path / "results"
    for student in ("ada", "bob", "cy"):
        hand_in(submissions, student, WRONG)
    first = grade_all(learn, submissions, out)
    assert [line.split("]")[0] for line in first.stdout.splitlines() if line.startswith("[")] == \
        ["[1/3", "[2/3", "[3/3"], first.stdout
    hand_in(submissions, "bob", RAISES)
    again = grade_all(learn, submissions, out, "--resume")
    progress = [line for line in again.stdout.splitlines() if line.startswith("[")]
    assert len(progress) == 1 and progress[0].startswith("[1/1] bob: 0/20"), again.stdout
    assert "Graded 1 student(s), reused 2 in " in again.stdout
