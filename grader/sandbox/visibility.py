"""What a worker may see: the Python installation and the grader package, never the instructor's files.

The fork server keeps one view for all its workers, computed once: the folders a worker may
read (:func:`visible_paths`, and :data:`SYSTEM` for the libraries Python loads), and the folders
hidden inside them (:func:`hidden_paths`). Hidden are the course shipped inside the package
(``_course``) and whatever the grader names with :func:`hide` before it asks for a worker: the
course it grades with, the submissions, the results folder. Such a folder matters when it lies
under a visible one (a course in ``/usr/src/app``, a container's usual working directory, under
a bound ``/usr``). The deepest folder decides: a Python installation inside a hidden course
folder stays visible. Every layer applies the same view: the namespace layer's root
(:mod:`grader.sandbox.namespaces` masks what is hidden), Landlock's rules
(:func:`landlock_readable`) and the audit hook.
"""
from __future__ import annotations

import functools
import glob
import os
import sys
from pathlib import Path
from typing import Iterable

SYSTEM = ("/usr", "/etc/ld.so.cache")             # what the worker's root always binds
LINKS = ("/bin", "/lib", "/lib64", "/sbin")        # merged-/usr links, or folders of their own


def grader_dir() -> str:
    return str(Path(__file__).resolve().parents[1])  # the grader package, not this subpackage


@functools.cache  # computed once in the fork server, before it forks (each call is dozens of stats)
def visible_paths() -> tuple[str, ...]:
    """Python's installation and the grader package, shallowest first; never the checkout the
    grader sits in. A folder inside another stays listed: it still counts where a hidden folder
    lies between them (the deepest folder decides)."""
    checkout = str(Path(grader_dir()).parent)
    candidates = [sys.prefix, sys.base_prefix, sys.exec_prefix, grader_dir()]
    candidates += [p for p in sys.path if p and p != checkout]
    return tuple(sorted({os.path.realpath(p) for p in candidates if os.path.isdir(p)} - {"/", "/tmp"},
                        key=lambda p: (len(p), p)))


def inside(path: str, folders: Iterable[str]) -> bool:
    """PATH is one of FOLDERS or lies beneath one."""
    return any(path == f or path.startswith(f.rstrip("/") + "/") for f in folders)


_hidden: set[str] = set()


def hidden_paths() -> tuple[str, ...]:
    """The folders no worker may see, shallowest first."""
    if not _hidden:
        _hidden.update(installed_courses())
    return tuple(sorted(_hidden, key=lambda p: (p.count("/"), p)))


def installed_courses() -> list[str]:
    """Every copy of the built-in course a worker could otherwise find: this package's
    ``_course``, and that of any other installation of the grader in a folder Python imports
    from or under /usr (an editable install copies the course into site-packages while the
    code runs from the checkout; another virtual environment or the base Python may hold one)."""
    places = [os.path.dirname(grader_dir()), *(p for p in sys.path if p)]
    for prefix in dict.fromkeys([sys.prefix, sys.base_prefix, "/usr", "/usr/local"]):
        places += glob.glob(os.path.join(prefix, "lib*", "python3*", "*-packages"))
    found = [os.path.join(grader_dir(), "_course")]
    found += [os.path.join(p, "grader", "_course") for p in places if os.path.isdir(os.path.join(p, "grader", "_course"))]
    return list(dict.fromkeys(os.path.realpath(p) for p in found))


def bound_paths() -> tuple[str, ...]:
    """Everything a worker's root shows of the host: the system, then the visible paths."""
    return (*system_folders(), *visible_paths())


def hide(paths: Iterable[str]) -> list[str]:
    """Add PATHS (resolved) to the hidden folders; return the ones that are new and lie under a
    bound path (the only ones that need a mask: the others are not in a worker's root at all)."""
    hidden_paths()
    new: list[str] = []
    for path in dict.fromkeys(os.path.realpath(str(p)) for p in paths):
        if path != "/" and path not in bound_paths() and not inside(path, [*_hidden, *new]):
            new.append(path)  # not a folder Python runs from, nor one already hidden (a student in a class)
    _hidden.update(new)
    if new:
        landlock_readable.cache_clear()
    return [p for p in new if any(p != b and inside(p, [b]) for b in bound_paths())]


def system_folders() -> list[str]:
    """The system paths, plus /lib and the like where they are folders rather than links to /usr."""
    return [*SYSTEM, *(p for p in LINKS if os.path.isdir(p) and not os.path.islink(p))]


@functools.cache
def landlock_readable() -> tuple[tuple[str, int], ...]:
    """What a Landlock rule lets a worker read: the system libraries (the process layer's dlopen
    needs them, as the namespace layer binds them) and the visible paths, split around the hidden ones."""
    from grader.sandbox import landlock
    return tuple(landlock.split_around([*system_folders(), *visible_paths()], hidden_paths()))


@functools.cache
def world_readable(path: str) -> bool:
    """Can an unprivileged user reach PATH (every folder on the way searchable by others)?"""
    parts = Path(path).resolve().parts
    return all(os.stat(os.path.join(*parts[:i + 1])).st_mode & 0o005 == 0o005 for i in range(len(parts)))
