"""Issue 14: the trust boundary where instructors grade a class, under every layer it applies to.

- The audit hook's policy cannot be reached from student code (finding 1): its bytecode and
  defaults here; ``attacks/patch_the_guard.py`` in test_attacks.py and in the class below.
- A class graded by ``learn grade-all`` whose course, submissions and results lie under a path
  the workers' root binds (finding 3), with hostile students who switch the hook off, walk
  what they can see, read the reference, overwrite other students' results and submissions,
  and read every /proc/<pid>/environ (finding 2): the honest students get exactly the grades
  they get alone, in the namespace layer, the process layer with Landlock and the process
  layer with the audit hook alone.
- The seed secret is in no environment a worker's user can read, even one that got past the
  hook (a sibling process with the worker's uid reads every /proc/<pid>/environ while student
  code runs), and masks hold in the template root and in per-worker roots.
"""
from __future__ import annotations

import csv
import dis
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

import pytest

import grader
from grader.sandbox import ForkServer, Limits, guard
from redteam_harness import (ATTACKS, EXERCISE, FILE, INSTRUCTOR_MARKERS, REFERENCE, SECRET, copy_course, expected_layer,
                             landlock_here)
from unprivileged import can_run_as_nobody, owned_by_nobody, readable_copy, run_as_nobody, world_temp_dir

IMMUTABLE = (str, bytes, int, float, bool, type(None), frozenset, types.BuiltinFunctionType,
             types.MethodDescriptorType, type)


def _immutable(value: object, own: tuple) -> bool:
    if isinstance(value, tuple):
        return all(_immutable(v, own) for v in value)
    return any(value is mine for mine in own) or type(value) in IMMUTABLE


def test_the_hook_holds_nothing_a_student_can_change(tmp_path: Path) -> None:
    """No global or builtin name is looked up when it runs, no closure cell, no keyword
    defaults (a dict): only immutable values, C functions and its own two helpers."""
    hook = guard.policy(str(tmp_path), ["/usr"], ["/usr/src"])
    own = hook.__defaults__[hook.__code__.co_varnames.index("own") - 2]
    assert hook in own and len(own) == 3
    for function in own:
        loads = {i.opname for i in dis.get_instructions(function)}
        assert not loads & {"LOAD_GLOBAL", "LOAD_NAME", "LOAD_DEREF", "LOAD_CLASSDEREF", "LOAD_CLOSURE",
                            "STORE_GLOBAL", "STORE_DEREF"}, function.__name__
        assert function.__closure__ is None and function.__kwdefaults__ is None
        assert all(_immutable(v, own) for v in function.__defaults__ or ()), function.__name__
    with pytest.raises(PermissionError):  # replacing its code or defaults is an event it refuses
        hook("object.__setattr__", (hook, "__code__", None))
    with pytest.raises(PermissionError):
        hook("object.__setattr__", (own[1], "__defaults__", ()))
    hook("object.__setattr__", (_immutable, "__defaults__", ()))  # anyone else's functions: not its business


# -- a class whose folders lie under a bound path --------------------------------------------

HONEST = ("ada", "blaise", "carl", "zoe")
HOSTILE = {"mallory": "patch_the_guard", "oscar": "steal_from_the_class", "trudy": "proc_environ_walk"}
LAYERS = {"strongest": {}, "process": {"LEARN_SANDBOX": "process"},
          "hook alone": {"LEARN_SANDBOX": "process", "LEARN_LANDLOCK": "off"}}


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


# -- masks, in the template root and in per-worker roots -------------------------------------

# A student who looks around. os.stat is no audit event and Landlock does not govern it: what it
# finds is what the worker's root holds, whatever the hook refuses.
LOOKER = '''
import os


def sizes(files):
    found = []
    for file in files:
        try:
            found.append(os.stat(file).st_size)
        except OSError as exc:
            found.append(type(exc).__name__)
    return found


def look(folder, files):
    return [sorted(os.listdir(folder)), sizes(files)]


def load(name):
    """Import NAME now, as a student's code may: the importer lists the folders on sys.path."""
    return __import__(name).HELP


def read(files):
    found = []
    for file in files:
        try:
            with open(file) as handle:
                found.append(handle.read())
        except OSError as exc:
            found.append(type(exc).__name__)
    return found
'''

NO_TEMPLATE = ("from grader.sandbox import namespaces\n"
               "def refuse(*args): raise OSError('no template here')\n"
               "namespaces.build_template = refuse\n")


class CustomServer(ForkServer):
    """A fork server that runs SETUP (Python lines) before it serves."""

    def __init__(self, setup: str) -> None:
        from grader.sandbox import client
        control, server_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        client.ForkClient.__init__(self, control)
        root = str(Path(client.__file__).resolve().parents[2])
        bootstrap = (f"import sys; sys.path.insert(0, {root!r})\n{setup}\n"
                     f"from grader.sandbox.server import serve; serve({server_end.fileno()})")
        self._process = subprocess.Popen([sys.executable, "-I", "-c", bootstrap], pass_fds=(server_end.fileno(),),
                                         env=client.worker_environment(), cwd="/", start_new_session=True)
        server_end.close()


@pytest.mark.parametrize("root", ["template", "per worker"])
def test_a_hidden_folder_under_a_bound_path_is_masked(root: str, tmp_path: Path) -> None:
    if expected_layer() != "namespaces":
        pytest.skip("namespaces are not available here")
    folder = bound_folder()
    try:
        (folder / "course" / "solutions").mkdir(parents=True)
        (folder / "course" / "solutions" / "answer.py").write_text("ANSWER = 42\n")
        (folder / "other").mkdir()
        (folder / "other" / "note.txt").write_text("seen\n")
        student = tmp_path / "looker.py"
        student.write_text(LOOKER)
        with (ForkServer() if root == "template" else CustomServer(NO_TEMPLATE)) as server:
            server.hide(folder / "course")
            seen = []
            files = [str(folder / "course" / "solutions" / "answer.py"), str(folder / "course" / "solutions"),
                     str(folder / "other" / "note.txt")]
            for _ in range(2):  # a second worker: the mask is not a one-off
                worker = server.spawn(student, Limits())
                assert "hello" in worker.receive(20.0)
                seen.append(worker.call("look", [str(folder), files], {}, 10.0)["value"])
                worker.kill()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    # The hidden folder is there (its parent is bound) but empty; the rest of the bound path is not hidden.
    assert seen == [[["course", "other"], ["FileNotFoundError", "FileNotFoundError", 5]]] * 2


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


@pytest.mark.parametrize("layer", ["strongest", "process", "hook alone"])
def test_a_python_installation_inside_a_hidden_folder_stays_visible(layer: str, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The deepest folder decides: grade-all hides the folder it runs in, and a course
    repository often holds its own virtual environment (a folder Python imports from). Here the
    course lies under a bound path too, so the namespace layer masks it and binds the
    environment again inside the mask, and the course copy installed in that environment is
    masked again inside it."""
    monkeypatch.delenv("LEARN_SANDBOX", raising=False)
    monkeypatch.delenv("LEARN_LANDLOCK", raising=False)
    if layer != "strongest":
        monkeypatch.setenv("LEARN_SANDBOX", "process")
    if layer == "hook alone":
        monkeypatch.setenv("LEARN_LANDLOCK", "off")
    folder = bound_folder() / "course"
    try:
        installed = "site-packages/grader/_course/solutions/ref.py"
        for part, text in (("site-packages/helper.py", "HELP = 1\n"), ("solutions/answer.py", "ANSWER = 42\n"),
                           (installed, "REF = 1\n")):
            (folder / part).parent.mkdir(parents=True, exist_ok=True)
            (folder / part).write_text(text)
        for path in [folder, *folder.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        student = tmp_path / "reader.py"
        student.write_text(LOOKER)
        # the server imports from FOLDER/site-packages, as from a virtual environment's
        with CustomServer(f"sys.path.append({str(folder / 'site-packages')!r})") as server:
            server.hide(folder)
            assert server.isolation  # the server is up: a module added now is not in its importer's cache
            (folder / "site-packages" / "later.py").write_text("HELP = 2\n")
            (folder / "site-packages" / "later.py").chmod(0o644)
            worker = server.spawn(student, Limits())
            assert "hello" in worker.receive(20.0)
            seen = worker.call("read", [[str(folder / "site-packages" / "helper.py"),
                                         str(folder / "solutions" / "answer.py"), str(folder / installed)]],
                               {}, 10.0)["value"]
            there = worker.call("sizes", [[str(folder / "solutions" / "answer.py"), str(folder / installed)]],
                                {}, 10.0)["value"]  # os.stat: no audit event, no Landlock rule
            imported = worker.call("load", ["later"], {}, 10.0)
            worker.kill()
            achieved = server.isolation
    finally:
        shutil.rmtree(folder.parent, ignore_errors=True)
    assert achieved == (expected_layer() if layer == "strongest" else "process")
    assert seen[0] == "HELP = 1\n"
    assert imported.get("value") == 2, imported  # its folder holds a hidden one: it can still be listed
    assert seen[1] in ("FileNotFoundError", "PermissionError") and seen[2] in ("FileNotFoundError", "PermissionError"), seen
    if achieved == "namespaces":  # not merely refused (the hook comes first): not there at all
        assert there == ["FileNotFoundError", "FileNotFoundError"], there


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
