"""The red-team suite: every hostile submission in attacks/, graded through the real CLI.

Each attack is judged on the same evidence: the exact outcome we expect (status, what the
student is told), no more points than the honest wrong answer in ``attacks/honest_wrong.py``,
no secret from the grader's environment and no line of the instructor's files in anything
printed or written, nothing written outside the output, nothing left running, and a bounded
time. The attacks run under the strongest layer this machine offers; the ones the process
layer must stop by itself run again under ``LEARN_SANDBOX=process``, with Landlock where the
kernel has it and with the audit hook alone (``LEARN_LANDLOCK=off``, as on a kernel before 5.13).
As root the strongest layer is namespaces as root; tests/redteam/test_unprivileged.py runs this
file again as a user without privileges (namespaces in a user namespace, or the process layer).
"""
from __future__ import annotations

import socket
from dataclasses import dataclass
from pathlib import Path

import pytest

import grader
from redteam_harness import (ATTACKS, HOST_CANARIES, INSTRUCTOR_MARKERS, SECRET, Graded, expected_layer, grade,
                             make_workspace, plant, snapshot)
from redteam_harness import course, runner, secret_env  # noqa: F401  (fixtures)

TIME_BOUND = 40.0          # seconds for one submission, however hostile
GRADER_CANARY = Path(grader.__file__).resolve().parent / "redteam-canary.txt"


@dataclass(frozen=True)
class Expect:
    status: str | tuple[str, ...]  # the exercise's status (a tuple: one of these, by layer)
    says: str = ""               # what the student must be told (in some message)
    zero: bool = False           # exactly 0 points, not merely no more than the honest answer
    slow: bool = False           # spends its time limits (about 8 s)
    score: float | None = None   # exactly these points, in every layer


CANNOT_ACCEPT = "returned a value the grader cannot accept"
DIED = "died"
TIMED_OUT = "did not finish within 2 s"
EXPECTED: dict[str, Expect] = {
    "always_equal_object": Expect("failed", CANNOT_ACCEPT, zero=True),
    "ndarray_subclass": Expect("failed", CANNOT_ACCEPT, zero=True),
    "float_subclass": Expect("failed", CANNOT_ACCEPT, zero=True),
    "duck_array": Expect("failed", CANNOT_ACCEPT, zero=True),
    "huge_return": Expect("failed", CANNOT_ACCEPT, zero=True),
    "sys_exit_at_import": Expect("error", "SystemExit: 0", zero=True),
    "os_exit_at_import": Expect("error", "the process importing similarity.py died", zero=True),
    "base_exception_at_import": Expect("error", "Escape: stop grading now", zero=True),
    "sys_exit_in_call": Expect("failed", "SystemExit: all tests passed", zero=True),
    "os_exit_in_call": Expect("failed", DIED, zero=True),
    "keyboard_interrupt_in_call": Expect("failed", "KeyboardInterrupt", zero=True),
    "execv_in_call": Expect("failed", "os.exec is not allowed while grading", zero=True),
    "segfault_ctypes": Expect("failed", DIED),
    "fork_bomb": Expect("failed", "forked 0 children"),
    "kill_the_grader": Expect("failed", "os.kill is not allowed while grading"),
    "subclasses_walk": Expect("failed", "subprocess.Popen is not allowed while grading"),
    "socket_loopback": Expect("failed", "is not allowed while grading"),
    "environ_secret": Expect("failed", "LANG"),
    "read_reference_by_path": Expect("failed"),
    "import_reference_by_name": Expect("failed", "found: []"),
    "proc_walk": Expect("failed", "/proc/1/cmdline"),
    "walk_filesystem": Expect("failed", "walked 0 folders"),
    "patch_test_framework": Expect("error", zero=True),
    "forged_results": Expect("failed"),
    "write_other_student": Expect("failed"),
    "garbage_on_channel": Expect("failed", DIED),
    "planted_pytest_files": Expect("failed"),
    "output_flood": Expect("failed", "more characters of output were cut"),
    # Unprivileged (namespaces, or the process layer as a normal user) no thread can start: an
    # import error. As root without namespaces the threads run, refused every write, and die
    # with the worker.
    "lingering_threads": Expect(("error", "failed")),
    "memory_bomb": Expect("failed", "MemoryError", zero=True, slow=True),
    "deep_recursion": Expect("failed", zero=True, slow=True),
    "infinite_loop_python": Expect("failed", TIMED_OUT, zero=True, slow=True),
    "infinite_loop_c": Expect("failed", TIMED_OUT, zero=True, slow=True),
    "sleeping": Expect("failed", TIMED_OUT, zero=True, slow=True),
    "ignore_sigterm": Expect("failed", TIMED_OUT, zero=True, slow=True),
    # Issue 14. Each raises in dot() when it got nothing, returns 0.0 elsewhere: 1.33 points, in
    # every layer (the reference would score 10).
    "patch_the_guard": Expect("failed", "is not allowed while grading", score=1.33),
    "steal_from_the_class": Expect("failed", "'reference': [], 'results': [], 'submissions': [], 'written': []",
                                   score=1.33),
    "proc_environ_walk": Expect("failed", "no /proc to walk", score=1.33),
    "native_code_from_scratch": Expect("failed", "loading compiled code from", score=1.33),
}
# The attacks the process layer (audit hook, rlimits, sessions) must stop without namespaces.
PROCESS_LAYER = ("execv_in_call", "fork_bomb", "kill_the_grader", "socket_loopback", "environ_secret",
                 "read_reference_by_path", "proc_walk", "write_other_student", "garbage_on_channel",
                 "patch_the_guard", "steal_from_the_class", "proc_environ_walk", "native_code_from_scratch")


def _params(names: list[str]) -> list:
    return [pytest.param(n, marks=pytest.mark.slow) if EXPECTED[n].slow else n for n in names]


def test_every_attack_file_has_an_expectation() -> None:
    files = {p.stem for p in ATTACKS.glob("*.py")} - {"honest_wrong"}
    assert files == set(EXPECTED)
    assert len(files) >= 30


@pytest.fixture(scope="session")
def baseline(runner, course, tmp_path_factory) -> float:
    """What the honest wrong answer scores: the ceiling for every attack."""
    graded = grade(runner, make_workspace(tmp_path_factory.mktemp("baseline"), "honest_wrong"), course)
    assert graded.exit_code == 1 and graded.exercise["status"] == "failed"
    return graded.score


def _everything_written(root: Path) -> bytes:
    return b"\n".join(p.read_bytes() for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def _attack(runner, course: Path, tmp_path: Path, name: str, baseline: float) -> Graded:
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.5)
    workspace = make_workspace(tmp_path, name, port=listener.getsockname()[1])
    victim = tmp_path / "victim" / "dot-product" / "similarity.py"
    victim.parent.mkdir(parents=True)
    victim.write_text((ATTACKS / "honest_wrong.py").read_text())
    if name == "planted_pytest_files":
        plant(workspace)
    before, canaries = snapshot(tmp_path), {c: c.exists() for c in HOST_CANARIES}
    try:
        graded = grade(runner, workspace, course)
        with pytest.raises(OSError):  # nobody phoned home
            listener.accept()
    finally:
        listener.close()
        leaked = GRADER_CANARY.exists()
        GRADER_CANARY.unlink(missing_ok=True)
    expect = EXPECTED[name]
    # The exact outcome.
    assert graded.exit_code == 1, graded.text[:2000]
    assert graded.exercise["status"] in (expect.status if isinstance(expect.status, tuple) else (expect.status,))
    assert expect.says in graded.messages
    assert not any(t["grader_error"] for t in graded.exercise["tests"]), "the student's fault, never the grader's"
    # No more points than honest wrong answers.
    assert graded.score <= baseline
    if expect.zero:
        assert graded.score == 0
    if expect.score is not None:
        assert graded.score == expect.score
    # Nothing leaked: no secret, no instructor line, anywhere it printed or wrote.
    written = _everything_written(tmp_path)
    for secret in (SECRET.encode(), *(m.encode() for m in INSTRUCTOR_MARKERS)):
        assert secret not in graded.text.encode()
        assert secret not in written
    # Nothing written outside the output: the workspace and the other student are untouched.
    assert snapshot(tmp_path) == before
    assert not leaked and {c: c.exists() for c in HOST_CANARIES} == canaries
    assert not list(tmp_path.rglob("PWNED-*"))
    # A flood of output is cut, never passed on whole.
    assert len(graded.exercise["output"]) <= 4_000
    assert all(len(t["output"]) <= 4_100 for t in graded.exercise["tests"])
    assert graded.seconds < TIME_BOUND
    return graded


@pytest.mark.parametrize("name", _params(sorted(EXPECTED)))
def test_attack(name: str, runner, course, tmp_path: Path, baseline: float, secret_env: None) -> None:
    graded = _attack(runner, course, tmp_path, name, baseline)
    assert graded.result["sandbox"] == expected_layer()


@pytest.mark.parametrize("landlock", ["landlock", "hook alone"])
@pytest.mark.parametrize("name", _params(list(PROCESS_LAYER)))
def test_attack_on_the_process_layer(name: str, landlock: str, runner, course, tmp_path: Path, baseline: float,
                                     secret_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEARN_SANDBOX", "process")
    if landlock != "landlock":
        monkeypatch.setenv("LEARN_LANDLOCK", "off")
    graded = _attack(runner, course, tmp_path, name, baseline)
    assert graded.result["sandbox"] == "process"


def test_a_link_to_the_reference_is_refused(runner, course, tmp_path: Path, secret_env: None) -> None:
    """similarity.py as a symbolic link to the reference: never followed, the student is told why."""
    reference = Path(grader.__file__).resolve().parent.parent / "solutions" / "dot-product" / "similarity.py"
    for link_the_folder in (False, True):
        workspace = tmp_path / f"ws-{link_the_folder}"
        if link_the_folder:
            workspace.mkdir()
            (workspace / "dot-product").symlink_to(reference.parent)
        else:
            (workspace / "dot-product").mkdir(parents=True)
            (workspace / "dot-product" / "similarity.py").symlink_to(reference)
        graded = grade(runner, workspace, course)
        assert graded.score == 0 and graded.exercise["status"] == "error"
        assert "symbolic link" in graded.exercise["error"]
        assert not any(m in graded.text for m in INSTRUCTOR_MARKERS)
