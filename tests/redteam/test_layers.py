"""The sandbox's own promises, checked directly on a fork server and on the audit-hook policy."""
from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path

import pytest

from grader.sandbox import ForkServer, Limits
from grader.sandbox.guard import Refused, policy

from redteam_harness import expected_layer, landlock_here

INSPECTOR = '''
import os
import stat


def inspect():
    fds = []
    for fd in range(256):
        try:
            fds.append([fd, stat.S_ISSOCK(os.fstat(fd).st_mode)])
        except OSError:
            pass
    return {"fds": fds, "uid": os.getuid(), "pid": os.getpid(), "cwd": os.getcwd(),
            "env": sorted(os.environ), "cpus": sorted(os.sched_getaffinity(0))}
'''


@pytest.mark.parametrize("forced", [None, "process", "process, hook alone"])
def test_the_server_reports_the_layer_it_achieves(forced: str | None, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LEARN_LANDLOCK", raising=False)
    if forced:
        monkeypatch.setenv("LEARN_SANDBOX", "process")
        if forced.endswith("hook alone"):
            monkeypatch.setenv("LEARN_LANDLOCK", "off")  # the server sees it: it passes through
    else:
        monkeypatch.delenv("LEARN_SANDBOX", raising=False)
    monkeypatch.setenv("LEARN_TEST_SECRET", "hunter2")
    student = tmp_path / "inspect.py"
    student.write_text(INSPECTOR)
    with ForkServer() as server:
        assert server.isolation == ("process" if forced else expected_layer())
        assert server.isolation_reason
        if server.isolation == "process":  # Landlock where the kernel has it, unless turned off
            landlock = landlock_here() and forced != "process, hook alone"
            assert ("Landlock (ABI " in server.isolation_reason) == landlock, server.isolation_reason
            assert ("only the audit hook guards files" in server.isolation_reason) == (not landlock)
        worker = server.spawn(student, Limits())
        assert "hello" in worker.receive(20.0)
        seen = worker.call("inspect", [], {}, 10.0)["value"]
        capabilities = _capabilities(worker.pid)
        worker.kill()
    # No capability left, whatever the layer (as root: nobody, or still root with every set emptied).
    assert capabilities["CapEff"] == capabilities["CapPrm"] == 0, capabilities
    if server.isolation == "namespaces" and os.geteuid() != 0:  # a user namespace: the bounding set too
        assert capabilities["CapBnd"] == 0, capabilities
    # Only stdin/stdout/stderr and the one channel socket: never the server's control socket.
    assert [fd for fd, _ in seen["fds"]][:3] == [0, 1, 2]
    assert [is_socket for _, is_socket in seen["fds"]].count(True) == 1 and len(seen["fds"]) == 4
    assert "LEARN_TEST_SECRET" not in seen["env"]
    if server.isolation == "namespaces":
        assert seen["pid"] == 1 and seen["uid"] != 0 and seen["cwd"] == "/tmp"


def test_lanes_are_independent_clients_that_pin_their_workers(tmp_path: Path) -> None:
    """grade-all's grading processes each talk to the one server on a lane of their own."""
    student = tmp_path / "inspect.py"
    student.write_text(INSPECTOR)
    cpus = sorted(os.sched_getaffinity(0))
    with ForkServer() as server:
        lanes = [server.open_lane(frozenset({cpus[-1]})), server.open_lane()]
        seen = []
        for lane in reversed(lanes):  # either order: a lane does not depend on the others
            assert lane.isolation == server.isolation
            worker = lane.spawn(student, Limits())
            assert "hello" in worker.receive(20.0)
            seen.append(worker.call("inspect", [], {}, 10.0)["value"])
            worker.kill()
        lanes[0].close()
        worker = lanes[1].spawn(student, Limits())  # a closed lane leaves the others serving
        assert "hello" in worker.receive(20.0)
        worker.kill()
        lanes[1].close()
    unpinned, pinned = seen
    # The server survives a client that dies before its answer comes (a killed grading process).
    with ForkServer() as server:
        for _ in range(5):
            doomed = server.open_lane()
            ours, theirs = socket.socketpair()
            request = json.dumps({"file": str(student), "limits": Limits().as_dict()}).encode()
            socket.send_fds(doomed._control, [request], [theirs.fileno()])
            doomed._control.close()  # gone before the answer
            theirs.close()
            ours.close()
        survivor = server.open_lane()
        worker = survivor.spawn(student, Limits())
        assert "hello" in worker.receive(20.0)
        worker.kill()
        survivor.close()
    assert pinned["cpus"] == [cpus[-1]] and unpinned["cpus"] == cpus
    # The server's other control sockets never reach a worker either.
    for inspected in seen:
        assert [is_socket for _, is_socket in inspected["fds"]].count(True) == 1 and len(inspected["fds"]) == 4



def _capabilities(pid: int) -> dict[str, int]:
    """PID's capability sets, from /proc/PID/status (readable by anyone, even for a process that
    is not dumpable)."""
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    return {k: int(v, 16) for k, _, v in (line.partition(":\t") for line in lines) if k.startswith("Cap")}


ROOT_ONLY = "looking into a worker's namespaces from outside needs root (workers are not dumpable)"


def _namespace(pid: int, kind: str) -> str:
    return os.readlink(f"/proc/{pid}/ns/{kind}")


def _interfaces_up_in(pid: int) -> list[str]:
    """The network interfaces that are up in PID's network namespace, seen from a child that joins it."""
    import fcntl
    import struct

    from grader.sandbox import namespaces
    read, write = os.pipe()
    child = os.fork()
    if child == 0:
        try:
            namespaces.join_network(os.open(f"/proc/{pid}/ns/net", os.O_RDONLY))
            up = []
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
                for _index, name in socket.if_nameindex():
                    request = struct.pack("16sH14x", name.encode(), 0)
                    flags = struct.unpack("16sH14x", fcntl.ioctl(probe, 0x8913, request))[1]  # SIOCGIFFLAGS
                    if flags & 1:  # IFF_UP
                        up.append(name)
            os.write(write, json.dumps({"names": [n for _, n in socket.if_nameindex()], "up": up}).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as answer:
        seen = json.loads(answer.read())
    os.waitpid(child, 0)
    assert seen["names"] == ["lo"], seen
    return seen["up"]


def test_a_lanes_workers_share_one_network_namespace_with_nothing_up_and_lanes_never_share(tmp_path: Path) -> None:
    """One network namespace per lane (creating one per worker cost ~1.5 ms of CPU): workers of a
    lane run one after another in it; concurrent lanes, the server and the host each have their own.
    Mount, PID, IPC and UTS namespaces stay one per worker."""
    if expected_layer() != "namespaces":
        pytest.skip("namespaces are not available on this machine")
    if os.geteuid() != 0:
        pytest.skip(ROOT_ONLY)
    student = tmp_path / "inspect.py"
    student.write_text(INSPECTOR)
    with ForkServer() as server:
        first, second = server.open_lane(), server.open_lane()
        workers = [first.spawn(student, Limits()), first.spawn(student, Limits()), second.spawn(student, Limits())]
        for worker in workers:
            assert "hello" in worker.receive(20.0)
        nets = [_namespace(w.pid, "net") for w in workers]
        others = {kind: [_namespace(w.pid, kind) for w in workers] for kind in ("mnt", "pid", "ipc", "uts")}
        up = _interfaces_up_in(workers[0].pid)
        server_net = _namespace(server._process.pid, "net")
        for worker in workers:
            worker.kill()
        first.close()
        second.close()
    assert nets[0] == nets[1] and nets[2] != nets[0]
    assert server_net not in nets and _namespace(os.getpid(), "net") not in nets
    for kind, names in others.items():
        assert len(set(names)) == 3, f"{kind} namespaces shared between workers"
    assert up == [], "a worker's network namespace has an interface up"


SCRATCH_WRITER = """
import os


def leave_a_note():
    with open("/tmp/note.txt", "w") as handle:
        handle.write("for the next student")
    return sorted(os.listdir("/tmp"))


def look():
    return sorted(os.listdir("/tmp"))
"""


def test_workers_share_a_read_only_root_and_each_gets_its_own_scratch(tmp_path: Path) -> None:
    """The server builds the part of the root every worker shares once (a template); nothing
    can write to it, even root, and each worker's /tmp and /submission are its own."""
    import errno
    if expected_layer() != "namespaces":
        pytest.skip("namespaces are not available on this machine")
    if os.geteuid() != 0:
        pytest.skip(ROOT_ONLY)
    student = tmp_path / "notes.py"
    student.write_text(SCRATCH_WRITER)
    with ForkServer() as server:
        first = server.spawn(student, Limits())
        assert "hello" in first.receive(20.0)
        fresh = first.call("look", [], {}, 10.0)["value"]  # empty, or the mount points of a Python under /tmp
        assert first.call("leave_a_note", [], {}, 10.0)["value"] == sorted([*fresh, "note.txt"])
        refused = []
        for target in ("planted.py", "usr/planted.py", "submission/planted.py"):  # as root, from outside
            try:
                with open(f"/proc/{first.pid}/root/{target}", "w"):
                    pass
                refused.append(None)
            except OSError as exc:
                refused.append(exc.errno)
        second = server.spawn(student, Limits())
        assert "hello" in second.receive(20.0)
        seen_by_next = second.call("look", [], {}, 10.0)["value"]
        first.kill()
        second.kill()
    assert refused == [errno.EROFS] * 3
    assert seen_by_next == fresh

STOPS_READING = '''
import sys
import time

sys.modules["grader.sandbox.channel"].recv = lambda *args, **kwargs: time.sleep(10 ** 6)  # the loop never reads again


def f(x):
    return 1.0
'''


def test_a_worker_that_stops_reading_cannot_hang_the_grader(tmp_path: Path) -> None:
    """Its socket buffer fills with a large argument; the call still ends at its time limit."""
    import threading

    import numpy as np

    from grader.sandbox import WorkerTimedOut
    student = tmp_path / "sneaky.py"
    student.write_text(STOPS_READING)
    outcome: list[BaseException] = []

    def call() -> None:
        try:
            worker.call("f", [np.zeros(2_000_000)], {}, 1.0)  # 16 MB: far more than the socket buffer
        except BaseException as exc:  # noqa: BLE001  (judged below)
            outcome.append(exc)

    with ForkServer() as server:
        worker = server.spawn(student, Limits())
        assert "hello" in worker.receive(20.0)
        caller = threading.Thread(target=call, daemon=True)  # a regression fails here, not hangs
        caller.start()
        caller.join(15.0)
        hung = caller.is_alive()
        worker.kill()  # frees a blocked sender either way
    assert not hung, "the grader blocked sending to a worker that stopped reading"
    assert len(outcome) == 1 and isinstance(outcome[0], WorkerTimedOut)


IMPORT_CLOCK = INSPECTOR + '''
import time

IMPORTED_AT = time.time()


def imported_at():
    return IMPORTED_AT


def warns_when_compiled(x):
    return x is 1
'''


def _forker(server: ForkServer) -> int:
    """The process that forks the workers: the server, or, with namespaces without root, its one
    child (PID 1 of the server's own namespaces; the server process only waits for it)."""
    import time
    if server.isolation != "namespaces" or os.geteuid() == 0:
        return server._process.pid
    deadline = time.monotonic() + 20
    while not _children_of(server._process.pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    (inner,) = _children_of(server._process.pid)
    return inner


def _children_of(pid: int) -> set[int]:
    children = set()
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                children.add(int(entry.name))
        except (OSError, IndexError, ValueError):
            pass
    return children


@pytest.mark.parametrize("forced", [None, "process"])
def test_standby_workers_wait_for_their_grader_are_adopted_pinned_and_die_with_the_server(
        forced: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """grade-all's server forks workers for the first students while the grader is still loading
    (forkserver.Standby). No student code runs before a grader adopts the worker; the adopted one
    is pinned to the grader's CPU and has the one channel socket; its pid comes from the server;
    the ones never adopted die with the server."""
    import time
    if forced:
        monkeypatch.setenv("LEARN_SANDBOX", forced)
    else:
        monkeypatch.delenv("LEARN_SANDBOX", raising=False)
    files = []
    for name in ("first", "second", "third"):
        (tmp_path / name).mkdir()
        files.append(tmp_path / name / "clock.py")
        files[-1].write_text(IMPORT_CLOCK)
    cpus = sorted(os.sched_getaffinity(0))
    with ForkServer() as server:
        assert server.isolation  # the server is up: standby workers are forked at once
        server.stand_by(files[:2], set(cpus[1:] or cpus))
        deadline = time.monotonic() + 20
        while len(_children_of(_forker(server))) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        standby = _children_of(_forker(server))
        assert len(standby) == 2, "the server did not fork the standby workers"
        asked = time.time()
        lane = server.open_lane(frozenset({cpus[0]}))  # grading begins: the third is never forked ahead
        adopted = lane.spawn(files[0], Limits())
        hello = adopted.receive(20.0)
        assert "hello" in hello
        imported = adopted.call("imported_at", [], {}, 10.0)["value"]
        seen = adopted.call("inspect", [], {}, 10.0)["value"]
        spawned = lane.spawn(files[2], Limits())  # no standby for it: spawned as before
        assert "hello" in spawned.receive(20.0)
        if server.isolation == "namespaces" and os.geteuid() == 0:  # (see ROOT_ONLY)
            assert _namespace(adopted.pid, "net") != _namespace(spawned.pid, "net")
        adopted.kill()
        spawned.kill()
        lane.close()
    assert adopted.pid in standby and spawned.pid not in standby
    assert imported >= asked, "student code ran before its grader asked for the worker"
    assert "SyntaxWarning" in hello["output"]["text"], "compiled ahead, its warnings must still reach the student"
    assert seen["cpus"] == [cpus[0]]
    assert [is_socket for _, is_socket in seen["fds"]].count(True) == 1 and len(seen["fds"]) == 4
    deadline = time.monotonic() + 20
    while any(_running(pid) for pid in standby) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_running(pid) for pid in standby), "a standby worker outlived its server"


def test_without_pidfds_standby_is_given_up_and_grading_goes_on(tmp_path: Path) -> None:
    """A kernel before Linux 5.3 has no pidfd to tell whether a standby worker's pid is still
    its own: the server kills the worker it just forked, starts no more, and spawns as before."""
    import subprocess
    import sys
    import time

    from grader.sandbox import client as forkserver

    class OldKernelServer(ForkServer):
        def __init__(self) -> None:  # ForkServer's, with os.pidfd_open failing in the server
            control, server_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            forkserver.ForkClient.__init__(self, control)
            root = str(Path(forkserver.__file__).resolve().parents[2])
            bootstrap = (f"import os, sys; sys.path.insert(0, {root!r})\n"
                         "def pidfd_open(pid, flags=0): raise OSError(38, 'Function not implemented')\n"
                         "os.pidfd_open = pidfd_open\n"
                         f"from grader.sandbox.server import serve; serve({server_end.fileno()})")
            self._process = subprocess.Popen([sys.executable, "-I", "-c", bootstrap], pass_fds=(server_end.fileno(),),
                                             env=forkserver.worker_environment(), cwd="/", start_new_session=True)
            server_end.close()

    files = []
    for name in ("first", "second"):
        (tmp_path / name).mkdir()
        files.append(tmp_path / name / "clock.py")
        files[-1].write_text(IMPORT_CLOCK)
    with OldKernelServer() as server:
        assert server.isolation
        server.stand_by(files, set(os.sched_getaffinity(0)))
        time.sleep(0.5)  # the server has forked (and killed) the first one by now
        deadline = time.monotonic() + 20
        while any(_running(pid) for pid in _children_of(_forker(server))) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = [pid for pid in _children_of(_forker(server)) if _running(pid)]
        lane = server.open_lane()
        worker = lane.spawn(files[1], Limits())
        assert "hello" in worker.receive(20.0)
        worker.kill()
        lane.close()
    assert left == [], "a standby worker the server cannot track was left waiting"


KILLED_GRADER = '''
import sys
from pathlib import Path
from grader.sandbox import ForkServer, Limits

server = ForkServer()
worker = server.spawn(Path(sys.argv[1]), Limits())
worker.receive(20.0)
print(worker.pid, flush=True)
worker.call("spin", [], {}, 600.0)
'''


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


@pytest.mark.parametrize("forced", [None, "process"])
def test_a_killed_grader_leaves_no_worker_running(forced: str | None, tmp_path: Path) -> None:
    """Cancelled CI jobs, Ctrl-C, the OOM killer: the grader dies without killing its worker.
    The server sees its control socket close and exits, and the worker dies with it."""
    import signal
    import subprocess
    import sys
    import time
    student = tmp_path / "spin.py"
    student.write_text("def spin():\n    while True:\n        pass\n")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    env.pop("LEARN_SANDBOX", None)
    if forced:
        env["LEARN_SANDBOX"] = forced
    grader = subprocess.Popen([sys.executable, "-c", KILLED_GRADER, str(student)], stdout=subprocess.PIPE,
                              text=True, env=env)
    worker = int(grader.stdout.readline())  # type: ignore[union-attr]
    time.sleep(0.3)  # inside the endless call
    assert _running(worker)
    grader.send_signal(signal.SIGKILL)
    grader.wait()
    grader.stdout.close()  # type: ignore[union-attr]
    deadline = time.monotonic() + 20
    while _running(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    still = _running(worker)
    if still:
        os.kill(worker, signal.SIGKILL)
    assert not still, "the worker outlived the grader"


def test_what_a_worker_leaves_in_its_scratch_folder_is_removed_after_the_server_exits(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Process layer: the server spends a fraction of a second on scratch folders when it exits
    (grader.sandbox.scratch.EXIT_SECONDS) and hands the rest to a detached remover; nothing stays
    behind in the system's temporary folder, however much the student left there."""
    monkeypatch.setenv("LEARN_SANDBOX", "process")
    student = tmp_path / "inspect.py"
    student.write_text(INSPECTOR)
    with ForkServer() as server:
        worker = server.spawn(student, Limits())
        assert "hello" in worker.receive(20.0)
        scratch = Path(worker.call("inspect", [], {}, 10.0)["value"]["cwd"])
        assert scratch.name.startswith("learn-worker-") and scratch.is_dir()
        # What a submission could leave (made here, without the hook's cost per file): tens of
        # thousands of files and a chain deeper than any recursion limit, well over the exit budget.
        for i in range(40):
            folder = scratch / f"many-{i}"
            folder.mkdir()
            for j in range(1000):
                (folder / f"f{j}").touch()
        deep = os.open(scratch, os.O_RDONLY | os.O_DIRECTORY)
        for _ in range(1500):
            os.mkdir("d", dir_fd=deep)
            inner = os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=deep)
            os.close(deep)
            deep = inner
        os.close(deep)
        worker.kill()
    deadline = time.monotonic() + 120
    while scratch.exists() and time.monotonic() < deadline:
        time.sleep(0.1)  # polling the folder: removal has no event to wait on
    assert not scratch.exists(), f"{scratch} was left behind"


def test_guard_policy(tmp_path: Path) -> None:
    scratch, readable, hidden = tmp_path / "scratch", tmp_path / "python", tmp_path / "python" / "_course"
    for folder in (scratch, hidden):
        folder.mkdir(parents=True)
    guard = policy(str(scratch), [str(readable)], [str(hidden)])
    guard("open", (str(readable / "os.py"), "r", 0))
    guard("open", (str(scratch / "notes.txt"), "w", 0))
    guard("open", (3, "rb", 0))                       # an inherited descriptor has no path
    guard("import", ("numpy",))                       # events it does not watch pass untouched
    refused = [
        ("open", (str(hidden / "solutions" / "ref.py"), "r", 0)),
        ("open", (str(readable / "os.py"), "w", 0)),
        ("open", (str(readable / "os.py"), None, 0o101)),   # os.open(O_WRONLY | O_CREAT)
        ("open", ("/etc/passwd", "r", 0)),
        ("open", (str(scratch / ".." / "python" / "x"), "a", 0)),
        ("os.listdir", ("/",)), ("os.remove", (str(readable / "os.py"),)),
        ("os.rename", (str(scratch / "a"), str(readable / "a"))),
        ("subprocess.Popen", ("sh", ["sh"], None, None)), ("os.system", (b"id",)), ("os.fork", ()),
        ("os.kill", (1, 9)), ("socket.connect", (None, ("127.0.0.1", 80))), ("ctypes.dlopen", ("libc.so.6",)),
    ]
    for event, args in refused:
        with pytest.raises(Refused):
            guard(event, args)
    (scratch / "link").symlink_to(hidden)
    with pytest.raises(Refused):  # a link in scratch does not reach what it points at
        guard("open", (str(scratch / "link" / "ref.py"), "r", 0))
