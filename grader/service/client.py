"""The caller's side: hand `learn grade` to a warm service, or say it cannot (and start one).

Runs in the launcher before click, numpy or the course load, so it imports only the standard
library's light modules. Every failure (no service, a stale one, a refusal, a crash mid-way)
comes back as "not served": the caller then grades in-process, exactly as without a service.
"""
from __future__ import annotations

import array
import json
import os
import signal
import socket
import sys
from pathlib import Path

from grader.locations import PACKAGE_DIR, builtin_course_root
from grader.service import place

SERVED_COMMANDS = ("grade",)
NOT_SERVED_FLAGS = ("-h", "--help", "--open", "--debug", "--version")
MAX_REPLY = 4096
CONNECT_TIMEOUT = 1.0   # the daemon accepts at once when it is alive


def enabled(env: dict[str, str] | os._Environ = os.environ) -> bool:
    """Off under CI (one grade per job: a daemon would only linger) and on request."""
    setting = env.get("LEARN_SERVICE", "").lower()
    if setting in ("off", "0", "no", "false"):
        return False
    if setting == "require":
        return True
    return env.get("CI", "").lower() in ("", "0", "false") and not env.get("GITHUB_ACTIONS")


def required(env: dict[str, str] | os._Environ = os.environ) -> bool:
    """LEARN_SERVICE=require: a grade the service cannot answer is an error (for checking a setup)."""
    return env.get("LEARN_SERVICE", "").lower() == "require"


def _locked(lock: Path) -> bool:
    import fcntl
    try:
        with open(lock) as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
                return False
            except BlockingIOError:
                return True
    except FileNotFoundError:
        return False


def running(course: Path) -> int | None:
    """The pid of the service for COURSE (with this install of learn), if one holds its lock."""
    import fcntl
    try:
        with open(place.lock_path(PACKAGE_DIR, course)) as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
                return None  # nobody holds it
            except BlockingIOError:
                lines = handle.read().split()
                listening = len(lines) == 2 and lines[0].isdigit() and lines[1] == "listening"
                return int(lines[0]) if listening else None  # a service still loading is not there yet
    except OSError:
        return None


def servable(argv: list[str]) -> bool:
    return bool(argv) and argv[0] in SERVED_COMMANDS and not any(
        a in NOT_SERVED_FLAGS or a.startswith("--open") for a in argv)


def _option(argv: list[str], *names: str) -> str | None:
    """The value of the last of NAMES in ARGV (``--name value`` or ``--name=value``)."""
    value = None
    for i, arg in enumerate(argv):
        for name in names:
            if arg == name and i + 1 < len(argv):
                value = argv[i + 1]
            elif name.startswith("--") and arg.startswith(name + "="):
                value = arg[len(name) + 1:]
    return value


def course_root(argv: list[str], cwd: Path) -> Path | None:
    """The course `learn ARGV` would grade with, found as grader.cli.options finds it (cheaply)."""
    from grader.workspace import Workspace, find_workspace
    explicit = _option(argv, "--course")
    if explicit is not None:
        return (cwd / explicit).resolve()
    folder = _option(argv, "--workspace", "-w")
    workspace = Workspace((cwd / folder).resolve() if folder else find_workspace(cwd))
    recorded = workspace.load_state().get("course")
    if recorded:
        return Path(recorded).resolve()
    root = builtin_course_root()
    return root.resolve() if root else None


def serve(argv: list[str], fds: tuple[int, int, int] = (0, 1, 2), env: dict[str, str] | None = None,
          cwd: Path | None = None) -> int | None:
    """The exit status of `learn ARGV` run by a warm service on the streams FDS (stdin, stdout,
    stderr) with ENV and in CWD (default: this process's), or None when no service could run it."""
    if not (enabled() if env is None else enabled(env)) or not servable(argv):
        return None
    try:
        cwd = cwd or Path.cwd()
        course = course_root(argv, cwd)
        if course is None:
            return None
        path = place.socket_path(PACKAGE_DIR, course)
    except (OSError, ValueError):
        return None
    try:
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.settimeout(CONNECT_TIMEOUT)
        connection.connect(str(path))
        connection.settimeout(None)
    except OSError:
        return None  # no service (or a dead one's socket): the caller grades and starts one
    with connection:
        request = json.dumps({"argv": argv, "cwd": str(cwd), "env": dict(os.environ if env is None else env)}).encode()
        try:
            connection.sendmsg([len(request).to_bytes(4, "big") + request],
                               [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))])
        except OSError:
            return None
        return _outcome(connection)


def _outcome(connection: socket.socket) -> int | None:
    """Read the service's lines: {"pid"} when it starts, {"exit"} when done, or {"refused"}."""
    child = None
    reader = connection.makefile("rb")
    try:
        while True:
            try:
                line = reader.readline(MAX_REPLY)
            except KeyboardInterrupt:
                if child:
                    try:
                        os.kill(child, signal.SIGINT)  # the grading child stops as `learn grade` would
                    except OSError:
                        pass
                    continue
                raise
            if not line:
                if child is not None:  # it died while grading: say so, then grade here
                    sys.stderr.write("learn: the grading service stopped; grading here instead.\n")
                return None
            try:
                message = json.loads(line)
            except ValueError:
                return None
            if not isinstance(message, dict):
                return None
            if isinstance(message.get("pid"), int) and message["pid"] > 1:
                child = message["pid"]
            elif isinstance(message.get("exit"), int):
                return message["exit"]
            else:  # refused (stale) or anything unexpected
                return None
    except OSError:
        return None
    finally:
        reader.close()


def start(argv: list[str]) -> None:
    """Start a service for the course `learn ARGV` uses, detached, unless disabled or running.

    Called after an in-process grade: the next `learn grade` is answered warm. A second
    service for the same course exits at once (the daemon holds a lock)."""
    if not (enabled() and servable(argv)):
        return
    try:
        course = course_root(argv, Path.cwd())
        if course is None or not (course / "solutions").is_dir():
            return  # a student-only bundle grades statically: nothing worth keeping warm
        if _locked(place.lock_path(PACKAGE_DIR, course)):
            return  # one is running or starting
    except OSError:
        return
    import subprocess
    root = str(PACKAGE_DIR.parent)
    try:
        subprocess.Popen([sys.executable, "-c", f"import sys; sys.path.insert(0, {root!r}); "
                          "from grader.service.daemon import main; main(sys.argv[1])", str(course)],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         cwd="/", start_new_session=True, close_fds=True)
    except OSError:
        pass
