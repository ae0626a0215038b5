"""Issue 14: the trust boundary where instructors grade a class, under every layer it applies to.

- A class graded by ``learn grade-all`` whose course, submissions and results lie under a path
  the workers' root binds (finding 3), with hostile students who switch the hook off, walk
  what they can see, read the reference, overwrite other students' results and submissions,
  and read every /proc/<pid>/environ (finding 2): the honest students get exactly the grades
  they get alone, in the namespace layer, the process layer with Landlock and the process
  layer with the audit hook alone.
- The seed secret is in no environment a worker's user can read, even one that got past the
  hook (a sibling process with the worker's uid reads every /proc/<pid>/environ while student
  code runs).
- Where there are no namespaces, grade-all says so; --require-isolation refuses to grade.

What a worker sees, checked on a fork server directly (the hook, the masks): test_visibility.py.
"""
from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import grader
from redteam_harness import (ATTACKS, EXERCISE, FILE, INSTRUCTOR_MARKERS, REFERENCE, SECRET, bound_folder, copy_course,
                             expected_layer, landlock_here)
from unprivileged import can_run_as_nobody, owned_by_nobody, readable_copy, run_as_nobody, world_temp_dir

# -- a class whose folders lie under a bound path --------------------------------------------

HONEST = ("ada", "blaise", "carl", "zoe")
HOSTILE = {"mallory": "patch_the_guard", "oscar": "steal_from_the_class", "trudy": "proc_environ_walk"}
LAYERS = {"strongest": {}, "process": {"LEARN_SANDBOX": "process"},
          "hook alone": {"LEARN_SANDBOX": "process", "LEARN_LANDLOCK": "off"}}


def _students(course: Path) -> dict[str, str]:
    reference = (course / "solutions" / EXERCISE / FILE).read_text()
    return {"ada": reference, "blaise": (ATTACKS / "honest_wrong.py").read_text(),
            "carl": reference.replace("max(norms, eps)", "(norms + eps)"), "zoe": reference}


def _write_class(submissions: Path, students: dict[str, str]) -> None:
    for name, source in students.items():
        target = submissions / name / EXERCISE / FILE
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(source)


def _grade_all(submissions: Path, out: Path, course: Path, extra_env: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("LEARN_SANDBOX", "LEARN_LANDLOCK")}
    env.update({"LEARN_TEST_SECRET": SECRET, "PYTHONPATH": str(Path(grader.__file__).resolve().parents[1]),
                **extra_env})
    return subprocess.run([sys.executable, "-m", "grader", "grade-all", str(submissions), "--out", str(out),
                           "--jobs", "2", "--course", str(course), "--seed-secret", "LEARN_TEST_SECRET"],
                          capture_output=True, text=True, env=env, timeout=300, cwd=out.parent)


def _book(out: Path) -> dict[str, tuple[str, str]]:
    with (out / "gradebook.csv").open(newline="") as handle:
        return {row["student"]: (row["total"], row["status"]) for row in csv.DictReader(handle)}


def _tests(out: Path, name: str) -> list:
    result = json.loads((out / name / "results.json").read_text())
    return [result["score"], result["seed"], [(t["name"], t["status"], t["points"])
                                              for e in result["exercises"] for t in e["tests"]]]


@pytest.fixture(scope="module")
def bound_class():
    """The course, an honest class graded alone, and the same class with hostile students: all
    in a folder under a bound path, removed afterwards."""
    folder = bound_folder()
    try:
        course = copy_course(folder / "course")
        _write_class(folder / "alone", _students(course))
        done = _grade_all(folder / "alone", folder / "out-alone", course, {})
        assert done.returncode == 0, done.stderr
        yield folder, course
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("layer", list(LAYERS))
def test_hostile_students_beside_an_honest_class_under_a_bound_path(layer: str, bound_class) -> None:
    folder, course = bound_class
    submissions, out = folder / f"together-{layer.replace(' ', '-')}", folder / f"out-{layer.replace(' ', '-')}"
    _write_class(submissions, _students(course))
    _write_class(submissions, {name: (ATTACKS / f"{attack}.py").read_text() for name, attack in HOSTILE.items()})
    before = {p: p.read_bytes() for p in [*submissions.rglob("*"), *course.rglob("*")] if p.is_file()}
    done = _grade_all(submissions, out, course, LAYERS[layer])
    assert done.returncode == 0, done.stderr
    # The honest students: exactly their grades alone, test by test.
    for name in HONEST:
        assert _tests(out, name) == _tests(folder / "out-alone", name), name
    assert _book(out)["ada"] == ("10", "graded")
    # Each hostile student: exactly what raising in dot() and returning 0.0 elsewhere earns.
    book = _book(out)
    for name in HOSTILE:
        assert book[name] == ("1.33", "graded"), (name, book[name])
    oscar = json.loads((out / "oscar" / "results.json").read_text())["exercises"][0]["tests"][0]["message"]
    assert "'reference': [], 'results': [], 'submissions': [], 'written': []" in oscar
    # Nobody's submission and no course file changed; no secret, no instructor line anywhere.
    assert {p: p.read_bytes() for p in before} == before
    for written in [*out.rglob("*")]:
        if written.is_file():
            data = written.read_bytes()
            assert SECRET.encode() not in data, written
            assert not any(m.encode() in data for m in INSTRUCTOR_MARKERS), written
    assert SECRET not in done.stdout + done.stderr
    # The layer, on stderr and in the summary; a warning with both where it is the process layer.
    achieved = expected_layer() if layer == "strongest" else "process"
    assert f"sandbox: {achieved} (" in done.stderr
    if layer == "hook alone" or (achieved == "process" and not landlock_here()):
        assert "no Landlock here: only the audit hook guards files" in done.stderr
    elif achieved == "process":
        assert "Landlock (ABI " in done.stderr
    assert ("Warning: grading WITHOUT namespaces" in done.stderr) == (achieved == "process")
    summary = (out / "summary.md").read_text()
    assert f"Sandbox: `{achieved}` (7 students)" in summary
    assert ("were graded in the `process` layer, without namespaces" in summary) == (achieved == "process")


# -- the seed secret ---------------------------------------------------------------------------

NAPPER = '''
import os
import time


def dot(q, k):
    with open("started", "w") as handle:  # in its scratch folder: the probe waits for this
        handle.write(str(os.getpid()))
    time.sleep(30)


def cosine_similarity(q, k, eps=1e-8):
    return 0.0


def angle(q, k):
    return 0.0
'''

PROBE = '''
import glob, json, os, subprocess, sys, time
secret, checkout, submissions, out, course = sys.argv[1:6]
env = {k: v for k, v in os.environ.items() if k not in ("LEARN_SANDBOX", "LEARN_LANDLOCK")}
decoy = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"],
                         env={"LEARN_DECOY": "canary-visible-to-this-user"})
grading = subprocess.Popen([sys.executable, "-m", "grader", "grade-all", submissions, "--out", out, "--jobs", "1",
                            "--course", course, "--seed-secret", "LEARN_TEST_SECRET"],
                           env={**env, "LEARN_TEST_SECRET": secret, "PYTHONPATH": checkout,
                                "LEARN_SANDBOX": "process", "LEARN_LANDLOCK": "off"},
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
deadline, started = time.monotonic() + 120, []
while not started and time.monotonic() < deadline and grading.poll() is None:
    started = [p for p in glob.glob("/tmp/learn-worker-*/started")]
    time.sleep(0.02)
seen = {}
for pid in [p for p in os.listdir("/proc") if p.isdigit()]:
    try:
        with open(f"/proc/{pid}/environ", "rb") as handle:
            seen[pid] = handle.read().decode(errors="replace")
    except OSError as exc:
        seen[pid] = exc.strerror
decoy.kill()
stderr = grading.communicate(timeout=180)[1]
print(json.dumps({"started": bool(started), "grader": str(grading.pid), "decoy": str(decoy.pid), "seen": seen,
                  "status": grading.returncode, "stderr": stderr}))
'''


def test_no_environment_a_workers_user_can_read_holds_the_seed_secret(tmp_path: Path) -> None:
    """The process layer without root and without Landlock: /proc is there, and the worker runs
    as the grader's user. While student code runs, a process of that user (one that got past
    the audit hook, as a worker might) reads every /proc/<pid>/environ it can: a decoy's, to
    prove it can, and never the secret (grade-all scrubbed it from its own environment block,
    and is not dumpable)."""
    if os.geteuid() == 0 and can_run_as_nobody():
        pytest.skip(can_run_as_nobody())
    root = world_temp_dir("learn-redteam-secret-")
    try:
        checkout = readable_copy(root / "learn") if os.geteuid() == 0 else Path(grader.__file__).resolve().parents[1]
        course = copy_course(root / "course")
        _write_class(root / "submissions", {"napper": NAPPER})
        (root / "out").mkdir()
        owned_by_nobody(root)
        argv = [sys.executable, "-c", PROBE, SECRET, str(checkout), str(root / "submissions"), str(root / "out"),
                str(course)]
        env = {k: v for k, v in os.environ.items() if k != "LEARN_TEST_SECRET"}
        done = run_as_nobody(argv, root, env, 300) if os.geteuid() == 0 else \
            subprocess.run(argv, cwd=root, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    assert report["started"], f"the student's code never ran: {report['stderr'][-2000:]}"
    assert "canary-visible-to-this-user" in report["seen"][report["decoy"]], "the probe could not read /proc"
    assert SECRET not in report["seen"][report["grader"]]
    assert not [pid for pid, text in report["seen"].items() if SECRET in text]
    assert report["status"] == 0, report["stderr"][-2000:]
    assert "sandbox: process (" in report["stderr"]


def test_scrubbing_takes_the_variable_out_of_the_environment_block() -> None:
    """What /proc/<pid>/environ shows is the block the process started with: os.environ.pop
    alone leaves the secret there; shield.scrub_environment does not."""
    code = ("import os, sys; from grader.sandbox import shield\n"
            "shield.scrub_environment(['LEARN_TEST_SECRET']) if sys.argv[1] == 'scrub' else os.environ.pop('LEARN_TEST_SECRET')\n"
            "print(os.environ.get('LEARN_TEST_SECRET'), open('/proc/self/environ', 'rb').read().count(sys.argv[2].encode()))")
    env = {**os.environ, "LEARN_TEST_SECRET": SECRET, "PYTHONPATH": str(Path(grader.__file__).resolve().parents[1])}
    seen = {how: subprocess.run([sys.executable, "-c", code, how, SECRET], env=env, capture_output=True, text=True,
                                timeout=60).stdout.split() for how in ("pop", "scrub")}
    assert seen == {"pop": ["None", "1"], "scrub": ["None", "0"]}


# -- --require-isolation -----------------------------------------------------------------------

@pytest.mark.parametrize("command", ["grade-all", "grade"])
def test_require_isolation_refuses_to_grade_with_less(command: str, tmp_path: Path) -> None:
    """For instructors who must not grade without namespaces: exit 2 and the reason, before
    anything is graded or written; where namespaces are had, it grades as usual."""
    course = copy_course(tmp_path / "course")
    _write_class(tmp_path / "class", {"ada": (REFERENCE / FILE).read_text()})
    out = tmp_path / "out"
    args = {"grade-all": ["grade-all", str(tmp_path / "class"), "--out", str(out)],
            "grade": ["grade", EXERCISE, "--workspace", str(tmp_path / "class" / "ada"), "--format", "json",
                      "--output", str(out / "ada.json")]}[command]
    env = {k: v for k, v in os.environ.items() if k not in ("LEARN_SANDBOX", "LEARN_LANDLOCK")}
    env["PYTHONPATH"] = str(Path(grader.__file__).resolve().parents[1])

    def run(extra: dict[str, str]) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "grader", *args, "--course", str(course),
                               "--require-isolation", "namespaces"], capture_output=True, text=True,
                              env={**env, **extra}, timeout=300, cwd=tmp_path)

    refused = run({"LEARN_SANDBOX": "process"})
    assert refused.returncode == 2, refused.stderr
    assert ("Error: --require-isolation namespaces: this machine gives workers only the process layer "
            "(LEARN_SANDBOX=process asked for the process layer only") in refused.stderr
    assert not out.exists(), "nothing is written when grading is refused"
    if expected_layer() != "namespaces":
        return
    graded = run({})
    assert graded.returncode == 0, graded.stderr
    result = json.loads((out / ("ada/results.json" if command == "grade-all" else "ada.json")).read_text())
    assert result["sandbox"] == "namespaces" and result["score"] == 10.0


def test_without_root_or_user_namespaces_grade_all_says_it_gets_the_process_layer(tmp_path: Path) -> None:
    """A user without privileges on a machine that refuses user namespaces (here: a user
    namespace limit of 0 for the processes inside the test's own): the probe finds no namespaces
    and names why; grade-all grades in the process layer and warns on stderr and in the summary;
    --require-isolation namespaces refuses, with the same reason."""
    if os.geteuid() != 0 or can_run_as_nobody():
        pytest.skip(can_run_as_nobody() or "making a machine without user namespaces needs root")
    root = world_temp_dir("learn-redteam-nouserns-")
    try:
        checkout = readable_copy(root / "learn")
        course = copy_course(root / "course")
        _write_class(root / "submissions", {"ada": (REFERENCE / FILE).read_text()})
        owned_by_nobody(root)
        env = {k: v for k, v in os.environ.items() if k not in ("LEARN_SANDBOX", "LEARN_LANDLOCK")}
        env["PYTHONPATH"] = str(checkout)

        def grade_all(out: str, *extra: str) -> subprocess.CompletedProcess:
            return run_as_nobody([sys.executable, "-m", "grader", "grade-all", str(root / "submissions"), "--out",
                                  str(root / out), "--course", str(course), *extra], root, env, 300,
                                 user_namespaces=False)

        graded, refused = grade_all("out"), grade_all("refused", "--require-isolation", "namespaces")
        summary = (root / "out" / "summary.md").read_text() if (root / "out" / "summary.md").exists() else ""
        result = json.loads((root / "out" / "ada" / "results.json").read_text()) if summary else {}
    finally:
        shutil.rmtree(root, ignore_errors=True)
    why = "not root, and user namespaces are not available: user.max_user_namespaces=0"
    assert graded.returncode == 0, graded.stderr
    assert f"sandbox: process ({why}; " in graded.stderr
    assert "Warning: grading WITHOUT namespaces" in graded.stderr
    assert "Sandbox: `process` (1 student)" in summary and "1 student was graded in the `process` layer" in summary
    assert result["sandbox"] == "process" and result["score"] == 10.0
    assert refused.returncode == 2 and f"only the process layer ({why}" in refused.stderr, refused.stderr
