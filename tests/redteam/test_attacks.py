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

import json
import os
import re
import socket
from dataclasses import dataclass
from pathlib import Path

import pytest

from junitparser import JUnitXml

import grader
from grader.cli import cli
from redteam_harness import (ATTACKS, EXERCISE, HOST_CANARIES, INSTRUCTOR_MARKERS, SECRET, Graded, expected_layer,
                             grade, make_workspace, plant, snapshot)
from redteam_harness import course, runner, secret_env  # noqa: F401  (fixtures)

TIME_BOUND = 40.0          # seconds for one submission, however hostile
GRADER_CANARY = Path(grader.__file__).resolve().parent / "redteam-canary.txt"
MODE_CANARY = GRADER_CANARY.with_name("redteam-mode-canary.txt")  # attacks/chmod_by_descriptor.py's target


@dataclass(frozen=True)
class Expect:
    status: str | tuple[str, ...]  # the exercise's status (a tuple: one of these, by layer)
    says: str = ""               # what the student must be told (in some message)
    zero: bool = False           # exactly 0 points, not merely no more than the honest answer
    slow: bool = False           # spends its time limits (about 8 s)
    score: float | None = None   # exactly these points, in every layer


CANNOT_ACCEPT = "returned a value the grader cannot accept"
FORGED = "sent a reply the grader cannot accept"
ENDED = "ended before it answered (os._exit, a crash such as a segfault, or the memory or CPU limit?)"
TIMED_OUT = "did not finish within 2 s"
EXPECTED: dict[str, Expect] = {
    "always_equal_object": Expect("failed", CANNOT_ACCEPT, zero=True),
    "ndarray_subclass": Expect("failed", CANNOT_ACCEPT, zero=True),
    "float_subclass": Expect("failed", CANNOT_ACCEPT, zero=True),
    "duck_array": Expect("failed", CANNOT_ACCEPT, zero=True),
    "huge_return": Expect("failed", CANNOT_ACCEPT, zero=True),
    "sys_exit_at_import": Expect("error", "SystemExit: 0", zero=True),
    "os_exit_at_import": Expect("error", "importing similarity.py ended its process before it finished (os._exit",
                                zero=True),
    "base_exception_at_import": Expect("error", "Escape: stop grading now", zero=True),
    "sys_exit_in_call": Expect("failed", "SystemExit: all tests passed", zero=True),
    "os_exit_in_call": Expect("failed", ENDED, zero=True),
    "keyboard_interrupt_in_call": Expect("failed", "KeyboardInterrupt", zero=True),
    "execv_in_call": Expect("failed", "os.exec is not allowed while grading", zero=True),
    "segfault_ctypes": Expect("failed", ENDED),
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
    "garbage_on_channel": Expect("failed", FORGED + " (message too large): something in your file wrote"),
    # Finding 4: a forged reply that the codec accepts but whose fields have the wrong types.
    "forged_import_error": Expect("error", FORGED, zero=True),
    "forged_dtype_greeting": Expect("error", FORGED + " (malformed array dtype)", zero=True),
    "forged_call_reply": Expect("failed", FORGED),
    # Finding 6: student text is data in every format (see test_student_text_is_data_in_every_format).
    "fence_breaker": Expect("failed", "PWNED heading"),
    # Finding 7: a hidden test that breaks on the student's answers (not on the reference's) is the student's.
    "grader_error_bait": Expect("failed", "The test could not use what your code returned"),
    # Finding 8: restarts cannot multiply an import's time (see test_restarts_share_one_import_budget).
    "slow_import_then_crash": Expect("failed", ENDED, zero=True),
    # Finding 8: what a worker leaves behind is removed without recursion (process layer: scratch folders).
    "deep_scratch_tree": Expect("failed", ENDED),
    # Finding 5: a reply that is cheap to send and expensive to decode is refused unparsed.
    "million_items_reply": Expect("failed", "more than 800000 brackets and commas"),
    # Finding 8: a value out of range for numpy (a generator's state) is refused like any malformed one.
    "forged_generator_state": Expect("failed", "malformed generator state: OverflowError"),
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
    # Issue 14. Each raises in dot() when it got nothing, returns 0.0 elsewhere: 0 points, in every
    # layer (side-property tests pay only for the work; the reference would score 10).
    "patch_the_guard": Expect("failed", "is not allowed while grading", score=0.0),
    "steal_from_the_class": Expect("failed", "'reference': [], 'results': [], 'submissions': [], 'written': []",
                                   score=0.0),
    "proc_environ_walk": Expect("failed", "no /proc to walk", score=0.0),
    "native_code_from_scratch": Expect("failed", "loading compiled code from", score=0.0),
    # Found in review: os.fchmod & co. passed the hook (an int, not a path); Landlock governs none of them.
    "chmod_by_descriptor": Expect("failed", "changed through a descriptor: []", score=0.0),
}
# The attacks the process layer (audit hook, rlimits, sessions) must stop without namespaces.
PROCESS_LAYER = ("execv_in_call", "fork_bomb", "kill_the_grader", "socket_loopback", "environ_secret",
                 "read_reference_by_path", "proc_walk", "write_other_student", "garbage_on_channel",
                 "deep_scratch_tree", "patch_the_guard", "steal_from_the_class", "proc_environ_walk",
                 "native_code_from_scratch", "chmod_by_descriptor")


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
    if name == "chmod_by_descriptor":
        MODE_CANARY.write_text("mode 0644\n")
        MODE_CANARY.chmod(0o644)
        planted = MODE_CANARY.stat()
    before, canaries = snapshot(tmp_path), {c: c.exists() for c in HOST_CANARIES}
    try:
        graded = grade(runner, workspace, course)
        with pytest.raises(OSError):  # nobody phoned home
            listener.accept()
    finally:
        listener.close()
        leaked = GRADER_CANARY.exists()
        GRADER_CANARY.unlink(missing_ok=True)
        if name == "chmod_by_descriptor":
            after = MODE_CANARY.stat()
            xattrs = os.listxattr(MODE_CANARY) if hasattr(os, "listxattr") else []
            MODE_CANARY.unlink()
            assert (after.st_mode, after.st_uid, after.st_gid, after.st_mtime_ns) == \
                (planted.st_mode, planted.st_uid, planted.st_gid, planted.st_mtime_ns), "changed through a descriptor"
            assert "user.pwned" not in xattrs
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


def _outside_code_blocks(markdown: str) -> str:
    """The lines of MARKDOWN that are not in a fenced code block (CommonMark: a block closes at a
    line of only the same fence character, at least as many as opened it)."""
    kept, fence = [], ""
    for line in markdown.splitlines():
        run = re.match(r"\s{0,3}(`{3,}|~{3,})", line)
        if not fence:
            if run:
                fence = run.group(1)
            else:
                kept.append(line)
        elif run and run.group(1)[0] == fence[0] and len(run.group(1)) >= len(fence) and not line.strip(fence[0] + " "):
            fence = ""
    assert not fence, "a code block is left open"
    return "\n".join(kept)


def test_student_text_is_data_in_every_format(runner, course, tmp_path: Path, secret_env: None,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Finding 6: what fence_breaker prints and raises (fences, Markdown, HTML, a workflow
    command, terminal escapes, a NUL, a lone surrogate) stays text in every format: each renders
    (a lone surrogate once made the grader fail: exit 3), and none lets it out of its box."""
    workspace = make_workspace(tmp_path, "fence_breaker")
    summary = tmp_path / "job-summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path))
    out: dict[str, str] = {}
    for fmt in ("terminal", "json", "markdown", "html", "junit", "gradescope"):
        target = tmp_path / f"report.{fmt}"
        done = runner.invoke(cli, ["grade", EXERCISE, "--workspace", str(workspace), "--format", fmt, "-o",
                                   str(target), "--seed", "1", "--course", str(course)], catch_exceptions=False)
        assert done.exit_code == 1, done.output
        out[fmt] = target.read_bytes().decode("utf-8")  # always encodable: no lone surrogate left
        if fmt == "terminal":
            annotations = done.output
    for fmt, text in out.items():
        assert "PWNED heading" in text, fmt  # shown, as text
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", text), fmt  # no NUL, no escape, no bell
        # Nothing shown in another order than it is (bidirectional overrides and isolates).
        readable = json.dumps(json.loads(text), ensure_ascii=False) if fmt in ("json", "gradescope") else text
        assert not re.search("[\u202a-\u202e\u2066-\u2069]", readable) and "Trojan source: \ufffdevil" in readable, fmt
    result = json.loads(out["json"])
    tests = result["exercises"][0]["tests"]
    assert any("lone surrogate:\ufffd" in t["message"] for t in tests)
    assert not any(t["grader_error"] for t in tests)
    # Markdown (the report, the job summary, Gradescope's test outputs): only inside code blocks.
    gradescope = json.loads(out["gradescope"])
    for markdown in [out["markdown"], summary.read_text(), gradescope["output"], *(t["output"] for t in gradescope["tests"])]:
        outside = _outside_code_blocks(markdown)
        assert "PWNED" not in outside and "<script" not in outside and "<img" not in outside
    assert "```````" in out["markdown"]  # a fence longer than the student's longest run of backticks
    # HTML: escaped; JUnit: well-formed for a real consumer.
    assert "<script>alert" not in out["html"] and "&lt;script&gt;alert" in out["html"]
    assert "<img src=x" not in out["html"]
    JUnitXml.fromstring(out["junit"].encode())
    # GitHub: one line per workflow command, none of them the student's.
    commands = [line for line in annotations.splitlines() if line.startswith("::")]
    assert commands and all(c.startswith("::error file=workspace/dot-product/similarity.py,line=") for c in commands)
    assert not any("PWNED annotation" in line or "PWNED encoded" in line
                   for line in annotations.splitlines() if not line.startswith("::error file=workspace/"))


def test_a_file_over_the_size_cap_is_the_students_clear_error(runner, course, tmp_path: Path, secret_env: None) -> None:
    """Finding 5: the grader reads, compares and parses a submission in its own process; a 10 MB
    literal once cost it 37 s and 4.7 GiB. Over the cap, the file is refused, quickly, as the
    student's error."""
    workspace = make_workspace(tmp_path, "honest_wrong")
    target = workspace / EXERCISE / "similarity.py"
    target.write_text(target.read_text() + "\nTABLE = [" + "1," * 3_000_000 + "]\n")  # 6 MB of literal
    graded = grade(runner, workspace, course)
    assert graded.exit_code == 1 and graded.score == 0 and graded.exercise["status"] == "error"
    assert "larger than 256 KB" in graded.exercise["error"]
    assert graded.seconds < 10  # parsing it took the grader ~20 s and ~3 GiB


def test_restarts_share_one_import_budget(runner, course, tmp_path: Path, baseline: float, secret_env: None,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Finding 8: an import just under its limit, then a crash on every call, restarted the worker
    (and the import) for every call: about 20 s × 24 calls for one exercise. Imports share one
    budget per exercise, restarts included. Here the budget is 0.5 s (in-process: the documented
    limit is 20 s) and the file takes 0.1 s to import: four restarts, then the calls time out
    without another import, and after three timeouts the remaining tests are not run."""
    monkeypatch.setattr("grader.proxy.IMPORT_TIME_LIMIT", 0.5)
    graded = _attack(runner, course, tmp_path, "slow_import_then_crash", baseline)
    tests = graded.exercise["tests"]
    assert sum("importing your file again" in t["message"] for t in tests) >= 1
    assert sum(t["message"].startswith("Not run") for t in tests) >= len(tests) - 8  # it restarted for every one
