"""What a worker can see, checked on a fork server directly: the hook that guards it cannot be
reached, a hidden folder under a bound path is not there (in the template root and in a root
built per worker), and the deepest folder decides (issue 14, findings 1 and 3).
"""
from __future__ import annotations

import dis
import shutil
import socket
import subprocess
import sys
import types
from pathlib import Path

import pytest

from grader.sandbox import ForkServer, Limits, guard
from redteam_harness import bound_folder, expected_layer


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
