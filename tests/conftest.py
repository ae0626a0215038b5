"""Shared fixtures: the real CLI in a subprocess, throwaway workspaces, student files."""
from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent
# No grading service unless a test asks for one (tests/test_service.py): a service started by one
# test's `learn grade` must not answer another's, nor outlive the suite.
os.environ["LEARN_SERVICE"] = "off"
EXAMPLE_COURSE = REPO / "tests" / "example_course"
# Where `learn` runs unless a test says: a folder that is neither a course nor a workspace, as a
# user's would be (the checkout itself is a course, which the student's commands refuse to use).
NEUTRAL = Path(tempfile.mkdtemp(prefix="learn-tests-cwd-"))
atexit.register(shutil.rmtree, NEUTRAL, True)


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> dict:
        return json.loads(self.stdout)


def run_learn(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: float = 300,
              input: str | None = None) -> Run:
    environment = {**os.environ, "NO_COLOR": "1", **(env or {})}
    environment.pop("GITHUB_ACTIONS", None)
    proc = subprocess.run([sys.executable, "-m", "grader", *args], cwd=cwd or NEUTRAL, env=environment,
                          capture_output=True, text=True, timeout=timeout, input=input)
    return Run(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def learn():
    return run_learn


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    folder = tmp_path / "ws"
    folder.mkdir()
    return folder


def write_student(workspace: Path, exercise: str, file: str, source: str) -> Path:
    path = workspace / exercise / file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source)
    return path


class Outcome:
    """What `learn` did in-process: its exit status and its stdout and stderr mixed."""

    def __init__(self, exit_code: int, output: str) -> None:
        self.exit_code, self.output = exit_code, output

    @property
    def json(self) -> dict:
        return json.loads(self.output)


def learn_in_process(*args: str | Path, cwd: Path | None = None) -> Outcome:
    """The real entry point (exit statuses included), without a Python start-up per call."""
    from grader.cli import main
    with CliRunner().isolation() as streams:
        before = os.getcwd()
        try:
            if cwd:
                os.chdir(cwd)
            main([str(a) for a in args])
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        finally:
            os.chdir(before)
        mixed = streams[2] if len(streams) == 3 else streams[0]  # click >= 8.2 / older
        return Outcome(code, mixed.getvalue().decode())


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A private copy of the example course that a test may break."""
    target = tmp_path / "course"
    shutil.copytree(EXAMPLE_COURSE, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def one_exercise_course(root: Path, exercise_id: str, file: str, *, yaml: str, stub: str, reference: str,
                        tests: str, mistakes: str | None = None) -> Path:
    """A throwaway course of one exercise (in the module its YAML names), from the texts of its files."""
    exercise = root / "exercises" / yaml.split("module: ", 1)[1].split("\n", 1)[0] / exercise_id
    solution = root / "solutions" / exercise_id
    exercise.mkdir(parents=True)
    solution.mkdir(parents=True)
    (exercise / "exercise.yaml").write_text(yaml)
    (exercise / file).write_text(stub)
    (solution / file).write_text(reference)
    (solution / f"test_{Path(file).stem}.py").write_text(tests)
    if mistakes is not None:
        (solution / "mistakes.py").write_text(mistakes)
    return root


@pytest.fixture
def deep_chain():
    """make(folder, depth=1200): a chain of folders DEPTH deep inside FOLDER (longer than PATH_MAX
    allows, so built with relative steps). Removed after the test with `rm -rf`: pytest's own clean-up
    of old temporary folders recurses and would fail on it in a later run."""
    made: list[Path] = []

    def make(folder: Path, depth: int = 1200) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder, os.O_RDONLY)
        for _ in range(depth):
            os.mkdir("x", dir_fd=fd)
            fd, above = os.open("x", os.O_RDONLY, dir_fd=fd), fd
            os.close(above)
        os.close(fd)
        made.append(folder / "x")
    yield make
    for chain in made:
        subprocess.run(["rm", "-rf", "--", str(chain)], check=False)


def pytest_report_header(config: pytest.Config) -> str:
    """The sandbox layer this user gets here (root in CI; tests/redteam/test_unprivileged.py
    runs the red team again as nobody): asked of a fresh process, as a grader would."""
    probe = subprocess.run([sys.executable, "-c", "from grader.sandbox import layers; print(*layers.isolation(), sep='|')"],
                           cwd=REPO, capture_output=True, text=True, timeout=60,
                           env={k: v for k, v in os.environ.items() if k != "LEARN_SANDBOX"})
    layer, _, why = probe.stdout.strip().partition("|")
    who = "root" if os.geteuid() == 0 else f"uid {os.geteuid()}"
    return f"learn sandbox for {who}: {layer or 'unknown'} ({why or probe.stderr.strip()[-200:]})"
