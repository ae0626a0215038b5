"""Run part of the suite as a user without privileges, from a suite that runs as root (CI).

As root the grader gets namespaces as root; the same code must also be right where it is not
root (a CI runner, a laptop): namespaces in a user namespace of its own, or the process layer.
:func:`run_as_nobody` runs a command as ``nobody`` (uid 65534, no capabilities, no groups) on
:func:`readable_copy`, a copy of this checkout that user owns. Where the Python installation
sits in a folder nobody may not enter (pyenv under /root), the command runs in a private mount
namespace in which that installation, and nothing else of the folder, is reachable: the user
is still nobody, with nobody's rights everywhere else.
"""
from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

NOBODY = 65534
REPO = Path(__file__).resolve().parent.parent


def can_run_as_nobody() -> str | None:
    """Why this test cannot drop to nobody here (None: it can)."""
    if os.geteuid() != 0:
        return "the suite already runs without root"
    for tool in ("setpriv", "unshare", "mount"):
        if not shutil.which(tool):
            return f"{tool} (util-linux) is not installed"
    return None


def _first_closed_folder(path: Path) -> Path | None:
    """The outermost folder on the way to PATH that others may not enter, if any."""
    for folder in [*reversed(path.parents)][1:] + [path]:
        if folder.is_dir() and not os.stat(folder).st_mode & 0o001:
            return folder
    return None


def _exposing_python(holders: Path) -> str:
    """Shell lines that make this Python installation reachable for nobody, in a private mount
    namespace: each needed folder is held aside (under HOLDERS), the closed folder above it is
    covered by an empty tmpfs anyone may enter, and the needed folder is put back in it."""
    needed = {}
    for path in dict.fromkeys(Path(p).resolve() for p in (sys.base_prefix, sys.prefix)):
        closed = _first_closed_folder(path)
        if closed is not None:
            needed[path] = closed
    lines = []
    for number, path in enumerate(needed):
        (holders / str(number)).mkdir()
        lines.append(f"mount --bind {shlex.quote(str(path))} {holders / str(number)}")
    for closed in dict.fromkeys(needed.values()):
        lines.append(f"mount -t tmpfs -o mode=0755 learn-exposed {shlex.quote(str(closed))}")
    for number, path in enumerate(needed):
        lines += [f"mkdir -p {shlex.quote(str(path))}", f"mount --bind {holders / str(number)} {shlex.quote(str(path))}"]
    return "\n".join(lines)


def owned_by_nobody(path: Path) -> Path:
    """PATH and everything in it, given to nobody (as root; a user without privileges keeps them)."""
    if os.geteuid() != 0:
        return path
    for folder, _subfolders, names in os.walk(path):
        os.chown(folder, NOBODY, NOBODY)
        for name in names:
            os.lchown(os.path.join(folder, name), NOBODY, NOBODY)
    return path


def world_temp_dir(prefix: str) -> Path:
    """A fresh folder in the system's temporary folder that nobody owns (pytest's tmp_path is root's, 0700)."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    folder.chmod(0o755)
    return owned_by_nobody(folder)


def readable_copy(target: Path) -> Path:
    """This checkout's files (no .git, no caches) at TARGET, owned by nobody."""
    shutil.copytree(REPO, target, ignore=shutil.ignore_patterns(
        ".git", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", "*.egg-info", "build", "dist",
        ".venv", "venv", ".ci-venv", ".tox", "node_modules", "learn-results", "test-artifacts"))
    return owned_by_nobody(target)


# Runs SCRIPT (sh) as root of a new user namespace (uids and gids 0-65535 mapped to themselves)
# with a mount namespace of its own, where no further user namespace may be created: a machine
# that refuses unprivileged user namespaces, for the processes inside only.
WITHOUT_USER_NAMESPACES = r'''
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
go_read, go_write = os.pipe()
ready_read, ready_write = os.pipe()
child = os.fork()
if child == 0:
    if libc.unshare(0x10000000 | 0x00020000) != 0:  # CLONE_NEWUSER | CLONE_NEWNS
        os._exit(90)
    os.write(ready_write, b"x")
    os.read(go_read, 1)  # the parent has mapped our ids
    with open("/proc/sys/user/max_user_namespaces", "w") as limit:
        limit.write("0")
    os.execvp("sh", ["sh", "-ec", sys.argv[1]])
os.read(ready_read, 1)
for kind in ("uid", "gid"):
    with open(f"/proc/{child}/{kind}_map", "w") as mapping:
        mapping.write("0 0 65536")
os.write(go_write, b"x")
sys.exit(os.waitstatus_to_exitcode(os.waitpid(child, 0)[1]))
'''


def run_as_nobody(argv: list[str], cwd: Path, env: dict[str, str], timeout: float,
                  user_namespaces: bool = True) -> subprocess.CompletedProcess:
    """ARGV as nobody in CWD with exactly ENV (plus HOME, a folder of nobody's). Without
    USER_NAMESPACES, nobody may create none (as on Ubuntu 24.04 or in a Docker container)."""
    home, holders = world_temp_dir("learn-nobody-home-"), Path(tempfile.mkdtemp(prefix="learn-python-"))
    env = {**env, "HOME": str(home)}
    drop = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--"]
    script = _exposing_python(holders)
    if not user_namespaces:
        command = [sys.executable, "-c", WITHOUT_USER_NAMESPACES,
                   "mount --make-rprivate /\n" + script + "\nexec " + shlex.join([*drop, *argv])]
    elif script:
        command = ["unshare", "--mount", "--propagation", "private", "sh", "-ec",
                   script + "\nexec " + shlex.join([*drop, *argv])]
    else:
        command = [*drop, *argv]
    try:
        return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    finally:
        shutil.rmtree(home, ignore_errors=True)
        shutil.rmtree(holders, ignore_errors=True)  # empty: the binds lived in the private namespace
