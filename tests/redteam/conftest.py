"""Fixtures of the red-team suite; the harness itself lives in redteam_harness.py."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

import grader.cli
from redteam_harness import SECRET, copy_course


@pytest.fixture(scope="session")
def runner() -> CliRunner:
    grader.cli._register()
    return CliRunner()


@pytest.fixture
def secret_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEARN_TEST_SECRET", SECRET)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)


@pytest.fixture(scope="session")
def course(tmp_path_factory: pytest.TempPathFactory):
    return copy_course(tmp_path_factory.mktemp("course"))
