"""The student's workspace commands: start, list, show, hint, reset."""
from __future__ import annotations

import json

from conftest import EXAMPLE_COURSE

COURSE = ["--course", str(EXAMPLE_COURSE)]


def test_start_copies_the_stub_and_records_the_course(learn, workspace):
    run = learn("start", "reverse-words", "--workspace", str(workspace), *COURSE)
    assert run.code == 0, run.stderr
    stub = (EXAMPLE_COURSE / "exercises/01-strings/reverse-words/words.py").read_text()
    assert (workspace / "reverse-words" / "words.py").read_text() == stub
    assert "Reverse the words" in run.stdout
    state = json.loads((workspace / ".learn" / "state.json").read_text())
    assert state["_"].startswith("DON'T EDIT THIS FILE!")
    assert state["course"] == str(EXAMPLE_COURSE)
    # The workspace remembers its course: no --course needed any more.
    assert learn("show", "count-vowels", "--workspace", str(workspace)).code == 0


def test_start_never_overwrites_a_students_edits(learn, workspace):
    learn("start", "reverse-words", "--workspace", str(workspace), *COURSE)
    edited = workspace / "reverse-words" / "words.py"
    edited.write_text("# my work\n")
    run = learn("start", "reverse-words", "--workspace", str(workspace), *COURSE)
    assert run.code == 0 and "not overwritten" in run.stdout
    assert edited.read_text() == "# my work\n"


def test_start_without_an_exercise_opens_the_first_not_passed(learn, workspace):
    run = learn("start", "--workspace", str(workspace), *COURSE)
    assert (workspace / "reverse-words" / "words.py").is_file()
    assert "reverse-words" in run.stdout


def test_default_workspace_is_the_current_folder(learn, workspace):
    run = learn("start", "count-vowels", *COURSE, cwd=workspace)
    assert run.code == 0
    assert (workspace / "count-vowels" / "vowels.py").is_file()
    sub = workspace / "count-vowels"
    assert learn("hint", "count-vowels", cwd=sub).code == 0  # found from a subfolder via .learn/


def test_hints_come_one_at_a_time_and_the_last_repeats(learn, workspace):
    learn("start", "count-vowels", "--workspace", str(workspace), *COURSE)
    texts = [learn("hint", "count-vowels", "--workspace", str(workspace)).stdout for _ in range(4)]
    assert "Hint 1/3" in texts[0] and "Loop over the characters" in texts[0]
    assert "Hint 2/3" in texts[1] and "Lower-case" in texts[1]
    assert "Hint 3/3" in texts[2] and "last hint" in texts[2]
    assert "Hint 3/3" in texts[3]


def test_reset_asks_first_and_keeps_a_backup(learn, workspace):
    learn("start", "count-vowels", "--workspace", str(workspace), *COURSE)
    mine = workspace / "count-vowels" / "vowels.py"
    mine.write_text("# precious\n")
    refused = learn("reset", "count-vowels", "--workspace", str(workspace), input="n\n")
    assert refused.code != 0 and mine.read_text() == "# precious\n"
    done = learn("reset", "count-vowels", "--workspace", str(workspace), input="y\n")
    assert done.code == 0
    assert "raise NotImplementedError" in mine.read_text()
    backups = list((workspace / ".learn" / "backups").iterdir())
    assert [b.read_text() for b in backups] == ["# precious\n"]


def test_list_shows_status_and_best_score(learn, workspace):
    learn("start", "reverse-words", "--workspace", str(workspace), *COURSE)
    (workspace / "reverse-words" / "words.py").write_text(
        "def reverse_words(text):\n    return ' '.join(text.split()[::-1])\n")
    assert learn("grade", "reverse-words", "--workspace", str(workspace)).code == 0
    learn("start", "count-vowels", "--workspace", str(workspace))
    run = learn("list", "--workspace", str(workspace))
    lines = {line.split()[1]: line for line in run.stdout.splitlines() if line.startswith("  ")}
    assert "passed" in lines["reverse-words"] and "10/10" in lines["reverse-words"]
    assert "in progress" in lines["count-vowels"]
    assert "1/2 exercises passed, 10/20 points" in run.stdout
