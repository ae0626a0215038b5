"""Writes that matter: atomic (temp file + rename) and never through a planted symlink."""
from __future__ import annotations

import functools
import os
import stat
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: str | bytes, durable: bool = True) -> None:
    """Replace PATH with DATA in one step. A symlink or directory at PATH is replaced, not followed.

    Atomic either way: a killed process leaves the old file or the new one, never a mix. DURABLE
    also fsyncs the file before the rename and its folder after it, so the new file (and its name)
    survive a power loss; callers that can detect and redo a lost write (grade-all's digests) skip
    it. The file gets the mode it is meant to have: an existing file's own, else what the umask
    gives a new file (the temporary file's 0600 never reaches it).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_symlink():
        path.unlink()
    elif path.is_dir():
        raise IsADirectoryError(f"{path} is a directory; refusing to write a report there")
    raw = data.encode("utf-8") if isinstance(data, str) else data
    mode = _intended_mode(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
            os.fchmod(handle.fileno(), mode)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if durable:
        sync_folder(path.parent)


def linked_part(path: Path, levels: int = 2) -> Path | None:
    """The first of PATH and its LEVELS - 1 nearest folders that is a symbolic link, else None.
    A submitted file is refused when it or its exercise folder is a link: either could point at
    the reference or at another student's work."""
    for part in [path, *path.parents][:levels]:
        if part.is_symlink():
            return part
    return None


def sync_folder(folder: Path) -> None:
    """fsync FOLDER itself: a rename into it (or a new file) is durable only once its folder is."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _intended_mode(path: Path) -> int:
    try:
        info = path.lstat()
        if stat.S_ISREG(info.st_mode):
            return stat.S_IMODE(info.st_mode)
    except OSError:
        pass
    return 0o666 & ~_umask()


@functools.cache
def _umask() -> int:
    """The process's umask (read once: reading it means setting it)."""
    umask = os.umask(0o022)
    os.umask(umask)
    return umask


def read_regular_file(path: Path, limit: int = -1, follow_symlinks: bool = True) -> bytes | None:
    """PATH's bytes (at most LIMIT) if it is a regular file, else None; OSError if it cannot be
    opened. Opened without blocking: a named pipe in a submission would block a plain read
    (and a whole class) forever."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | (0 if follow_symlinks else os.O_NOFOLLOW))
    with os.fdopen(fd, "rb") as handle:
        return handle.read(limit) if stat.S_ISREG(os.fstat(handle.fileno()).st_mode) else None


def prepare_dir(path: Path) -> Path:
    """Make PATH a real directory for reports: a planted symlink or file there is removed (its
    target is never touched), never followed."""
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        path.unlink()
    path.mkdir(parents=True, exist_ok=True)
    return path
