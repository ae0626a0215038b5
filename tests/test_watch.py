"""The student's loop as a student meets it: `learn watch` driven through a pipe, `learn solution`,
`learn grade --open`, shell completion and the help of every command."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import EXAMPLE_COURSE, write_student

COURSE = ("--course", str(EXAMPLE_COURSE))
CORRECT = "def reverse_words(text):\n    return ' '.join(text.split()[::-1])\n"
WRONG = "def reverse_words(text):\n    return text.strip()[::-1]\n"
CRASH = "def reverse_words(text):\n    raise RuntimeError('boom')\n"


class Watch:
    """`learn watch` in a subprocess: keys go in as lines, output is collected by a reader thread."""

    def __init__(self, *args: str, cwd: Path, env: dict | None = None) -> None:
        import threading
        env = {**os.environ, "NO_COLOR": "1", **(env or {})}
        env.pop("GITHUB_ACTIONS", None)
        self.proc = subprocess.Popen([sys.executable, "-m", "grader", "watch", *args], cwd=cwd, env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, bufsize=1)
        self.chunks: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.chunks.append(line)

    @property
    def output(self) -> str:
        return "".join(self.chunks)

    def wait_for(self, text: str, timeout: float = 60, after: int = 0) -> int:
        """Wait until TEXT appears after character AFTER; return where it ends."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            at = self.output.find(text, after)
            if at >= 0:
                return at + len(text)
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"{text!r} did not appear; output so far:\n{self.output}")

    def key(self, letter: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(letter + "\n")
        self.proc.stdin.flush()

    def close(self) -> int:
        if self.proc.poll() is None:
            try:
                self.key("q")
            except BrokenPipeError:
                pass
        try:
            return self.proc.wait(timeout=20)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            self.reader.join(timeout=5)
            for stream in (self.proc.stdin, self.proc.stdout):
                try:
                    stream.close()  # type: ignore[union-attr]
                except BrokenPipeError:
                    pass


@pytest.fixture(params=["events", "polling"])
def watched(workspace: Path, request):
    """`learn watch` on the workspace, seeing saves through file-system events, or by polling
    (LEARN_WATCH_POLL: the fallback where the platform gives no events)."""
    sessions: list[Watch] = []
    env = {"LEARN_WATCH_POLL": "1"} if request.param == "polling" else {}

    def start(*args: str) -> Watch:
        session = Watch(*args, "--workspace", str(workspace), *COURSE, cwd=workspace, env=env)
        sessions.append(session)
        return session
    yield start
    for session in sessions:
        session.close()


def save(path: Path, source: str) -> None:
    # a different size as well as a new mtime: a save within one mtime tick still counts
    path.write_text(source)


def test_watch_regrades_on_save_explains_and_moves_on(watched, workspace):
    file = write_student(workspace, "reverse-words", "words.py", WRONG)
    (workspace / ".learn").mkdir()
    w = watched("reverse-words")
    at = w.wait_for("Watching reverse-words/words.py")
    assert "Reverse the words" in w.output                       # the exercise first
    assert "\n# Reverse the words" not in w.output and "\nReverse the words\n" in w.output  # as `learn show` writes it
    assert "Diagnosis:" in w.output and "reversed the characters" in w.output
    assert "Reproduce this run: learn grade reverse-words --seed" in w.output
    assert "[h] next hint" in w.output
    w.key("h")
    at = w.wait_for("Hint 1/", after=at)
    save(file, CRASH)
    at = w.wait_for("RuntimeError: boom", after=at)
    assert 'File "words.py", line 2, in reverse_words' in w.output
    save(file, CORRECT + "\n")
    at = w.wait_for("reverse-words passed. Next: count-vowels", after=at)
    at = w.wait_for(f"Created {workspace / 'count-vowels' / 'vowels.py'}", after=at)  # as learn start says it
    at = w.wait_for("Watching count-vowels/vowels.py", after=at)  # said once the next exercise is open
    assert (workspace / "count-vowels" / "vowels.py").is_file()  # the next stub is in place
    assert "Created" not in w.output.split("Reverse the words")[0]  # the first file was the student's
    w.key("l")
    at = w.wait_for("exercises passed", after=at)
    assert "1/2 exercises passed" in w.output
    assert w.close() == 0
    assert "Stopped watching" in w.output
    assert "\x1b[" not in w.output                                # no colour, no screen clearing on a pipe


def test_watch_follows_a_save_to_another_exercise_and_debounces(watched, workspace):
    write_student(workspace, "reverse-words", "words.py", WRONG)
    w = watched("reverse-words")
    at = w.wait_for("Watching reverse-words/words.py")
    vowels = write_student(workspace, "count-vowels", "vowels.py", "def count_vowels(text):\n    return 0\n")
    at = w.wait_for("Watching count-vowels/vowels.py", after=at)
    # an editor saving in steps (three writes, 20 ms apart, then the file is closed) gives one re-grade
    with open(vowels, "w") as handle:
        for part in ("def count_vowels(text):\n", "    n = 3\n", "    return n\n"):
            handle.write(part)
            handle.flush()
            time.sleep(0.02)
    at = w.wait_for("Watching count-vowels/vowels.py", after=at)
    time.sleep(1.0)
    assert w.output[at:].count("Score:") == 0
    assert w.output.count("count-vowels  ") == 2                 # one grade per settled save


def test_watch_without_input_still_watches_and_stops(workspace):
    write_student(workspace, "reverse-words", "words.py", WRONG)
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.run([sys.executable, "-m", "grader", "watch", "reverse-words", "--workspace",
                           str(workspace), *COURSE, "--for", "3"], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "Diagnosis:" in proc.stdout and "Stopped watching" in proc.stdout
    assert "[h] next hint" not in proc.stdout or "Traceback" not in proc.stderr


def invoke(*args: str, env: dict | None = None):
    from click.testing import CliRunner
    import grader.cli
    grader.cli._register()
    return CliRunner().invoke(grader.cli.cli, list(args), env={"NO_COLOR": "1", **(env or {})},
                              prog_name="learn")


def test_solution_refused_until_passed_then_shown(workspace):
    write_student(workspace, "reverse-words", "words.py", WRONG)
    (workspace / ".learn").mkdir()
    refused = invoke("solution", "reverse-words", "--workspace", str(workspace), *COURSE)
    assert refused.exit_code != 0 and "has not passed yet" in str(refused.exception)
    assert "def reverse_words" not in refused.output
    # what `learn grade` records when the exercise passes (the grading itself is tested elsewhere)
    (workspace / ".learn" / "state.json").write_text('{"passed": {"reverse-words": true}}')
    shown = invoke("solution", "reverse-words", "--workspace", str(workspace), *COURSE)
    assert shown.exit_code == 0, shown.output
    reference = (EXAMPLE_COURSE / "solutions" / "reverse-words" / "words.py").read_text()
    assert reference.strip() in shown.output
    assert "reversed-characters" in shown.output                 # the mistakes it avoids


def test_solution_refused_in_a_student_bundle(workspace, tmp_path):
    import shutil
    bundle = tmp_path / "bundle"
    shutil.copytree(EXAMPLE_COURSE / "exercises", bundle / "exercises")
    (workspace / ".learn").mkdir()
    (workspace / ".learn" / "state.json").write_text('{"passed": {"reverse-words": true}}')
    run = invoke("solution", "reverse-words", "--workspace", str(workspace), "--course", str(bundle))
    assert run.exit_code != 0 and "no reference solution" in str(run.exception)


def test_grade_open_writes_the_html_report_and_opens_it(learn, workspace, tmp_path):
    write_student(workspace, "reverse-words", "words.py", WRONG)
    (workspace / ".learn").mkdir()
    opened = tmp_path / "opened.txt"
    browser = f"{sys.executable} -c \"import sys; open({str(opened)!r}, 'w').write(sys.argv[1])\" %s"
    run = learn("grade", "reverse-words", "--workspace", str(workspace), *COURSE, "--open",
                env={"BROWSER": browser})
    assert run.code == 1
    report = workspace / ".learn" / "report.html"
    assert "<!DOCTYPE html>" in report.read_text()
    assert "Diagnosis:" in run.stdout                              # the terminal report too
    deadline = time.monotonic() + 10
    while not opened.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert opened.read_text() == report.resolve().as_uri()


def test_shell_completion_of_commands_and_exercise_ids(workspace):
    words = invoke(env={"_LEARN_COMPLETE": "bash_complete", "COMP_WORDS": "learn wat", "COMP_CWORD": "1"})
    assert "plain,watch" in words.output
    ids = invoke(env={"_LEARN_COMPLETE": "bash_complete", "COMP_CWORD": "6",
                      "COMP_WORDS": f"learn hint --workspace {workspace} --course {EXAMPLE_COURSE} rev"})
    assert "plain,reverse-words" in ids.output
    source = invoke(env={"_LEARN_COMPLETE": "bash_source"})
    assert "complete -o nosort -F" in source.output and "_LEARN_COMPLETE=bash_complete" in source.output


def test_every_command_has_help_with_an_example():
    import click
    from click.testing import CliRunner
    import grader.cli
    grader.cli._register()
    runner = CliRunner()

    def walk(group: click.Group, path: list[str]):
        for name, command in group.commands.items():
            if command.hidden:
                continue
            yield path + [name], command
            if isinstance(command, click.Group):
                yield from walk(command, path + [name])

    missing = []
    for path, command in walk(grader.cli.cli, []):
        result = runner.invoke(grader.cli.cli, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        if isinstance(command, click.Group):
            continue
        if "Example" not in result.output or f"learn {' '.join(path)}" not in result.output:
            missing.append(" ".join(path))
        assert max(len(line) for line in result.output.splitlines()) <= 100
    assert not missing, f"commands without an example in --help: {missing}"


def test_saves_arrive_as_events_and_wake_the_loop_at_once(tmp_path):
    """With watchdog installed, a save wakes the watch loop through an event (not at the next
    poll), and a save made by renaming a file into place counts like any other."""
    import select

    from grader.saves import Saves
    file = write_student(tmp_path, "reverse-words", "words.py", WRONG)
    saves = Saves(tmp_path, [file])
    try:
        assert saves.events, "watchdog is a dependency: events must be used where the platform has them"
        saves.snapshot()
        save(file, CORRECT)
        assert select.select([saves.wake], [], [], 10)[0], "no event for a save"
        assert saves.changed() == [file]
        replacement = file.with_name("words.py.tmp")                # how vim and many IDEs save
        replacement.write_text(CRASH)
        replacement.replace(file)
        assert select.select([saves.wake], [], [], 10)[0], "no event for a save by rename"
        saves.settle([file])
        assert saves.changed() == [file]
        assert saves.changed() == []                                 # reported once
    finally:
        saves.close()


def test_the_compact_report_counts_the_failing_tests_it_does_not_explain(workspace):
    """`learn watch` shows every test but explains only the first failing one; the closing line
    must count the others, not read as that many more beyond the list (a new user's reading)."""
    import json
    import re
    from conftest import REPO, run_learn
    source = (REPO / "solutions/dot-product/similarity.py").read_text()
    write_student(workspace, "dot-product", "similarity.py",
                  source.replace("    return np.sum(q * k)\n", "    return np.sum(q[1:] * k[1:])\n", 1))
    graded = run_learn("grade", "dot-product", "--workspace", str(workspace), "--seed", "1", "--format", "json")
    failing = sum(t["status"] != "passed" for t in graded.json["exercises"][0]["tests"])
    assert failing > 2
    compact = run_learn("grade", "dot-product", "--workspace", str(workspace), "--seed", "1", "--compact").stdout
    assert len(re.findall(r"^  [✗!⧗?] test_", compact, re.M)) == failing, compact
    assert f"(`learn grade dot-product` explains the other {failing - 1} failing tests)" in compact
    assert "more failing test" not in compact
