"""The warm grading service, as a student meets it: `learn grade` twice, the second answered warm.

Each test gets its own runtime folder (XDG_RUNTIME_DIR), so its service is its own, and kills
whatever service it started. `LEARN_SERVICE=require` makes a grade that the service did not
answer an error: that is how these tests know which path answered.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from conftest import REPO, run_learn as run_learn_anywhere, write_student


def run_learn(*args: str, cwd: Path | None = None, **options) -> object:
    """`learn` from the checkout unless told: a service serves one installation of learn, and this
    process (the notebook magic's client) imports the checkout's. From another folder, `python -m
    grader` would be the installed copy, with a service of its own (CI installs the package too)."""
    return run_learn_anywhere(*args, cwd=cwd or REPO, **options)

CORRECT = "def reverse_words(text):\n    return ' '.join(text.split()[::-1])\n"
WRONG = "def reverse_words(text):\n    return text\n"
DEADLINE = 60.0


def wait_for(condition, what: str, deadline: float = DEADLINE):
    """Poll CONDITION until it holds (the service starts and exits on its own: no event to join)."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead too (the service is its own session: nobody here reaps it)
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (OSError, IndexError):
        return False


class Services:
    """A private runtime folder and the services started in it."""

    def __init__(self) -> None:
        # Under /tmp, not pytest's private tmp_path: another user must be able to reach the
        # folder's door for the test that checks it stays shut.
        self.runtime = Path(tempfile.mkdtemp(prefix="learn-test-run-"))
        self.env = {"XDG_RUNTIME_DIR": str(self.runtime), "LEARN_SERVICE": "", "CI": "",
                    "LEARN_SERVICE_IDLE": "300"}

    @property
    def folder(self) -> Path:
        return self.runtime / "learn"

    def sockets(self) -> list[Path]:
        return sorted(self.folder.glob("*.sock")) if self.folder.is_dir() else []

    def pids(self) -> list[int]:
        """Services that listen (their lock file says so once the socket accepts)."""
        found = []
        for lock in self.folder.glob("*.lock") if self.folder.is_dir() else []:
            words = lock.read_text().split()
            if words[1:] == ["listening"] and alive(int(words[0])):
                found.append(int(words[0]))
        return found

    def ready(self) -> int:
        """The pid of the one running service, once its socket accepts."""
        return wait_for(lambda: self.pids() and self.pids()[0], "the service to listen")

    def stop_all(self) -> None:
        """Every service process started with this runtime folder, listening or still starting."""
        marker = f"XDG_RUNTIME_DIR={self.runtime}".encode()
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and int(entry.name) != os.getpid():
                try:
                    if marker in (entry / "environ").read_bytes().split(b"\0"):
                        os.kill(int(entry.name), signal.SIGKILL)
                except OSError:
                    pass
        shutil.rmtree(self.runtime, ignore_errors=True)


@pytest.fixture
def services():
    found = Services()
    yield found
    found.stop_all()


def grade(ws: Path, course: Path, services: Services, *extra: str, require: bool = False, cwd: Path | None = None):
    env = {**services.env, **({"LEARN_SERVICE": "require"} if require else {})}
    return run_learn("grade", "reverse-words", "--workspace", str(ws), "--course", str(course), "--seed", "7",
                     *extra, env=env, cwd=cwd)


def without_durations(text: str) -> dict:
    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "duration"}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value
    return strip(json.loads(text))


def test_a_cold_grade_starts_a_service_whose_answers_are_identical(workspace, course, services):
    write_student(workspace, "reverse-words", "words.py", WRONG)
    cold = {fmt: grade(workspace, course, services, "--format", fmt) for fmt in ("terminal", "markdown", "html", "json")}
    assert all(r.code == 1 for r in cold.values())
    assert "reverse_words" in cold["terminal"].stdout or "✗" in cold["terminal"].stdout
    services.ready()
    for fmt, before in cold.items():
        warm = grade(workspace, course, services, "--format", fmt, require=True)
        assert warm.code == 1, warm.stderr
        if fmt == "json":  # timings differ from run to run; everything else is the same
            assert without_durations(warm.stdout) == without_durations(before.stdout)
        else:
            assert warm.stdout == before.stdout, fmt
    write_student(workspace, "reverse-words", "words.py", CORRECT)  # the file is read afresh each time
    assert grade(workspace, course, services, require=True).code == 0
    assert len(services.pids()) == 1  # one service, reused


def test_without_a_service_require_is_an_error_and_off_starts_none(workspace, course, services):
    write_student(workspace, "reverse-words", "words.py", CORRECT)
    refused = grade(workspace, course, services, require=True)
    assert refused.code == 2 and "no grading service answered" in refused.stderr
    services.env["LEARN_SERVICE"] = "off"
    assert grade(workspace, course, services).code == 0
    services.env["LEARN_SERVICE"] = ""
    services.env["CI"] = "true"
    assert grade(workspace, course, services).code == 0
    assert services.sockets() == [] and services.pids() == []


def test_the_service_exits_when_idle(workspace, course, services):
    write_student(workspace, "reverse-words", "words.py", CORRECT)
    services.env["LEARN_SERVICE_IDLE"] = "1"
    grade(workspace, course, services)
    pid = services.ready()
    wait_for(lambda: not alive(pid), "the idle service to exit")
    assert services.sockets() == []


def test_an_edited_course_is_never_served_stale(workspace, course, services):
    write_student(workspace, "reverse-words", "words.py", CORRECT)
    grade(workspace, course, services)
    first = services.ready()
    # The instructor changes the hidden tests: the reference now expects something else.
    tests = course / "solutions" / "reverse-words" / "test_words.py"
    tests.write_text(tests.read_text() + "\n\ndef test_always_fails(student):\n    assert False\n")
    refused = grade(workspace, course, services, require=True)
    assert refused.code == 2
    wait_for(lambda: not alive(first), "the stale service to exit")
    fresh = grade(workspace, course, services)  # graded here, with the new test, and a new service started
    # (A check that fails the reference too is the exercise's bug: exit 3, the grader's.)
    assert fresh.code == 3 and "test_always_fails" in fresh.stdout
    second = services.ready()
    assert second != first
    again = grade(workspace, course, services, require=True)
    assert again.code == 3 and again.stdout == fresh.stdout


def test_a_changed_grader_is_never_served_stale(workspace, course, services, tmp_path):
    install = tmp_path / "install"
    shutil.copytree(REPO / "grader", install / "grader", ignore=shutil.ignore_patterns("__pycache__"))
    write_student(workspace, "reverse-words", "words.py", CORRECT)
    assert grade(workspace, course, services, cwd=install).code == 0
    first = services.ready()
    assert grade(workspace, course, services, require=True, cwd=install).code == 0
    results = install / "grader" / "results.py"  # an upgrade rewrote the grader's files
    results.write_text(results.read_text() + "\n")
    assert grade(workspace, course, services, require=True, cwd=install).code == 2
    wait_for(lambda: not alive(first), "the stale service to exit")
    # The repository's grader and the copy are two installs: each has a service of its own.
    assert grade(workspace, course, services, cwd=install).code == 0


def test_two_workspaces_at_once(tmp_path, course, services):
    right, wrong = tmp_path / "right", tmp_path / "wrong"
    write_student(right, "reverse-words", "words.py", CORRECT)
    write_student(wrong, "reverse-words", "words.py", WRONG)
    grade(right, course, services)
    services.ready()
    env = {**os.environ, **services.env, "LEARN_SERVICE": "require", "NO_COLOR": "1"}
    procs = [subprocess.Popen([sys.executable, "-m", "grader", "grade", "reverse-words", "--workspace", str(ws), "--course",
                               str(course), "--seed", "7"], cwd=REPO, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for ws in (right, wrong)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 1], outputs
    assert "Score: 10/10" in outputs[0][0] and "Score: 10/10" not in outputs[1][0]


def test_a_killed_service_is_replaced(workspace, course, services):
    write_student(workspace, "reverse-words", "words.py", WRONG)
    grade(workspace, course, services)
    first = services.ready()
    os.kill(first, signal.SIGKILL)
    wait_for(lambda: not alive(first), "the killed service to die")
    assert services.sockets()  # it left its socket behind
    fallback = grade(workspace, course, services)
    assert fallback.code == 1 and "Score: " in fallback.stdout
    second = services.ready()
    assert second != first and grade(workspace, course, services, require=True).stdout == fallback.stdout


NOBODY_CONNECTS = """
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    s.connect(sys.argv[1])
except PermissionError:
    print("refused: permission"); sys.exit(0)
import array, json
request = json.dumps({"argv": ["grade"], "cwd": "/", "env": {}}).encode()
try:
    s.sendmsg([len(request).to_bytes(4, "big") + request], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [0, 1, 2]))])
    answer = s.recv(4096)
except (BrokenPipeError, ConnectionResetError):
    answer = b""
print("answered:", answer)
"""


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to act as another user")
def test_another_user_cannot_use_the_service(workspace, course, services):
    write_student(workspace, "reverse-words", "words.py", CORRECT)
    grade(workspace, course, services)
    services.ready()
    sock = services.sockets()[0]
    as_nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c",
                 NOBODY_CONNECTS, str(sock)]
    os.chmod(services.runtime, 0o755)  # the session's runtime folder may be open; learn's, inside it, is not
    assert subprocess.run(as_nobody, capture_output=True, text=True, timeout=30).stdout.strip() == "refused: permission"
    # Even with the folder and the socket opened to everyone by mistake, the service checks its peer.
    os.chmod(services.folder, 0o777)
    os.chmod(sock, 0o777)
    answer = subprocess.run(as_nobody, capture_output=True, text=True, timeout=30)
    assert answer.stdout.strip() == "answered: b''", answer
    # And the student's own client no longer trusts a folder others can write to: it grades in-process.
    assert grade(workspace, course, services, require=True).code == 2
    assert grade(workspace, course, services).code == 0


def test_the_served_path_loads_nothing_heavy():
    """What `learn grade` imports before it hands over to a service: a fraction of a cold start."""
    probe = ("import sys, grader.service.client as c\n"
             "c.serve = lambda args: sys.exit(sorted(m for m in sys.modules "
             "if m.split('.')[0] in ('click', 'yaml', 'jinja2', 'numpy', 'pytest', 'ctypes') "
             "or m in ('grader.cli', 'grader.course', 'grader.reports', 'grader.sandbox')))\n"
             "sys.argv = ['learn', 'grade']\n"
             "from grader.launcher import run\n"
             "run()\n")
    proc = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True)
    assert proc.stderr.strip() == "[]", proc.stderr


def test_watch_grades_through_the_service(workspace, course, services):
    """`learn watch` hands its grades to the service: with LEARN_SERVICE=require it fails unless
    the service answers, so passing here proves it did, save after save."""
    from test_watch import CRASH, Watch
    file = write_student(workspace, "reverse-words", "words.py", WRONG)
    grade(workspace, course, services)
    services.ready()
    # From the checkout, as the grade above: a service serves one installation of learn, and from the
    # workspace `python -m grader` would be the installed one (CI installs the package too).
    w = Watch("reverse-words", "--workspace", str(workspace), "--course", str(course), cwd=REPO,
              env={**services.env, "LEARN_SERVICE": "require"})
    try:
        at = w.wait_for("Watching reverse-words/words.py")
        assert "Score:" in w.output and "Next step:" in w.output
        file.write_text(CRASH)
        at = w.wait_for("RuntimeError: boom", after=at)
        file.write_text(CORRECT)
        w.wait_for("reverse-words passed. Next: count-vowels", after=at)
    finally:
        code = w.close()
    assert code == 0 and "no grading service answered" not in w.output


def test_the_notebook_magic_grades_through_the_service(workspace, services, monkeypatch):
    """`%learn grade` (grader.notebook.service.grade) hands its request to the running service
    instead of starting a process: with process starts made to fail, it still grades."""
    pytest.importorskip("nbformat")
    from grader.notebook import service as notebook_service
    assert run_learn("start", "softmax", "--notebook", "--workspace", str(workspace), env=services.env).code == 0
    grade_notebook = ("grade", "softmax", "--workspace", str(workspace), "--seed", "3")
    run_learn(*grade_notebook, env=services.env)  # cold: starts the service
    services.ready()
    for name, value in {**services.env, "LEARN_SERVICE": "require"}.items():
        monkeypatch.setenv(name, value)

    def no_process(*args, **kwargs):
        raise AssertionError("graded by starting a process, not by the service")
    monkeypatch.setattr(notebook_service.subprocess, "run", no_process)
    reply = notebook_service.grade(notebook_service.GradeRequest(workspace, ("softmax",), seed=3))
    assert reply.results is not None, reply.problem
    assert reply.result.exercises[0].status.value == "not_started"  # the untouched starter notebook
    assert reply.exit_status == 1 and reply.results["seed"] == 3


def test_a_confined_process_of_the_same_user_is_refused(workspace, course, services):
    """A worker of the process layer runs as the student (with no_new_privs, which Landlock needs):
    one that got past the audit hook must not have the service grade for it, outside its sandbox
    (`--output` writes anywhere the user may). A process with no_new_privs gets no answer."""
    write_student(workspace, "reverse-words", "words.py", CORRECT)
    grade(workspace, course, services)
    services.ready()
    sock = services.sockets()[0]
    confined = ["setpriv", "--no-new-privs", sys.executable, "-c", NOBODY_CONNECTS, str(sock)]
    answer = subprocess.run(confined, capture_output=True, text=True, timeout=30)
    assert answer.stdout.strip() == "answered: b''", answer
    free = subprocess.run([sys.executable, "-c", NOBODY_CONNECTS, str(sock)], capture_output=True, text=True, timeout=30)
    assert free.stdout.startswith("answered: b'{\"pid\""), free  # the same request, unconfined, is served
