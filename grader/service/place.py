"""Where a service listens: a socket in a folder that only its user can open.

``$XDG_RUNTIME_DIR/learn`` when the session has one (it is private by specification), else
``/tmp/learn-<uid>``. Either folder is used only if it is a real folder (not a link) owned by
this user with no access for anyone else; the socket inside is named after the grader's
installation and the course, so two courses, or two installs of learn, never share a service.
Every connection's peer is checked again (SO_PEERCRED) by the daemon.
"""
from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path


class Unusable(OSError):
    """No private folder for the service: run without it."""


def private_folder() -> Path:
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    base = Path(runtime) / "learn" if runtime and os.path.isabs(runtime) else Path(f"/tmp/learn-{os.getuid()}")
    try:
        base.mkdir(mode=0o700, exist_ok=True)
        info = base.lstat()
    except OSError as exc:
        raise Unusable(exc.errno, f"{base}: {exc.strerror}") from None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise Unusable(f"{base} is not a private folder of this user")
    return base


def key(package_dir: Path, course_root: Path) -> str:
    """One service per installed grader and course."""
    return hashlib.sha256(f"{package_dir}\0{course_root}".encode("utf-8", "surrogateescape")).hexdigest()[:20]


def socket_path(package_dir: Path, course_root: Path) -> Path:
    return private_folder() / f"{key(package_dir, course_root)}.sock"


def lock_path(package_dir: Path, course_root: Path) -> Path:
    return private_folder() / f"{key(package_dir, course_root)}.lock"
