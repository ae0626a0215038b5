"""`learn grade-all`, `learn gradebook merge` and the CI example workflows, through the real CLI."""
from __future__ import annotations

import csv
import json
import os
import signal
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from classroom_fixtures import HOSTILE, REPO, make_class, make_course, put
from unprivileged import can_run_as_nobody, owned_by_nobody, readable_copy, run_as_nobody, world_temp_dir

from grader.classroom import plan as planning, records
from grader.sandbox.scratch import remove_tree
from grader.classroom.shards import in_shard

pytestmark = pytest.mark.slow


def learn(*args: str, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "grader", *args], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300)
    if check:
        assert proc.returncode == 0, proc.stderr + proc.stdout
    return proc


def rows(results: Path) -> dict[str, dict[str, str]]:
    with open(results / "gradebook.csv", newline="", encoding="utf-8") as handle:
        return {r["student"]: r for r in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path, dict[str, str]]:
    root = tmp_path_factory.mktemp("class")
    course = make_course(root / "course")
    submissions = root / "submissions"
    kinds = make_class(course, submissions)
    results = root / "results"
    proc = learn("grade-all", str(submissions), "--out", str(results), "--course", str(course), "--jobs", "2",
                 "--seed-secret", "LEARN_TEST_SECRET", env={"LEARN_TEST_SECRET": "s3cret", "GITHUB_ACTIONS": "",
                                                             "LEARN_TEST_MARKER": "s3cret"})
    assert "skipped 'notes.txt'" in proc.stderr and "note: 'ghost' holds no Python file or notebook" in proc.stderr
    return course, submissions, results, kinds


def test_mixed_class_gets_one_correct_row_per_student(graded):
    course, submissions, results, kinds = graded
    book = rows(results)
    assert set(book) == {("'" + HOSTILE), "ghost", *(k for k in kinds if k != HOSTILE)}
    assert book["ghost"]["total"] == "0" and book["ghost"]["reason"].startswith("no exercise started")
    assert book["alice"]["total"] == "20" and book["alice"]["dot-product"] == "10"
    assert 0 < float(book["bob"]["dot-product"]) < 10 and book["bob"]["softmax"] == "0"
    assert book["carol"]["dot-product"] == "0" and 0 < float(book["carol"]["softmax"]) < 10
    assert float(book["dave"]["total"]) < 10
    # The reason says what happened, not just "error": where the student's code raised, or why
    # the file could not run at all.
    assert book["dave"]["reason"] == "dot-product: error in 24 of 24 tests: ZeroDivisionError in dot (line 32)"
    assert book["erin"]["total"] == "0" and book["erin"]["reason"].startswith(
        "dot-product: error: importing similarity.py ended its process before it finished")
    assert book["frank"]["reason"].startswith("softmax: timeout in ")
    assert "log_softmax() did not finish within 0.5 s" in book["frank"]["reason"]
    assert book["'" + HOSTILE]["dot-product"] == "10"
    assert all(r["max"] == "20" and r["status"] == "graded" for r in book.values())
    header = (results / "gradebook.csv").read_text().splitlines()[0]
    assert header == "student,total,max,dot-product,softmax,status,reason"


def test_the_reason_names_what_a_crashing_file_raised_on_one_safe_line(tmp_path):
    """An instructor reading the gradebook sees why a 0 is a 0 (a missing package, a syntax error,
    a misspelled function) without opening each report. The student writes the message, so it
    reaches the gradebook, summary.md and summary.html on one capped line, as data."""
    course = make_course(tmp_path / "course")
    subs = tmp_path / "subs"
    put(subs, "tom", "dot-product", "import torch\n")
    put(subs, "sam", "dot-product", "import numpy as np\n\ndef dot(q, k)\n    return 1\n")
    put(subs, "ned", "dot-product", "def dott(q, k):\n    return 1\n")
    hostile = "=1+2 | `x` [a](http://evil.example) <b>bold</b>\u202eevil\n" + "long " * 40
    put(subs, "eve", "dot-product", f"raise RuntimeError({hostile!r})\n")
    results = tmp_path / "results"
    learn("grade-all", str(subs), "--out", str(results), "--course", str(course), "--jobs", "2")
    book = rows(results)
    assert book["tom"]["reason"] == "dot-product: error: ModuleNotFoundError: No module named 'torch' (line 1)"
    assert book["sam"]["reason"] == "dot-product: error: SyntaxError: expected ':' (line 3)"
    assert book["ned"]["reason"].startswith("dot-product: error: similarity.py defines none of the exercise's "
                                            "functions, dot(), cosine_similarity() and angle()")
    reason = book["eve"]["reason"]
    assert reason.startswith("dot-product: error: RuntimeError: =1+2 | `x` [a](http://evil.example) "
                             "<b>bold</b>\ufffdevil long long") and reason.endswith("… (line 1)")
    assert len(reason) < 150 and "\n" not in reason and "\u202e" not in reason
    md = (results / "summary.md").read_text()
    (row,) = [line for line in md.splitlines() if line.startswith("| `eve` |")]
    assert row == ("| `eve` | `dot-product` | ``error: RuntimeError: =1+2 \\| `x` [a](http://evil.example) "
                   "<b>bold</b>\ufffdevil " + "long " * 6 + "lo… (line 1)`` |"), row  # a code span: data
    html = (results / "summary.html").read_text()
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "<b>bold</b>" not in html
    assert "ModuleNotFoundError: No module named &#39;torch&#39; (line 1)" in html


def test_per_student_files_and_seeds(graded):
    course, submissions, results, kinds = graded
    for name in kinds:
        folder = results / name  # the submission folder's own name, whatever it holds
        data = json.loads((folder / "results.json").read_text())
        assert data["schema"] == "learn.results/1" and data["student"] == name
        from grader import seeds
        assert data["seed"] == seeds.seed_from_secret("s3cret", name)
        assert (folder / "report.html").read_text().startswith("<!DOCTYPE html>")
        assert "learn:" in (folder / "report.md").read_text()
    assert (results / HOSTILE / "grading.json").is_file()
    # The secret never reaches the student reports or the grading processes' environment.
    assert "s3cret" not in "".join(p.read_text() for p in results.rglob("*") if p.is_file())


def test_summary_has_the_analytics(graded):
    _course, _subs, results, _kinds = graded
    md = (results / "summary.md").read_text()
    html = (results / "summary.html").read_text()
    for text in (md, html):
        assert "Score distribution" in text and "dot-no-length-check" in text and "no-max-subtraction" in text
        assert "erin" in text and "frank" in text and "notes.txt" in text
        assert "Started no exercise" in text and "ghost" in text
    assert "<svg" in html and "<script" not in html


def test_resume_after_kill_reproduces_the_gradebook(graded, tmp_path):
    course, submissions, results, _kinds = graded
    resumed = tmp_path / "resumed"
    env = {**os.environ, "LEARN_TEST_SECRET": "s3cret"}
    proc = subprocess.Popen([sys.executable, "-m", "grader", "grade-all", str(submissions), "--out", str(resumed),
                             "--course", str(course), "--jobs", "1", "--seed-secret", "LEARN_TEST_SECRET"],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            start_new_session=True)
    with proc:
        for line in proc.stdout:  # kill the whole run as soon as two students are committed
            if line.startswith("[2/"):
                os.killpg(proc.pid, signal.SIGKILL)
                break
        proc.wait()
    done = {p.parent.name for p in resumed.glob("*/grading.json")}
    assert 2 <= len(done) < 7 and not (resumed / "gradebook.csv").exists()
    (submissions / "alice" / "softmax" / "softmax.py").touch()  # unchanged content: still reused
    out = learn("grade-all", str(submissions), "--out", str(resumed), "--course", str(course), "--jobs", "2",
                "--seed-secret", "LEARN_TEST_SECRET", "--resume", env={"LEARN_TEST_SECRET": "s3cret"}).stdout
    assert f"reused {len(done)}" in out
    assert (resumed / "gradebook.csv").read_text() == (results / "gradebook.csv").read_text()


def test_standby_workers_are_asked_for_exactly_the_files_grading_will_run(graded, tmp_path):
    """The fork server starts workers ahead for the first files the grading processes will ask
    for (forkserver.Standby): in grading order, never an untouched stub or a missing file, never
    a student --resume reuses, at most STANDBY_WORKERS of them."""
    from grader.course import load_course
    course_dir, submissions, results, _kinds = graded
    course = load_course(course_dir)
    plan = planning.plan_class(course, submissions, tmp_path / "fresh")
    expected = [(HOSTILE, "dot-product"), ("alice", "dot-product"), ("alice", "softmax"), ("bob", "dot-product"),
                ("carol", "softmax"), ("dave", "dot-product"), ("erin", "dot-product"), ("frank", "softmax")]
    assert [e.id for e in course.exercises] == ["dot-product", "softmax"]
    files = planning.standby_files(course, plan)
    assert [(f.parent.parent.name, f.parent.name) for f in files] == expected
    assert all(f.is_absolute() for f in files)  # the path a grading process asks for: see grade_workspace
    assert planning.standby_files(course, plan, limit=3) == files[:3]
    assert planning.standby_files(course, planning.plan_class(course, submissions, results, "s3cret", resume=True)) == []


def test_three_shards_merge_to_the_unsharded_gradebook(graded, tmp_path):
    course, submissions, results, _kinds = graded
    shards = []
    for i in (1, 2, 3):
        shard = tmp_path / f"shard-{i}"
        learn("grade-all", str(submissions), "--out", str(shard), "--course", str(course), "--jobs", "1",
              "--shard", f"{i}/3", "--seed-secret", "LEARN_TEST_SECRET", env={"LEARN_TEST_SECRET": "s3cret"})
        shards.append(shard)
    sizes = [len(rows(s)) for s in shards]
    assert sum(sizes) == 8
    merged = tmp_path / "merged"
    learn("gradebook", "merge", *map(str, shards), "--out", str(merged))
    assert (merged / "gradebook.csv").read_text() == (results / "gradebook.csv").read_text()
    assert "ghost" in (merged / "summary.md").read_text()
    # One unsharded results folder given twice is merged once, and the count says so (it said
    # "from 2 folder(s)"): an instructor's review.
    again = learn("gradebook", "merge", str(results), str(results), "--out", str(tmp_path / "again"))
    assert "Merged 8 students from 1 folder(s)" in again.stdout and "given more than once" in again.stderr
    assert (tmp_path / "again" / "gradebook.csv").read_text() == (results / "gradebook.csv").read_text()
    # Stable under added students: a newcomer never moves anyone else between shards.
    names = [f"student{i}" for i in range(200)]
    before = {n: in_shard(n, (2, 3)) for n in names}
    assert all(in_shard(n, (2, 3)) == before[n] for n in names)
    assert [sum(in_shard(n, (i, 3)) for i in (1, 2, 3)) for n in names] == [1] * 200


def test_usage_errors(graded, tmp_path):
    from click.testing import CliRunner
    from grader.cli import _register, cli
    from grader.errors import LearnError
    _register()
    course, submissions, _results, _kinds = graded
    base = ["grade-all", str(submissions), "--out", str(tmp_path / "r"), "--course", str(course)]
    runner = CliRunner()
    for args, says in (([*base, "--seed-secret", "LEARN_UNSET_VARIABLE_XYZ"], "LEARN_UNSET_VARIABLE_XYZ"),
                       ([*base, "--shard", "4/3"], "--shard"),
                       (["gradebook", "merge", str(tmp_path), "--out", str(tmp_path / "m")], "no graded students")):
        result = runner.invoke(cli, args)
        assert isinstance(result.exception, LearnError) and says in str(result.exception)
        assert result.exception.exit_code == 2


def test_formula_injection_is_escaped():
    from grader.classroom.gradebook import escape_cell
    for cell in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1"):
        assert escape_cell(cell).lstrip().startswith("'")
    assert escape_cell("alice") == "alice"


def _layer_for_nobody() -> str:
    """What the grader gets as a user without privileges here, judged by util-linux's unshare."""
    probe = ["unshare", "--user", "--map-root-user", "--mount-proc", "--net", "--pid", "--mount", "--fork", "true"]
    done = run_as_nobody(probe, Path("/"), dict(os.environ), 60) if os.geteuid() == 0 else \
        subprocess.run(probe, capture_output=True, timeout=60)
    return "namespaces" if done.returncode == 0 else "process"


def test_example_workflows_run_their_exact_commands(graded, tmp_path):
    """Every `run:`/`script:` of the example CI files that calls learn, executed as written
    (`learn` is this checkout), in a course repository with a small class. GitHub's steps run as
    a user without privileges, as on GitHub's runners (nobody, on a copy of this checkout it
    owns); GitLab's as root, as in its container. Each says in its job summary which sandbox
    layer it got, and every run gets namespaces (or, where this machine offers none without
    root, --require-isolation refuses to grade). The student's job is red while the report shows
    less than a pass, and green once every exercise passes. Shards come from the engine's own
    variables (--shard auto)."""
    course, _submissions, _results, _kinds = graded
    unprivileged = os.geteuid() == 0 and can_run_as_nobody() is None
    root = world_temp_dir("learn-examples-")
    checkout = readable_copy(root / "learn") if unprivileged else REPO
    bin_dir = root / "bin"
    bin_dir.mkdir()
    (bin_dir / "learn").write_text(f'#!/bin/sh\nPYTHONPATH={checkout} exec {sys.executable} -m grader "$@"\n')
    (bin_dir / "learn").chmod(0o755)
    work = root / "work"
    for part in ("exercises", "solutions"):  # the checkout is the course repository
        shutil.copytree(course / part, work / part, ignore=shutil.ignore_patterns("__pycache__"))
    dot = (course / "solutions" / "dot-product" / "similarity.py").read_text()
    for student in ("ann", "ben", "cy", "dee"):
        put(work / "submissions", student, "dot-product", dot)
    put(work, ".", "dot-product", dot)  # the student workflow grades the checkout itself, half done
    (root / "summary.md").write_text("")  # emptied (not replaced: it stays nobody's) before each run
    if unprivileged:
        owned_by_nobody(root)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "LEARN_SEED_SECRET": "s3cret",
           "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(root / "summary.md"),
           "GITHUB_WORKSPACE": str(work), "LEARN_COURSE": str(work), "CI_NODE_TOTAL": "3"}
    env.pop("LEARN_SANDBOX", None)
    scripts = []
    for name in ("github-student.yml", "github-class-matrix.yml", "gitlab-ci.yml"):
        doc = yaml.safe_load((REPO / "examples" / "ci" / name).read_text())
        jobs = doc["jobs"].values() if "jobs" in doc else [v for v in doc.values() if isinstance(v, dict) and "script" in v]
        for job in jobs:
            for step in job.get("steps") or [{"run": "\n".join(job["script"]), "parallel": job.get("parallel")}]:
                if "learn " in step.get("run", ""):
                    scripts.append((name, step["run"], job.get("strategy") or step.get("parallel")))
    assert [s[0] for s in scripts] == ["github-student.yml"] + ["github-class-matrix.yml"] * 2 + ["gitlab-ci.yml"] * 2
    github_layer = _layer_for_nobody() if unprivileged or os.geteuid() != 0 else "namespaces"

    def run(name: str, script: str, shard: int = 0) -> subprocess.CompletedProcess:
        """SCRIPT as its engine runs it: GitHub's as nobody, with the variables each engine sets in
        the job (--shard auto reads them), once per parallel job."""
        (root / "summary.md").write_text("")
        engine = {"GITLAB_CI": "true", "GITHUB_ACTIONS": ""} if name.startswith("gitlab") else {}
        job_env = {**env, **engine, "LEARN_JOB_INDEX": str(shard), "LEARN_JOB_TOTAL": "3", "CI_NODE_INDEX": str(shard + 1)}
        command = ["bash", "-eo", "pipefail", "-c", script]
        return run_as_nobody(command, work, job_env, 300) if unprivileged and name.startswith("github") \
            else subprocess.run(command, cwd=work, capture_output=True, text=True, env=job_env, timeout=300)

    summaries = {}
    try:
        # The student's job is red while the report shows less than a pass (softmax is not started),
        # yet its test report is written for the upload step (`if: always()`).
        half_done = run(*scripts[0][:2])
        assert half_done.returncode == 1, half_done.stdout + half_done.stderr
        junit = (work / "junit.xml").read_text()
        assert 'failures="0"' in junit and "<skipped" in junit
        put(work, ".", "softmax", (course / "solutions" / "softmax" / "softmax.py").read_text())
        if unprivileged:
            owned_by_nobody(work / "softmax")
        current = None
        for name, script, parallel in scripts:
            if name != current:  # each workflow runs in a fresh checkout: no shard folders of another
                for folder in [*work.glob("results-*"), work / "merged"]:
                    shutil.rmtree(folder, ignore_errors=True)
                current = name
            for shard in range(3) if parallel else (0,):
                proc = run(name, script, shard)
                if name.startswith("github") and github_layer != "namespaces" and "grade-all" in script:
                    assert proc.returncode == 2 and "--require-isolation namespaces" in proc.stderr, proc.stderr
                    pytest.skip("no namespaces here without root: the class workflow refuses to grade, as it should")
                assert proc.returncode == 0, f"{name}: {script}\n{proc.stdout}\n{proc.stderr}"
                summaries.setdefault((name, script), []).append((root / "summary.md").read_text() + proc.stderr)
        assert (work / "junit.xml").read_text().startswith("<?xml")
        assert set(rows(work / "merged")) == {"ann", "ben", "cy", "dee"}
    finally:
        shutil.rmtree(root, ignore_errors=True)
    student, shards, merge, gitlab, _gitlab_merge = summaries.values()
    assert "## learn: 20/" in student[0] and "sandbox: namespaces" in student[0]
    assert all("learn: class summary" in summary and "Warning" not in summary for summary in shards)
    graded_shards = [summary for summary in shards if "\n0/0 students graded" not in summary]
    assert graded_shards and all("Sandbox: `namespaces`" in summary for summary in graded_shards)
    assert "Sandbox: `namespaces` (4 students)" in merge[0]
    assert "sandbox: namespaces (" in gitlab[0]  # GitLab has no job summary: its log (stderr) says it


GRADER_FAULTS = '''
import os
import signal

import numpy as np


def test_zz_this_grading_process_survives(student):
    """Instructor code gone wrong: the grading process dies while grading one student."""
    if student.dot(np.zeros(2), np.zeros(2)) == 42.0:
        os.kill(os.getpid(), signal.SIGKILL)
'''


def test_a_dying_or_failing_grader_costs_one_row_each(tmp_path):
    """One student kills the grading process, the grader fails on another: each gets a row
    saying so, a fresh grading process takes over, and everyone else is graded (also the
    students already queued behind them: a grading process gets two tasks ahead)."""
    course = make_course(tmp_path / "course")
    (course / "solutions" / "dot-product" / "test_zz_faults.py").write_text(GRADER_FAULTS)
    dot = (course / "solutions" / "dot-product" / "similarity.py").read_text()
    submissions = tmp_path / "submissions"
    for name in ("alice", "bob", "dave", "erin", "zoe"):
        put(submissions, name, "dot-product", dot)
    put(submissions, "killer", "dot-product", dot.replace("    return np.sum(q * k)", "    return 42.0"))
    results = tmp_path / "results"
    (results / "dave" / "report.html").mkdir(parents=True)  # writing dave's report will fail
    proc = learn("grade-all", str(submissions), "--out", str(results), "--course", str(course), "--jobs", "1",
                 check=False)
    assert proc.returncode == 3, proc.stderr  # the grader's own failure (the CLI contract's status 3)
    book = rows(results)
    assert set(book) == {"alice", "bob", "dave", "erin", "killer", "zoe"}
    assert book["killer"]["status"] == "grader_error" and "exit status -9" in book["killer"]["reason"]
    assert book["dave"]["status"] == "grader_error" and "IsADirectoryError" in book["dave"]["reason"]
    for name in ("alice", "bob", "erin", "zoe"):  # erin was queued behind dave, zoe behind killer
        assert book[name]["status"] == "graded" and book[name]["dot-product"] == "10"
    assert "The grader failed on 2 student(s)" in proc.stderr
    # --resume retries exactly the two the grader failed on.
    (results / "dave" / "report.html").rmdir()
    out = learn("grade-all", str(submissions), "--out", str(results), "--course", str(course), "--jobs", "2",
                "--resume", check=False).stdout
    assert "Graded 2 student(s), reused 4" in out
    assert rows(results)["dave"]["status"] == "graded" and rows(results)["killer"]["status"] == "grader_error"


def test_damaged_results_are_graded_again_and_never_merged_as_good(graded, tmp_path):
    """Results are not fsynced one by one: grading.json names each file's digest instead, so
    a file that did not reach the disk (or was edited) is detected, not trusted."""
    course, submissions, results, _kinds = graded
    copy = tmp_path / "results"
    shutil.copytree(results, copy)
    (copy / "bob" / "report.md").write_text("")  # lost in a power cut
    merged = tmp_path / "merged"
    learn("gradebook", "merge", str(copy), "--out", str(merged))
    bob = rows(merged)["bob"]
    assert bob["status"] == "grader_error" and "damaged" in bob["reason"] and bob["total"] == ""
    out = learn("grade-all", str(submissions), "--out", str(copy), "--course", str(course), "--jobs", "2",
                "--seed-secret", "LEARN_TEST_SECRET", "--resume", env={"LEARN_TEST_SECRET": "s3cret"}).stdout
    assert "Graded 1 student(s), reused 7" in out
    assert (copy / "gradebook.csv").read_text() == (results / "gradebook.csv").read_text()


def test_results_folders_are_the_submission_folders_own_names(tmp_path, deep_chain):
    """RESULTS/<student>/ is the folder's own name, commas and quotes included; a name that is
    one of the class files, or that no report can show (not UTF-8, a newline), is refused with a
    row saying why; discovery never recurses (a chain of folders 1200 deep ended grade-all with
    a RecursionError, exit 3). --resume and gradebook merge find every student again."""
    course = make_course(tmp_path / "course")
    dot = (course / "solutions" / "dot-product" / "similarity.py").read_text()
    submissions = tmp_path / "submissions"
    for name in ("a,b c", "Zoë \"the\" ;,", "gradebook.csv", "run.json", "line\nbreak", "deep-and-file",
                 "\ufeff=1+1", "ali\u202egnp.exe", "alice", "alice\u200b", "alice ", "alice\ufe0f",
                 "jos\u00e9", "jose\u0301", "al ice", "al\u00a0ice"):
        put(submissions, name, "dot-product", dot)
    os.mkdir(os.fsencode(submissions) + b"/caf\xe9")  # not UTF-8
    put(submissions, "caf\udce9", "dot-product", dot)
    for student in ("deep-and-file", "deep-only"):
        deep_chain(submissions / student)
    results = tmp_path / "results"
    proc = learn("grade-all", str(submissions), "--out", str(results), "--course", str(course), "--jobs", "2",
                 check=False)
    assert proc.returncode == 0, proc.stderr
    book = rows(results)
    for name in ("a,b c", 'Zoë "the" ;,', "deep-and-file"):
        assert book[name]["status"] == "graded" and book[name]["dot-product"] == "10"
        assert json.loads((results / name / "results.json").read_text())["student"] == name
    for name in ("gradebook.csv", "run.json"):
        assert book[name]["status"] == "refused" and "class files" in book[name]["reason"] and book[name]["total"] == ""
    assert book["line break"]["status"] == "refused" and "control characters" in book["line break"]["reason"]
    # Found by an attacker's review: a byte order mark hid the formula from the check; a bidirectional
    # override shows a name in another order than it is ("Trojan Source").
    # (Since then invisible characters are refused too: the cell is still escaped.)
    assert book["'\ufeff=1+1"]["status"] == "refused" and "invisible" in book["'\ufeff=1+1"]["reason"]
    assert book["ali\ufffdgnp.exe"]["status"] == "refused" and "bidirectional" in book["ali\ufffdgnp.exe"]["reason"]
    assert book["caf\ufffd"]["status"] == "refused" and "UTF-8" in book["caf\ufffd"]["reason"]
    # Names that would read as another's (an attacker's review): three rows that all read "alice".
    assert book["alice"]["status"] == "graded"
    assert book["alice\u200b"]["status"] == "refused" and "invisible characters" in book["alice\u200b"]["reason"]
    assert book["alice "]["status"] == "refused" and "begins or ends with a space" in book["alice "]["reason"]
    assert book["alice\ufe0f"]["status"] == "refused" and "variation selector" in book["alice\ufe0f"]["reason"]
    # Two folders that look the same in other code points (é composed or not, a no-break space): both
    # refused, each naming the other (the attacker's review of this stop).
    for name, twin in (("jos\u00e9", "jose\u0301"), ("al ice", "al\u00a0ice")):
        for one, other in ((name, twin), (twin, name)):
            assert book[one]["status"] == "refused" and f"looks the same as {other!r}" in book[one]["reason"]
    # Files deeper than discovery looks: a student all the same, whose row says nothing was found.
    assert book["deep-only"]["status"] == "graded" and book["deep-only"]["total"] == "0"
    assert book["deep-only"]["reason"].startswith("no exercise started")
    assert "note: 'deep-only' holds no Python file or notebook (looked 8 folders deep)" in proc.stderr
    assert (results / "gradebook.csv").is_file() and (results / "run.json").is_file()
    assert sorted(p.name for p in results.iterdir() if p.is_dir() and p.name not in records.CLASS_FILES) == \
        sorted(["a,b c", 'Zoë "the" ;,', "deep-and-file", "alice", "deep-only"])
    assert not [p for p in results.iterdir() if p.is_file() and p.name not in records.CLASS_FILES]
    # --resume finds every student again; a merge of the folder writes the same gradebook.
    again = learn("grade-all", str(submissions), "--out", str(results), "--course", str(course), "--resume")
    assert "Graded 0 student(s), reused 5" in again.stdout
    merged = tmp_path / "merged"
    learn("gradebook", "merge", str(results), "--out", str(merged))
    assert (merged / "gradebook.csv").read_text() == (results / "gradebook.csv").read_text()
    for student in ("deep-and-file", "deep-only"):  # shutil.rmtree (pytest's too) recurses once per level
        assert remove_tree(str(submissions / student), time.monotonic() + 120)


def test_a_broken_hidden_test_is_the_graders_error_for_the_class(tmp_path):
    """Finding 7: a hidden test that fails with the reference too is the grader's error: the
    students it touched get no final grade (a grader_error row: total and that exercise blank),
    the summary counts them, grade-all exits 3, and --resume grades them again (only them)."""
    course = make_course(tmp_path / "course")
    tests_file = course / "solutions" / "softmax" / "test_softmax.py"
    source = tests_file.read_text()
    broken = source.replace('    assert_close(student.softmax(x), reference.softmax(x), name="softmax(x)")\n\n\n@pytest.mark.points(1)\ndef test_softmax_large_logits',
                            '    assert_close(student.softmax(x), reference.no_such_helper(x))\n\n\n@pytest.mark.points(1)\ndef test_softmax_large_logits')
    assert broken != source
    tests_file.write_text(broken)
    dot = (course / "solutions" / "dot-product" / "similarity.py").read_text()
    soft = (course / "solutions" / "softmax" / "softmax.py").read_text()
    submissions = tmp_path / "submissions"
    put(submissions, "alice", "dot-product", dot)
    put(submissions, "alice", "softmax", soft)
    put(submissions, "bob", "dot-product", dot)  # never reaches the broken test
    results = tmp_path / "results"
    args = ("grade-all", str(submissions), "--out", str(results), "--course", str(course), "--jobs", "2")
    proc = learn(*args, check=False)
    assert proc.returncode == 3, proc.stderr
    assert "The grader failed on 1 student(s)" in proc.stderr
    book = rows(results)
    assert book["alice"]["status"] == "grader_error" and book["alice"]["total"] == "" and book["alice"]["softmax"] == ""
    assert book["alice"]["dot-product"] == "10" and "softmax: test_softmax_batched" in book["alice"]["reason"]
    assert book["bob"]["status"] == "graded" and book["bob"]["total"] == "10"
    for summary in ("summary.md", "summary.html"):
        text = (results / summary).read_text()
        assert "The grader failed on these students" in text and "test_softmax_batched" in text
        # Her score is not final: the statistics leave her out, as the gradebook does (they once
        # said "2/2 students graded" and counted her partial total in the mean).
        assert "1/2 students graded · mean 10/20" in text, text[:400]
    # But the exercises the grader did grade for her count in their own statistics (an author's
    # review: one broken test once emptied every exercise's row for such students).
    summary = (results / "summary.md").read_text()
    assert "| `dot-product` | 2 | 2 | 100% | 10/10 |" in summary, summary
    assert "| `softmax` | 0 | 0 | 0% | 0/10 |" in summary  # hers not graded, nobody else's submitted
    assert "alice: grader error on softmax: test_softmax_batched (not final: 19.5/20 without those tests" in proc.stdout
    assert "mean 10/20, 1 not final (the grader failed)." in proc.stdout
    # The LMS gets no number for her either, and the instructor is told why.
    (tmp_path / "roster.csv").write_text("folder,name,id,sis_user_id,sis_login_id,section\n"
                                         "alice,Alice,1,S1,alice,A\nbob,Bob,2,S2,bob,A\n")
    export = learn("gradebook", "export", str(results), "--lms", "canvas", "--roster", str(tmp_path / "roster.csv"),
                   "--assignment", "LA", "--out", str(tmp_path / "canvas.csv"), check=False)
    assert export.returncode == 1
    assert (tmp_path / "canvas.csv").read_text().splitlines()[2:] == ["Alice,1,S1,alice,A,", "Bob,2,S2,bob,A,10"]
    assert "the grader failed on softmax" in export.stdout + export.stderr
    again = learn(*args, "--resume", check=False)
    assert again.returncode == 3 and "Graded 1 student(s), reused 1" in again.stdout


def test_a_huge_file_is_read_no_further_than_the_cap(tmp_path):
    """Finding 5: the grader hashed (--resume), compared (not started?) and parsed a submitted file
    whatever its size, in its own process. A sparse 600 MB file costs nothing on disk; the grader
    reads no more than 256 KB of it and the student is told why it was not graded."""
    course = make_course(tmp_path / "course")
    dot = (course / "solutions" / "dot-product" / "similarity.py").read_text()
    submissions = tmp_path / "submissions"
    put(submissions, "alice", "dot-product", dot)
    put(submissions, "huge", "dot-product", dot)
    with open(submissions / "huge" / "dot-product" / "similarity.py", "r+b") as handle:
        handle.truncate(600 * 1024 ** 2)
    results = tmp_path / "results"
    learn("grade-all", str(submissions), "--out", str(results), "--course", str(course), "--jobs", "2")
    book = rows(results)
    assert book["alice"]["total"] == "10" and book["huge"]["status"] == "graded" and book["huge"]["total"] == "0"
    exercise = json.loads((results / "huge" / "results.json").read_text())["exercises"][0]
    assert exercise["status"] == "error" and "larger than 256 KB" in exercise["error"]


def test_a_misnamed_file_is_the_reason_of_its_zero_in_the_gradebook(tmp_path):
    """subs/mia/dot-product/solution.py, a correct answer under the wrong name, used to score 0 as
    "not started" with an empty reason. It is still not graded (the contract is the file name),
    and the gradebook's reason and results.json say which file is there; renaming it is a change
    --resume grades again."""
    course = make_course(tmp_path / "course")
    dot = (course / "solutions" / "dot-product" / "similarity.py").read_text()
    submissions, results = tmp_path / "subs", tmp_path / "results"
    put(submissions, "ann", "dot-product", dot)
    misnamed = submissions / "mia" / "dot-product" / "solution.py"
    misnamed.parent.mkdir(parents=True)
    misnamed.write_text(dot)
    args = ["grade-all", str(submissions), "--out", str(results), "--course", str(course), "--jobs", "1"]
    learn(*args)
    mia = rows(results)["mia"]
    assert mia["status"] == "graded" and mia["dot-product"] == "0"
    assert mia["reason"] == "dot-product: similarity.py does not exist; found solution.py: rename it to similarity.py"
    (exercise,) = [e for e in json.loads((results / "mia" / "results.json").read_text())["exercises"]
                   if e["id"] == "dot-product"]
    assert exercise["status"] == "not_started" and exercise["found"] == ["solution.py"]
    assert rows(results)["ann"]["reason"] == ""
    misnamed = misnamed.rename(misnamed.with_name("answer.py"))  # still misnamed: the reason changes
    assert "Graded 1 student(s), reused 1" in learn(*args, "--resume").stdout
    assert "found answer.py: rename it to similarity.py" in rows(results)["mia"]["reason"]
    misnamed.rename(misnamed.with_name("similarity.py"))
    assert "Graded 1 student(s), reused 1" in learn(*args, "--resume").stdout
    assert rows(results)["mia"]["dot-product"] == "10" and rows(results)["mia"]["reason"] == ""


def test_a_file_of_the_right_name_in_the_wrong_folder_is_named_in_the_gradebook_and_summary(tmp_path):
    """A class collected by hand: a loose similarity.py, a workspace one folder down (a clone of
    the student's repository), a folder named Dot-Product. Each used to score 0 with an empty
    reason, and the summary named none of them. They are still not graded (the contract is
    <exercise-id>/<file>), but the reason says where the file is and where to move it, the
    summary lists them beside the misnamed file, and moving it is a change --resume grades."""
    course = make_course(tmp_path / "course")
    dot = (course / "solutions" / "dot-product" / "similarity.py").read_text()
    submissions, results = tmp_path / "subs", tmp_path / "results"
    put(submissions, "ann", "dot-product", dot)
    placed = {"frank": "similarity.py", "gina": "linalg/dot-product/similarity.py",
              "ivy": "Dot-Product/similarity.py", "mia": "dot-product/solution.py"}
    for student, where in placed.items():
        (submissions / student / where).parent.mkdir(parents=True, exist_ok=True)
        (submissions / student / where).write_text(dot)
    (submissions / "gina" / ".git" / "dot-product").mkdir(parents=True)  # hidden folders are not searched
    (submissions / "gina" / ".git" / "dot-product" / "similarity.py").write_text(dot)
    args = ["grade-all", str(submissions), "--out", str(results), "--course", str(course), "--jobs", "2"]
    learn(*args)
    book = rows(results)
    for student, where in placed.items():
        assert book[student]["status"] == "graded" and book[student]["dot-product"] == "0"
        told = ("found solution.py: rename it to similarity.py" if student == "mia" else
                f"found {where} in the wrong folder: move it to dot-product/similarity.py")
        assert book[student]["reason"] == f"dot-product: similarity.py does not exist; {told}", book[student]
        (exercise,) = [e for e in json.loads((results / student / "results.json").read_text())["exercises"]
                       if e["id"] == "dot-product"]
        assert exercise["status"] == "not_started" and exercise["found"] == [where.rsplit("/", 1)[-1]
                                                                             if student == "mia" else where]
    assert book["ann"]["dot-product"] == "10" and book["ann"]["reason"] == ""
    summary = (results / "summary.md").read_text()
    section = summary.split("### Files not where the course expects them", 1)[1].split("###", 1)[0]
    assert [line.split("|")[1].strip() for line in section.splitlines() if line.startswith("| `")] == \
        ["`frank`", "`gina`", "`ivy`", "`mia`"]
    assert "linalg/dot-product/similarity.py in the wrong folder" in (results / "summary.html").read_text()
    moved = submissions / "gina" / "dot-product" / "similarity.py"
    moved.parent.mkdir()
    (submissions / "gina" / placed["gina"]).rename(moved)
    assert "Graded 1 student(s), reused 4" in learn(*args, "--resume").stdout
    assert rows(results)["gina"]["dot-product"] == "10" and rows(results)["gina"]["reason"] == ""


def test_without_a_seed_secret_grade_all_warns_once_and_help_shows_the_secret(tmp_path):
    from conftest import EXAMPLE_COURSE
    submissions = tmp_path / "submissions"
    for student in ("ada", "bob"):
        (submissions / student / "reverse-words").mkdir(parents=True)
        (submissions / student / "reverse-words" / "words.py").write_text("def reverse_words(text):\n    return text\n")
    plain = learn("grade-all", str(submissions), "--out", str(tmp_path / "r1"), "--course", str(EXAMPLE_COURSE), "--jobs", "1")
    assert plain.stderr.count("Warning: no --seed-secret") == 1
    assert ("Warning: no --seed-secret: every student gets the fixed seed 0, which is predictable (a student who "
            "knows it can hard-code the expected outputs)") in plain.stderr
    assert "--seed-secret LEARN_SEED_SECRET" in plain.stderr
    secret = learn("grade-all", str(submissions), "--out", str(tmp_path / "r2"), "--course", str(EXAMPLE_COURSE), "--jobs", "1",
                   "--seed-secret", "LEARN_TEST_SECRET", env={"LEARN_TEST_SECRET": "s3cret"})
    assert "seed" not in secret.stderr
    help_text = learn("grade-all", "--help").stdout
    assert "learn grade-all submissions/ --out results-2/ --shard 2/3 --seed-secret LEARN_SEED_SECRET" in help_text


def test_after_resume_the_summary_times_only_what_this_run_graded(tmp_path):
    """--resume reuses most of the class: the timing line is this run's time over the students it
    graded, and says how many it reused (a reused student's time was another run's)."""
    import re
    from conftest import EXAMPLE_COURSE
    submissions, out = tmp_path / "submissions", tmp_path / "results"
    for student in ("ada", "bob", "cy"):
        (submissions / student / "reverse-words").mkdir(parents=True)
        (submissions / student / "reverse-words" / "words.py").write_text("def reverse_words(text):\n    return text\n")
    common = ("--out", str(out), "--course", str(EXAMPLE_COURSE), "--jobs", "1", "--seed-secret", "LEARN_TEST_SECRET")
    env = {"LEARN_TEST_SECRET": "s3cret"}
    learn("grade-all", str(submissions), *common, env=env)
    first = (out / "summary.md").read_text()
    assert re.search(r"grading took [\d.]+ s for 3 students \([\d.]+ s per student\)\n", first), first
    (submissions / "bob" / "reverse-words" / "words.py").write_text("def reverse_words(text):\n    return text[::-1]\n")
    learn("grade-all", str(submissions), *common, "--resume", env=env)
    for page in ("summary.md", "summary.html"):
        line = re.search(r"grading took ([\d.]+) s for 1 student \(([\d.]+) s per student\); "
                         r"2 reused from an earlier run", (out / page).read_text())
        assert line and float(line[2]) <= float(line[1]), page


@pytest.mark.parametrize("inside", ["results", ".", "ada/results"])
def test_a_results_folder_inside_the_submissions_is_refused_before_anything_is_written(tmp_path, inside):
    """Its folders would be taken for students' by the next run."""
    from conftest import EXAMPLE_COURSE
    submissions = tmp_path / "submissions"
    (submissions / "ada" / "reverse-words").mkdir(parents=True)
    (submissions / "ada" / "reverse-words" / "words.py").write_text("def reverse_words(text):\n    return text\n")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    out = submissions / inside
    run = learn("grade-all", str(submissions), "--out", str(out), "--course", str(EXAMPLE_COURSE), "--jobs", "1",
                "--seed-secret", "LEARN_TEST_SECRET", env={"LEARN_TEST_SECRET": "s3cret"}, check=False)
    assert run.returncode == 2, run.stderr
    says = "is the submissions folder itself" if inside == "." else f"is inside the submissions folder {submissions}"
    assert f"Error: --out {out} {says}: the next run would take the results for a student's folder" in run.stderr
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_a_folder_without_students_is_an_error_not_an_empty_gradebook(tmp_path):
    """grade-all on a folder with no student in it (a wrong path) exited 0 with a gradebook of
    nobody, which looks like a finished run (an instructor's review). A shard with no student
    is still fine: a class may have fewer students than shards."""
    course = make_course(tmp_path / "course")
    subs = tmp_path / "subs"
    (subs / "ghost").mkdir(parents=True)
    (subs / "notes.txt").write_text("not a student\n")
    proc = learn("grade-all", str(subs), "--out", str(tmp_path / "out"), "--course", str(course), check=False)
    assert proc.returncode == 2 and "no student folder in" in proc.stderr and "'ghost': no Python file or notebook in it" in proc.stderr
    assert not (tmp_path / "out" / "gradebook.csv").exists()
    put(subs, "ann", "dot-product", "def dot(q, k):\n    return 0.0\n")
    shards = [learn("grade-all", str(subs), "--out", str(tmp_path / f"out{i}"), "--course", str(course),
                    "--shard", f"{i}/2", check=False) for i in (1, 2)]
    assert [s.returncode for s in shards] == [0, 0], [s.stderr for s in shards]
    # Once one folder holds a file, the folder that holds none is a student too (DESIGN.md: every
    # subfolder is one), graded in whichever shard it falls: its row says nothing was handed in.
    books = [rows(tmp_path / f"out{i}") for i in (1, 2)]
    assert sorted(name for book in books for name in book) == ["ann", "ghost"]
    ghost = next(book["ghost"] for book in books if "ghost" in book)
    assert ghost["total"] == "0" and ghost["reason"].startswith("no exercise started")


def test_a_student_who_handed_in_nothing_gets_a_row_that_says_so(tmp_path):
    """Every subfolder of SUBMISSIONS is a student (DESIGN.md). An empty clone, or one holding only
    a README, once got no gradebook row at all, so an instructor could not tell "handed in nothing"
    from "overlooked". The folders tools leave beside the students' are still not students."""
    course = make_course(tmp_path / "course")
    subs = tmp_path / "subs"
    put(subs, "ann", "dot-product", (course / "solutions" / "dot-product" / "similarity.py").read_text())
    (subs / "bob").mkdir()
    (subs / "cat").mkdir()
    (subs / "cat" / "README.md").write_text("I will hand it in tomorrow\n")
    # unzipping an LMS download on a Mac leaves __MACOSX/<student>/.../._file.py (resource forks)
    put(subs / "__MACOSX", "ann", "dot-product", "\x00\x05\x16\x07 resource fork")
    (subs / "__MACOSX" / "ann" / "dot-product" / "similarity.py").rename(
        subs / "__MACOSX" / "ann" / "dot-product" / "._similarity.py")
    (subs / "__pycache__").mkdir()
    proc = learn("grade-all", str(subs), "--out", str(tmp_path / "out"), "--course", str(course), check=False)
    assert proc.returncode in (0, 1), proc.stderr
    book = rows(tmp_path / "out")
    assert sorted(book) == ["ann", "bob", "cat"]
    assert book["ann"]["dot-product"] == "10" and book["ann"]["reason"] == ""
    for name in ("bob", "cat"):
        assert book[name]["status"] == "graded" and book[name]["total"] == "0", book[name]
        assert book[name]["reason"] == "no exercise started (no exercise's file found, or only untouched stubs)"
        assert f"note: {name!r} holds no Python file or notebook (looked 8 folders deep): graded as nothing handed in" \
            in proc.stderr
        assert json.loads((tmp_path / "out" / name / "results.json").read_text())["score"] == 0
    assert "skipped '__MACOSX': macOS archive metadata" in proc.stderr
    assert "skipped '__pycache__': Python's bytecode cache" in proc.stderr
    assert "note: 'ann'" not in proc.stderr


def test_a_folder_too_big_to_search_is_never_called_empty(tmp_path):
    """An attacker's review: discovery stops after 10,000 entries, and a student with 10,001 files
    beside a correct <id>/<file> was told "holds no Python file: graded as nothing handed in", then
    scored full marks (and alone in the class, grade-all stopped: "no student folder")."""
    course = make_course(tmp_path / "course")
    subs = tmp_path / "subs"
    put(subs, "carol", "dot-product", (course / "solutions" / "dot-product" / "similarity.py").read_text())
    for i in range(planning.SEARCH_ENTRIES + 1):
        (subs / "carol" / f"note{i:05d}.txt").touch()
    proc = learn("grade-all", str(subs), "--out", str(tmp_path / "out"), "--course", str(course), check=False)
    assert proc.returncode in (0, 1), proc.stderr
    assert "holds no Python file" not in proc.stderr and rows(tmp_path / "out")["carol"]["dot-product"] == "10"


@pytest.mark.parametrize("seconds", [0.0549, 0.0551, 0.125, 1.2349])
def test_one_students_time_is_the_runs_time_however_it_rounds(seconds):
    """CI met 'grading took 0.05 s for 1 student (0.06 s per student)': the raw time was rounded once
    for the run and again, from three digits, for the student."""
    import re
    from grader.classroom.analytics import summarize
    from grader.reports import render_summary
    summary = summarize([{"student": "ada", "outcome": "graded", "results": {
        "score": 1.0, "max_score": 1.0, "exercises": []}}], duration=seconds)
    for fmt in ("markdown", "html"):
        line = re.search(r"grading took ([\d.]+) s for 1 student \(([\d.]+) s per student\)",
                         render_summary(summary, fmt))
        assert line and line[1] == line[2], (fmt, line and line[0])


def test_a_class_of_another_course_is_refused_not_graded_zero(tmp_path):
    """A new instructor's review: grade-all without --course graded a class of their own course
    against the built-in one, 0 for everyone, and exited 0. The class holds no file of the course
    it was given: refused before anything is written. From inside their course folder, that course."""
    from conftest import EXAMPLE_COURSE, run_learn
    submissions, out = tmp_path / "submissions", tmp_path / "results"
    for student in ("ada", "bob"):
        (submissions / student / "reverse-words").mkdir(parents=True)
        (submissions / student / "reverse-words" / "words.py").write_text("def reverse_words(text):\n    return text\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run = run_learn("grade-all", str(submissions), "--out", str(out), "--jobs", "1", cwd=elsewhere)
    assert run.code == 2, run.stdout + run.stderr
    assert "Using the built-in course (" in run.stderr
    assert (f"none of the 2 student folders in {submissions} holds a file of the course" in run.stderr
            and "did the class work on another course? Pass it with --course" in run.stderr)
    assert not out.exists()
    here = run_learn("grade-all", str(submissions), "--out", str(out), "--jobs", "1", cwd=EXAMPLE_COURSE / "exercises")
    assert here.code == 0, here.stderr
    assert f"Using the course in {EXAMPLE_COURSE} (" in here.stderr
    assert rows(out)["ada"]["reverse-words"] != ""
