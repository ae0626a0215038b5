"""The red-team harness: grade real hostile files through the real CLI and collect the evidence.

Every attack in ``attacks/`` is a student's ``similarity.py`` for the built-in ``dot-product``
exercise. :func:`grade` copies one into a throwaway workspace, grades it with
``learn grade dot-product --format json --seed 1`` (click's CliRunner, the grader's own
process), with a secret in the grader's environment, and returns what a reviewer needs: the
JSON, every byte the CLI printed, the files the run left behind, and how long it took.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import grader.cli
from grader.cli import cli

HERE = Path(__file__).resolve().parent
ATTACKS = HERE / "attacks"
PLANTED = HERE / "planted"
REPO = HERE.parent.parent
REFERENCE = REPO / "solutions" / "dot-product"
SECRET = "hunter2-redteam-7f3a"
EXERCISE, FILE = "dot-product", "similarity.py"
# Lines that occur only in the instructor's files: none may ever appear in a report.
INSTRUCTOR_MARKERS = (
    "Broadcasting would silently stretch a length-1 vector",   # the reference
    "arccos is steep next to",                                 # the hidden tests
)
HOST_CANARIES = (Path("/tmp/results.json"), Path("/tmp/learn-redteam-haunted.txt"))


@dataclass
class Graded:
    exit_code: int
    text: str                 # everything the CLI printed
    result: dict[str, Any]
    seconds: float
    workspace: Path

    @property
    def exercise(self) -> dict[str, Any]:
        return self.result["exercises"][0]

    @property
    def score(self) -> float:
        return float(self.result["score"])

    @property
    def messages(self) -> str:
        parts = [self.exercise.get("error", ""), self.exercise.get("output", "")]
        for test in self.exercise["tests"]:
            parts += [test.get("message", ""), test.get("output", "")]
        return "\n".join(parts)


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every path under FOLDER with its size and mtime: compared before and after a run."""
    return {str(p.relative_to(folder)): (p.lstat().st_size, p.lstat().st_mtime_ns)
            for p in sorted(folder.rglob("*"))}


def make_workspace(root: Path, attack: str, port: int = 0) -> Path:
    workspace = root / "workspace"
    target = workspace / EXERCISE / FILE
    target.parent.mkdir(parents=True)
    source = (ATTACKS / f"{attack}.py").read_text()
    target.write_text(source.replace("PORT = 0", f"PORT = {port}"))
    return workspace


def plant(workspace: Path) -> None:
    """Files a hostile student leaves beside the submission for a naive pytest-based grader."""
    for planted in PLANTED.glob("*.txt"):
        for folder in (workspace, workspace / EXERCISE):
            shutil.copy(planted, folder / planted.name.removesuffix(".txt"))


def copy_course(target: Path) -> Path:
    """The built-in course reduced to dot-product (its real files): loads in milliseconds, and
    stays put while other exercises are being written. The attacks still aim at the real
    solutions/ beside the grader package."""
    exercise = next(REPO.glob(f"exercises/*/{EXERCISE}"))
    shutil.copytree(exercise, target / "exercises" / exercise.parent.name / EXERCISE)
    shutil.copytree(REFERENCE, target / "solutions" / EXERCISE,
                    ignore=shutil.ignore_patterns("__pycache__"))
    return target


def grade(runner: CliRunner, workspace: Path, course: Path, seed: int = 1) -> Graded:
    started = time.monotonic()
    outcome = runner.invoke(cli, ["grade", EXERCISE, "--workspace", str(workspace), "--format", "json",
                                  "--seed", str(seed), "--course", str(course)], catch_exceptions=False)
    seconds = time.monotonic() - started
    return Graded(outcome.exit_code, outcome.output, json.loads(outcome.output), seconds, workspace)


def expected_layer() -> str:
    """What this machine should achieve, judged independently of the grader: namespaces when
    util-linux's ``unshare`` can create them (as root; else in a user namespace, mounting a
    /proc in there to prove it may mount), else the process layer."""
    if os.environ.get("LEARN_SANDBOX") == "process" or not shutil.which("unshare"):
        return "process"
    rootless = [] if os.geteuid() == 0 else ["--user", "--map-root-user", "--mount-proc"]
    probe = subprocess.run(["unshare", *rootless, "--net", "--pid", "--mount", "--fork", "true"],
                           capture_output=True, timeout=30)
    return "namespaces" if probe.returncode == 0 else "process"


def bound_folder() -> Path:
    """A fresh folder under a path every layer shows workers: the Python installation, else
    (a user who cannot write there) the grader package. Its name marks the attacks' targets."""
    for base in (Path(sys.prefix), Path(grader.__file__).resolve().parent):
        if os.access(base, os.W_OK):
            for stale in base.glob("learn-redteam-bound-*"):  # left by a run that was killed: the
                if time.time() - stale.stat().st_mtime > 3600:  # attacks would find its course
                    shutil.rmtree(stale, ignore_errors=True)
            folder = Path(tempfile.mkdtemp(prefix="learn-redteam-bound-", dir=base))
            folder.chmod(0o755)  # a worker may look: what it must not see is hidden, not unreadable
            return folder
    pytest.skip("no folder a worker sees is writable here")


def landlock_here() -> bool:
    """Does this kernel offer Landlock (asked directly: landlock_create_ruleset's version query)?"""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    return libc.syscall(ctypes.c_long(444), None, ctypes.c_size_t(0), ctypes.c_uint32(1)) > 0


# --- fixtures: the test modules import them by name (a conftest.py here would shadow the
# suite's top-level `conftest` module, which other test files import) ---------------------------

@pytest.fixture(scope="session")
def runner() -> CliRunner:
    grader.cli._register()
    return CliRunner()


@pytest.fixture
def secret_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEARN_TEST_SECRET", SECRET)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)


@pytest.fixture(scope="session")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_course(tmp_path_factory.mktemp("course"))
