"""The student's workspace commands: start, list, show, hint, reset."""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import EXAMPLE_COURSE, REPO

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
    with (workspace / "count-vowels" / "vowels.py").open("a") as edit:  # the stub alone is not started
        edit.write("# a first try\n")
    run = learn("list", "--workspace", str(workspace))
    lines = {line.split()[1]: line for line in run.stdout.splitlines() if line.startswith("  ")}
    assert "passed" in lines["reverse-words"] and "10/10" in lines["reverse-words"]
    assert "in progress" in lines["count-vowels"]
    assert "1/2 exercises passed, 10/20 points" in run.stdout


def test_list_names_a_misnamed_file_instead_of_calling_the_exercise_not_started(learn, workspace):
    learn("start", "count-vowels", "--workspace", str(workspace), *COURSE)
    (workspace / "count-vowels" / "vowels.py").rename(workspace / "count-vowels" / "vowels_v2.py")
    run = learn("list", "--workspace", str(workspace))
    line = next(line for line in run.stdout.splitlines() if "count-vowels" in line)
    assert "not started" in line and "(found vowels_v2.py: rename it to vowels.py)" in line, run.stdout


# A process that changes the state the way `learn watch` does (Workspace.update_state), but stops
# between reading the state and writing its new version until the test says go.
HOLDER = """
import sys
from pathlib import Path
import grader.workspace as workspace

real = workspace.write_atomic
def paused_write(path, data, durable=True):
    print("read", flush=True)
    sys.stdin.readline()
    real(path, data, durable)

workspace.write_atomic = paused_write
workspace.Workspace(Path(sys.argv[1])).update_state(current="count-vowels")
"""


def _waits_for_the_state_lock(workspace) -> bool:
    """Is some process blocked on .learn/state.lock (Linux: a '->' line of /proc/locks)?"""
    lock = workspace / ".learn" / "state.lock"
    if not lock.exists():
        return False
    inode = f":{lock.stat().st_ino} "
    return any("->" in line and inode in line for line in Path("/proc/locks").read_text().splitlines())


def test_two_commands_changing_the_state_at_once_lose_nothing(learn, workspace):
    """`learn watch` records a grade while `learn hint` reveals one: each reads the state, changes
    it and writes it back, and the second writer used to erase the first one's change."""
    learn("start", "reverse-words", "--workspace", str(workspace), *COURSE)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(workspace)], cwd=REPO, text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    with holder:
        assert holder.stdout.readline() == "read\n"  # it holds the state it read, not yet written back
        hint = subprocess.Popen([sys.executable, "-m", "grader", "hint", "reverse-words", "--workspace", str(workspace)],
                                cwd=REPO, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while hint.poll() is None and not _waits_for_the_state_lock(workspace):  # done, or waiting its turn
            assert time.monotonic() < deadline, "learn hint neither finished nor waited for the lock"
            time.sleep(0.01)
        holder.stdin.write("go\n")
        holder.stdin.close()
        assert holder.wait(60) == 0
        out, err = hint.communicate(timeout=60)
        assert hint.returncode == 0, err
    state = json.loads((workspace / ".learn" / "state.json").read_text())
    assert state["current"] == "count-vowels"           # the holder's change
    assert state["hints"] == {"reverse-words": 1}       # and the hint's, made after it, on top of it


def test_reset_replaces_a_link_instead_of_writing_through_it(learn, workspace, tmp_path):
    """learn reset restores the stub atomically: a student file that is a symbolic link is replaced
    by the stub, and whatever the link pointed to is left as it was."""
    learn("start", "count-vowels", "--workspace", str(workspace), *COURSE)
    mine = workspace / "count-vowels" / "vowels.py"
    elsewhere = tmp_path / "my-notes.py"
    elsewhere.write_text("# not part of the exercise\n")
    mine.unlink()
    mine.symlink_to(elsewhere)
    assert learn("reset", "count-vowels", "--workspace", str(workspace), "--yes").code == 0
    assert elsewhere.read_text() == "# not part of the exercise\n"
    assert not mine.is_symlink() and "raise NotImplementedError" in mine.read_text()


def test_atomic_writes_keep_the_files_mode_and_reach_the_disk(tmp_path, monkeypatch):
    """write_atomic: a file keeps its own mode (a private 0600 state stays private, a new file gets
    what the umask gives, never the temporary file's 0600), and a durable write fsyncs the file
    and then its folder, so the rename itself survives a power loss."""
    from grader import storage
    private = tmp_path / "private.json"
    private.write_text("{}")
    private.chmod(0o600)
    storage.write_atomic(private, "{\"a\": 1}")
    assert stat.S_IMODE(private.stat().st_mode) == 0o600 and private.read_text() == "{\"a\": 1}"
    shared = tmp_path / "report.html"
    storage.write_atomic(shared, "x")
    assert stat.S_IMODE(shared.stat().st_mode) == 0o666 & ~storage._umask()
    synced: list[bool] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(stat.S_ISDIR(os.fstat(fd).st_mode)), real_fsync(fd)))
    storage.write_atomic(tmp_path / "gradebook.csv", "a,b\n")
    assert synced == [False, True]  # the file, then its folder
    synced.clear()
    storage.write_atomic(tmp_path / "results.json", "{}", durable=False)
    assert synced == []


def test_new_files_follow_the_umask(learn, workspace):
    """A student with umask 077 keeps their workspace private: `learn start` writes the stub and
    the state as 0600, not the 0644 the grader used to force."""
    done = subprocess.run(["sh", "-c", 'umask 077 && exec "$0" -m grader start reverse-words --workspace "$1" --course "$2"',
                           sys.executable, str(workspace), str(EXAMPLE_COURSE)], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    for path in (workspace / "reverse-words" / "words.py", workspace / ".learn" / "state.json"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


REVERSE_WORDS = "def reverse_words(text):\n    return ' '.join(text.split()[::-1])\n"


def _damaged_copies(workspace: Path) -> list[Path]:
    return sorted((workspace / ".learn").glob("state.json.damaged-*"))


def _warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("Warning:")]


@pytest.mark.parametrize("command", [["list", *COURSE], []], ids=["list", "bare learn"])
def test_a_state_file_with_wrong_types_is_set_aside_with_one_warning(learn, workspace, command):
    """A progress file whose fields have the wrong types used to end `learn list` and bare `learn`
    with "Internal error: AttributeError" (exit 3). It is moved aside, kept, and said so, once."""
    assert learn("start", "reverse-words", "--workspace", str(workspace), *COURSE).code == 0
    damaged = '{"passed": 5, "best": "x"}\n'
    (workspace / ".learn" / "state.json").write_text(damaged)
    run = learn(*command, cwd=workspace)
    assert run.code == 0, run.stderr
    assert "0/" in run.stdout and "exercises passed" in run.stdout
    (copy,) = _damaged_copies(workspace)
    assert copy.read_text() == damaged                    # the student's data is kept, byte for byte
    (warning,) = _warnings(run.stderr)
    assert "is damaged (passed: expected an object" in warning and str(copy) in warning
    again = learn(*command, cwd=workspace)
    assert again.code == 0 and not _warnings(again.stderr) and len(_damaged_copies(workspace)) == 1


def test_a_truncated_state_file_is_set_aside_before_a_grade_replaces_it(learn, workspace):
    """A state file cut short used to read as no progress at all, and the next `learn grade`
    wrote over it without a word. Now it is kept beside, and the grade starts fresh progress."""
    assert learn("start", "reverse-words", "--workspace", str(workspace), *COURSE).code == 0
    (workspace / "reverse-words" / "words.py").write_text(REVERSE_WORDS)
    (workspace / ".learn" / "state.json").write_text('{"broken')
    run = learn("grade", "reverse-words", "--workspace", str(workspace), *COURSE)
    assert run.code == 0, run.stderr
    (copy,) = _damaged_copies(workspace)
    assert copy.read_text() == '{"broken'
    (warning,) = _warnings(run.stderr)
    assert "is damaged (not valid JSON" in warning and str(copy) in warning and "fresh progress" in warning
    state = json.loads((workspace / ".learn" / "state.json").read_text())
    assert state["passed"] == {"reverse-words": True} and state["best"]["reverse-words"]["score"] == 10


def test_a_valid_state_file_is_read_and_left_untouched(learn, workspace):
    """Every field of a valid state file has its type: it is read as it is, never set aside."""
    assert learn("start", "reverse-words", "--workspace", str(workspace), *COURSE).code == 0
    valid = json.dumps({"_": "DON'T EDIT THIS FILE!", "course": str(EXAMPLE_COURSE), "current": "count-vowels",
                        "format": "python", "started": {"reverse-words": 1796334360.5, "count-vowels": 1796334361},
                        "hints": {"count-vowels": 2}, "best": {"reverse-words": {"score": 10.0, "max": 10.0}},
                        "passed": {"reverse-words": True}, "last": {"reverse-words": "passed"},
                        "from_a_newer_learn": [1, 2]}, indent=1)
    path = workspace / ".learn" / "state.json"
    path.write_text(valid)
    before = path.stat().st_mtime_ns
    for command in (["list"], []):
        run = learn(*command, cwd=workspace)
        assert run.code == 0 and not _warnings(run.stderr), run.stderr
    assert "1/2 exercises passed, 10/20 points" in learn("list", "--workspace", str(workspace)).stdout
    assert path.read_text() == valid and path.stat().st_mtime_ns == before
    assert not _damaged_copies(workspace)


@pytest.mark.parametrize("state, problem", [
    ([], "expected an object, got a list"),
    ({"course": 3}, "course: expected a course folder's path, got a number"),
    ({"format": "ipynb"}, "format: expected 'python' or 'notebook', got a string"),
    ({"hints": {"softmax": "2"}}, "hints.softmax: expected a whole number of hints seen, got a string"),
    ({"hints": {"softmax": -1}}, "hints.softmax: expected a whole number of hints seen, got a number"),
    ({"best": {"softmax": {"score": 3}}}, 'best.softmax: expected {"score": a number, "max": a number}, got an object'),
    ({"best": {"softmax": {"score": float("nan"), "max": 10}}}, "best.softmax: expected"),
    ({"passed": {"softmax": 1}}, "passed.softmax: expected true or false, got a number"),
    ({"started": {"softmax": True}}, "started.softmax: expected a time in seconds, got true or false"),
    ({"last": []}, "last: expected an object (exercise id: a status), got a list"),
])
def test_every_field_of_the_state_is_checked(state, problem):
    from grader import state_file
    assert state_file.problem(state).startswith(problem)


def test_learn_outside_any_workspace_says_so_and_inside_one_does_not(learn, tmp_path):
    """A new user ran `learn` from their home folder: it showed "0/18 ... run: learn start" for the
    folder they were in, and following that made a second workspace. It now says, on stderr, that
    there is no workspace here and how to reach theirs; inside a workspace (or its subfolders) it
    says nothing of the kind. (The built-in course: `learn` alone takes no --course.)"""
    home = tmp_path / "home"
    home.mkdir()
    for command in ([], ["list"]):
        run = learn(*command, cwd=home)
        assert run.code == 0, run.stderr
        said = " ".join(run.stderr.split())
        assert f"No workspace here: neither {home} nor a folder above it has a .learn folder" in said, said
        assert "cd into it or pass --workspace" in said
    assert learn("start", "dot-product", cwd=home).code == 0
    (home / "dot-product" / "deeper").mkdir()
    for where in (home, home / "dot-product" / "deeper"):
        for command in ([], ["list"]):
            run = learn(*command, cwd=where)
            assert run.code == 0 and "No workspace here" not in run.stderr, run.stderr


def test_list_calls_an_untouched_stub_not_started_as_grade_does(learn, workspace):
    """`learn list` said "in progress" for an exercise whose file was still the stub, which `learn
    grade` calls not started (a new user's review). A stub, .py or notebook, is not started; an
    edit, or a grade before the file was reset, makes the exercise in progress."""
    learn("start", "reverse-words", "--workspace", str(workspace), *COURSE)
    learn("start", "count-vowels", "--notebook", "--workspace", str(workspace))

    def listed() -> dict[str, str]:
        run = learn("list", "--workspace", str(workspace))
        assert run.code == 0, run.stderr
        return {e: " ".join(next(line for line in run.stdout.splitlines() if f" {e} " in line).split(e, 1)[1].split())
                for e in ("reverse-words", "count-vowels")}

    graded = learn("grade", "--workspace", str(workspace), "--format", "json").json
    assert [e["status"] for e in graded["exercises"]] == ["not_started", "not_started"]
    assert listed() == {"reverse-words": "not started", "count-vowels": "not started"}

    notebook = workspace / "count-vowels" / "vowels.ipynb"
    document = json.loads(notebook.read_text())
    answer = next(c for c in document["cells"] if "answer" in c.get("metadata", {}).get("tags", []))
    answer["source"] = "def count_vowels(text):\n    return 0\n"
    notebook.write_text(json.dumps(document))
    (workspace / "reverse-words" / "words.py").write_text("def reverse_words(text):\n    return text\n")
    assert learn("grade", "reverse-words", "--workspace", str(workspace)).code == 1
    assert listed() == {"reverse-words": "in progress 0/10", "count-vowels": "in progress"}

    assert learn("reset", "reverse-words", "--yes", "--workspace", str(workspace)).code == 0
    assert listed()["reverse-words"] == "in progress 0/10"  # graded before: its best score stays
