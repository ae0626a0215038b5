"""What a service was started from, read cheaply: every file of the grader and the course.

Path, size and modification time of each file (a few hundred ``stat`` calls, ~1 ms), never
their contents: a reinstalled grader or an edited exercise changes them, and the service then
refuses to serve rather than grade with stale code. Caches (``__pycache__``) are left out.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

SKIPPED = {"__pycache__", ".git", ".pytest_cache"}


def _walk(root: Path, digest: "hashlib._Hash") -> None:
    stack = [str(root)]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as listing:  # closed even if the folder vanishes mid-way
                entries = sorted(listing, key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if entry.name in SKIPPED:
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                    continue
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            digest.update(f"{entry.path}\0{info.st_size}\0{info.st_mtime_ns}\n".encode("utf-8", "surrogateescape"))


def of(package_dir: Path, course_root: Path) -> str:
    digest = hashlib.sha256()
    _walk(package_dir, digest)
    for part in ("exercises", "solutions"):
        if not str(course_root / part).startswith(str(package_dir) + os.sep):  # the built-in course is inside
            _walk(course_root / part, digest)
    return digest.hexdigest()
