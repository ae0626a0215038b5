"""Shared fixtures: the real CLI in a subprocess, throwaway workspaces, student files."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_COURSE = REPO / "tests" / "example_course"


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
    proc = subprocess.run([sys.executable, "-m", "grader", *args], cwd=cwd or REPO, env=environment,
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
