"""A regular `pip install .` (not only -e) ships the built-in course and everything the grader
reads at run time: templates, schemas, the course."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import REPO

pytestmark = pytest.mark.slow


def test_wheel_contains_the_course_templates_and_schemas(tmp_path):
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "-q", "-w", str(tmp_path)],
                           capture_output=True, text=True, timeout=600)
    if build.returncode != 0 and "No matching distribution found for hatchling" in build.stderr:
        pytest.skip("the build backend cannot be downloaded here")
    assert build.returncode == 0, build.stderr
    (wheel,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        "grader/_course/exercises/course.yaml",
        "grader/_course/exercises/01-projection/dot-product/exercise.yaml",
        "grader/_course/exercises/01-projection/dot-product/similarity.py",
        "grader/_course/solutions/dot-product/similarity.py",
        "grader/_course/solutions/signal-propagation/mistakes.py",
        "grader/reports/templates/report.html.j2", "grader/reports/templates/terminal.txt.j2",
        "grader/schema/results.schema.json", "grader/schema/exercise.schema.json", "grader/py.typed",
    }
    assert expected <= names, sorted(expected - names)
    assert not any(n.startswith(("tests/", "grader/_course/tests")) for n in names)


def test_installed_learn_runs_the_builtin_course_outside_the_checkout(tmp_path):
    learn = Path(sys.executable).parent / "learn"
    if not learn.exists():
        pytest.skip("the `learn` console script is not installed in this environment")
    where = subprocess.run([sys.executable, "-c", "import grader; print(grader.__file__)"], cwd=tmp_path,
                           capture_output=True, text=True).stdout.strip()
    if not Path(where).is_relative_to(REPO):  # a regular install: the course must be inside it
        assert (Path(where).parent / "_course" / "exercises" / "course.yaml").is_file()
    run = subprocess.run([str(learn), "list", "--workspace", str(tmp_path / "ws")], cwd=tmp_path,
                         capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1"})
    assert run.returncode == 0, run.stderr
    assert "0/18 exercises passed, 0/180 points" in run.stdout
    start = subprocess.run([str(learn), "start", "--workspace", str(tmp_path / "ws")], cwd=tmp_path,
                           capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1"})
    assert start.returncode == 0 and (tmp_path / "ws" / "dot-product" / "similarity.py").is_file()


def test_every_command_is_found_where_the_lazy_map_says():
    """Commands load lazily (grader.cli.COMMAND_MODULES): a command missing from the map, or
    mapped to the wrong module, would vanish from `learn CMD` though `learn --help` lists it."""
    import grader.cli
    grader.cli._register()
    defined = {name: command.callback.__module__ if command.callback else None
               for name, command in grader.cli.cli.commands.items()}
    groups = {name for name, command in grader.cli.cli.commands.items() if command.callback is None}
    assert not groups
    assert defined == grader.cli.COMMAND_MODULES


def test_grade_all_starts_its_server_before_the_command_line_and_the_course_load():
    """What `learn grade-all` imports before its fork server starts (grader.launcher): the server
    then has the CPU time this process spends loading click, the course and the hidden tests."""
    probe = ("import sys, grader.sandbox.client\n"
             "grader.sandbox.client.ForkServer.__init__ = lambda self: sys.exit(sorted(m for m in sys.modules "
             "if m.split('.')[0] in ('click', 'yaml', 'jinja2', 'numpy', 'pytest', 'ctypes') "
             "or m in ('grader.cli', 'grader.course', 'grader.reports', 'grader.sandbox.layers')))\n"
             "sys.argv = ['learn', '--debug', 'grade-all', '.', '--out', 'x']\n"
             "from grader.launcher import run\n"
             "run()\n")
    proc = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True)
    assert proc.stderr.strip() == "[]", proc.stderr


@pytest.mark.parametrize("args, starts", [
    (["grade-all", "subs", "--out", "r"], True), (["--debug", "grade-all", "subs"], True),
    (["grade-all", "--help"], False), (["grade"], False), (["--version"], False), ([], False)])
def test_only_grade_all_starts_a_server_before_its_command_line_is_parsed(args: list[str], starts: bool) -> None:
    from grader.launcher import starts_class_grading
    assert starts_class_grading(args) is starts
