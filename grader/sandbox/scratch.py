"""Removing what a worker left in its scratch folder: iterative, bounded, never following a link.

The process layer gives each worker a fresh scratch folder (its cwd and TMPDIR), and the fork
server removes it once the worker is gone. What is in it is the student's: any number of files,
folders nested thousands deep, folders without permissions. ``shutil.rmtree`` recurses once per
level: a tree a few thousand deep raised RecursionError in the server, which then failed to
start every later worker of the run. :func:`remove_tree` never recurses and never follows a
link (it works on directory descriptors: openat, unlinkat), holds at most ``MAX_OPEN``
descriptors (a folder nested deeper is moved up to the scratch folder's top and emptied from
there), and stops at a deadline: what is left is removed by a later sweep, so starting the next
worker never waits for more than a sweep's budget. When the fork server exits, what its last
sweep could not remove is handed to :func:`remove_detached`, a process of its own at the lowest
priority: the grader does not wait for a student's hundred thousand files, and they do not
stay behind in the system's temporary folder either.
"""
from __future__ import annotations

import errno
import itertools
import os
import stat
import time

MAX_OPEN = 32          # directory descriptors held at once, whatever the depth
SWEEP_SECONDS = 0.02   # spent before each new worker starts
EXIT_SECONDS = 0.2     # spent when the fork server exits; what remains goes to remove_detached
DETACHED_SECONDS = 600.0  # the detached remover's own bound (a worker still writing, a folder we may not remove)
_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def remove_tree(path: str, deadline: float) -> bool:
    """Remove PATH and everything under it, or as much as fits before DEADLINE (a time.monotonic()
    value). True once PATH is gone; False if something is left for a later call."""
    try:
        root = _open_dir(path, None)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    try:
        emptied = _empty(root, deadline)
    except OSError:
        emptied = False  # a folder we may not remove (a mount point, an immutable file): try later
    finally:
        os.close(root)
    if not emptied:
        return False
    try:
        os.rmdir(path)
    except FileNotFoundError:
        pass
    except OSError:
        return False
    return True


def _empty(root: int, deadline: float) -> bool:
    stack: list[tuple[int, str]] = [(root, "")]   # folders being emptied: (descriptor, name in the one above)
    names = itertools.count()
    try:
        while stack:
            here = stack[-1][0]
            inner = None
            with os.scandir(here) as entries:
                for entry in entries:
                    if time.monotonic() > deadline:
                        return False
                    if entry.is_dir(follow_symlinks=False):
                        inner = entry.name
                        break
                    os.unlink(entry.name, dir_fd=here)
            if inner is None:  # empty now
                if len(stack) == 1:
                    return True
                fd, name = stack.pop()
                os.close(fd)
                os.rmdir(name, dir_fd=stack[-1][0])
            elif len(stack) < MAX_OPEN:
                stack.append((_open_dir(inner, here), inner))
            else:  # too deep to hold open: move it to the top, where it is emptied in turn
                _move_up(inner, here, root, names)
    finally:
        for fd, _ in stack[1:]:
            os.close(fd)
    return True


def _open_dir(name: str, parent: int | None) -> int:
    """NAME (in the folder PARENT, if given) opened as a directory, made ours to empty."""
    try:
        fd = os.open(name, _DIRECTORY, dir_fd=parent)
    except PermissionError:  # a folder the worker made unreadable: give it back its owner's rights
        os.chmod(name, stat.S_IRWXU, dir_fd=parent)
        fd = os.open(name, _DIRECTORY, dir_fd=parent)
    try:
        os.fchmod(fd, stat.S_IRWXU)  # so its entries can be listed and removed (root needs none of this)
    except OSError:
        pass
    return fd


def _move_up(name: str, parent: int, root: int, names: itertools.count) -> None:
    while True:  # a name the student made already may be taken: the next one
        try:
            os.rename(name, f".learn-deep-{next(names)}", src_dir_fd=parent, dst_dir_fd=root)
            return
        except OSError as exc:
            if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                raise


def remove_detached(folders: list[str], seconds: float = DETACHED_SECONDS) -> None:
    """Remove FOLDERS in a process that outlives this one: forked twice (so nobody has to reap it),
    in a session of its own, at the lowest priority, holding no descriptor of ours (a socket it
    kept open would make our peers wait for it). Returns at once; gives up after SECONDS."""
    if not folders:
        return
    try:
        pid = os.fork()
    except OSError:
        return  # no process to spare: the folders stay in the system's temporary folder
    if pid:
        try:
            os.waitpid(pid, 0)  # the middle process exits at once
        except ChildProcessError:
            pass  # SIGCHLD ignored (the fork server): the kernel reaped it
        return
    try:
        os.setsid()
        if os.fork():
            os._exit(0)
        os.nice(19)
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        os.closerange(3, 1 << 16)
        deadline = time.monotonic() + seconds
        pending = list(folders)
        while pending and time.monotonic() < deadline:
            pending = [f for f in pending if not remove_tree(f, deadline)]
            if pending:
                time.sleep(1.0)  # not removable yet (a worker still writing): try again
    finally:
        os._exit(0)
