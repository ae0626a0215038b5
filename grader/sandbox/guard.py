"""The worker's audit hook: installed just before the student's file runs, out of its reach.

An audit hook is not a sandbox (``_posixsubprocess``, ``__subclasses__`` walks and C code
can get past Python-level checks), which is why :mod:`grader.sandbox.layers` puts the OS
layers first. The hook is defence in depth and, where the OS gives less, the layer that tells
a student clearly what is refused: new processes, sockets, ctypes, signals to other processes,
writes outside the scratch folder, reads outside the Python installation, the grader's own
package, the submission and the scratch folder, opening folders (a descriptor of a folder would
make ``dir_fd`` paths mean something other than what the hook checked), loading a compiled
extension module from anywhere but the Python installation and the grader package (one written
to the scratch folder would run code no audit event sees), and the introspection
that could reach the hook (``gc.get_objects``/``get_referrers``, ``sys.settrace``,
``sys._current_frames``, replacing the hook's code or defaults).

Why the student's code cannot switch it off. The hook is a function whose policy and tools
are its own default arguments, bound before any student code runs: immutable values (tuples of
strings, frozensets, ints) and C functions (``posix.lstat``, ``str`` methods). Its code loads no
global or builtin name, has no closure cell, and calls nothing that runs Python code of a
module, so patching ``sys.modules``, ``builtins``, ``os.path`` or this module changes nothing it
does (tests/redteam/test_layers.py checks its bytecode). A path argument that is not exactly a
``str``, ``bytes`` or ``int`` is refused: a path-like object could answer the hook and the
system call differently. Nothing keeps a reference to the hook but the interpreter's hook
list, and replacing its ``__code__`` or ``__defaults__`` is an audited event it refuses.
Frames stay readable (``sys._getframe`` is how ``collections.namedtuple`` and ``typing`` find
their caller): a frame shows the hook's values, which cannot be changed.
"""
from __future__ import annotations

import _stat
import os
import posix
import sys
from typing import Any, Callable, Iterable

# Events refused outright, whatever their arguments.
REFUSED = frozenset({
    "subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
    "os.forkpty", "pty.spawn", "os.kill", "os.killpg", "os.startfile", "signal.pthread_kill",
    "os.chroot", "webbrowser.open",
    # what could reach the hook or rewrite a running frame
    "gc.get_objects", "gc.get_referrers", "gc.get_referents", "sys._current_frames",
    "sys.settrace", "sys.setprofile", "sys._settraceallthreads", "sys._setprofileallthreads",
    "sys.remote_exec",
})
REFUSED_PREFIXES = ("socket.", "ctypes.", "_ctypes.", "urllib.", "http.", "ftplib.", "smtplib.")

# Events whose path arguments must all lie inside the scratch folder.
WRITES = frozenset({
    "os.remove", "os.rmdir", "os.mkdir", "os.rename", "os.link", "os.symlink", "os.chmod",
    "os.chown", "os.truncate", "os.utime", "os.chflags", "os.mkfifo", "os.mknod",
    "os.setxattr", "os.removexattr", "shutil.rmtree", "shutil.copyfile", "shutil.copymode",
    "shutil.copystat", "shutil.copytree", "shutil.move", "shutil.chown", "shutil.unpack_archive",
    "shutil.make_archive",
})
# Of those, the events that take a file descriptor in place of a path (os.fchmod, os.fchown,
# os.utime, os.fsetxattr...): a descriptor opened to read a file the worker owns (its Python
# installation, the grader's package, when the grader runs as the worker's user or as root
# without namespaces) would otherwise let it change that file's mode, owner, times or
# attributes, which Landlock does not govern. Truncating needs a descriptor open for writing,
# which only the scratch folder gives: os.truncate is not among them.
BY_DESCRIPTOR = frozenset({"os.chmod", "os.chown", "os.utime", "os.chflags", "os.setxattr", "os.removexattr"})
# Events whose path arguments must lie inside a readable folder.
READS = frozenset({"os.listdir", "os.scandir", "os.chdir", "glob.glob", "glob.glob/2",
                   "os.listxattr", "os.getxattr"})
SETTERS = frozenset({"object.__setattr__", "object.__delattr__"})  # refused on the hook's own functions
WATCHED = REFUSED | WRITES | READS | SETTERS | {"open", "import"}
ALWAYS_READABLE = ("/dev/null", "/dev/urandom", "/dev/random", "/dev/zero")
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
MAX_LINKS = 40  # as the kernel: more symbolic links than this in one path is a loop

Refused = PermissionError  # what the student's code sees (a built-in: nothing of it can be patched)


def _resolve(path: str, getcwd: Any = posix.getcwd, lstat: Any = posix.lstat, readlink: Any = posix.readlink,
             islink: Any = _stat.S_ISLNK, error: Any = OSError, limit: int = MAX_LINKS) -> str | None:
    """PATH made absolute with every symbolic link followed, as the kernel would (a folder that
    does not exist ends the lookup: the rest is taken as written, and opening it fails anyway).
    None for a loop. Only C functions and str methods: nothing a student can patch."""
    if not path.startswith("/"):
        path = getcwd() + "/" + path
    pending = path.split("/")
    pending.reverse()
    resolved, links, lost = "", 0, False
    while pending:
        name = pending.pop()
        if name == "" or name == ".":
            continue
        if name == "..":
            resolved = resolved[:resolved.rfind("/")] if resolved else ""
            continue
        candidate = resolved + "/" + name
        if not lost:
            try:
                mode = lstat(candidate).st_mode
            except error:
                lost = True  # the kernel stops here too
                mode = 0
            if islink(mode):
                links += 1
                if links > limit:
                    return None
                target = readlink(candidate)
                if target.startswith("/"):
                    resolved = ""
                more = target.split("/")
                more.reverse()
                pending.extend(more)
                continue
        resolved = candidate
    return resolved or "/"


def _depth(path: str, roots: tuple) -> int:
    """The length of the longest of ROOTS ((root, root + "/") pairs) that holds PATH, else -1."""
    longest = -1
    for root, below in roots:
        if (path == root or path.startswith(below)) and root.__len__() > longest:
            longest = root.__len__()
    return longest


def _pairs(paths: Iterable[str]) -> tuple[tuple[str, str], ...]:
    return tuple((p, p.rstrip("/") + "/") for p in dict.fromkeys(os.path.realpath(p) for p in paths))


def policy(scratch: str, readable: Iterable[str], hidden: Iterable[str] = (),
           native: Iterable[str] | None = None) -> Callable[[str, tuple], None]:
    """The hook for a worker whose scratch folder is SCRATCH, that may read READABLE (and
    SCRATCH and four devices) except what lies in HIDDEN; the deepest folder that holds a path
    decides, so a Python installation inside a hidden course folder stays readable. Compiled
    extension modules load only from NATIVE (default: READABLE).
    Not installed: :func:`install` does that. Tests call it directly."""

    def hook(event: Any, args: Any, watched: Any = WATCHED, refused: Any = REFUSED,
             prefixes: Any = REFUSED_PREFIXES, writes: Any = WRITES, reads: Any = READS, setters: Any = SETTERS,
             by_descriptor: Any = BY_DESCRIPTOR,
             scratch: Any = None, readable: Any = None, hidden: Any = None, native: Any = None, own: Any = (),
             resolve: Any = _resolve, depth: Any = _depth, write_flags: Any = WRITE_FLAGS,
             stat: Any = posix.stat, isdir: Any = _stat.S_ISDIR, decode: Any = bytes.decode, error: Any = OSError,
             refuse: Any = Refused, str_: Any = str, bytes_: Any = bytes, int_: Any = int, type_: Any = type,
             plain: Any = (int, float, bool, type(None), tuple)) -> None:
        if event not in watched:
            if event.startswith(prefixes):
                raise refuse(event + " is not allowed while grading")
            return
        if event in refused:
            raise refuse(event + " is not allowed while grading")
        if event in setters:
            for mine in own:
                if args[0] is mine:
                    raise refuse("changing the grader's audit hook is not allowed while grading")
            return
        if event == "import":  # a file name only for a compiled extension module, about to be loaded
            if args.__len__() > 1 and type_(args[1]) is str_:
                path = resolve(args[1]) if "\0" not in args[1] else None
                if path is None or depth(path, native) <= depth(path, hidden):
                    raise refuse("loading compiled code from " + args[1].__repr__() + " is not allowed while grading")
            return
        opening = event == "open"
        if event in by_descriptor and args.__len__() > 0 and type_(args[0]) is int_:
            raise refuse(event + " on a file descriptor is not allowed while grading")
        values = (args[0],) if opening else args
        for value in values:
            kind = type_(value)
            if kind is bytes_:
                value = decode(value, "utf-8", "surrogateescape")
            elif kind is not str_:
                if kind in plain:
                    continue  # a file descriptor (already open: allowed when it was opened), a mode, None
                raise refuse(event + ": a path must be a str or bytes while grading")
            path = resolve(value) if "\0" not in value else None
            if path is None:
                raise refuse(event + " on " + value.__repr__() + " is not allowed while grading")
            if opening:
                mode, flags = args[1], args[2]
                writing = (type_(flags) is int_ and flags & write_flags != 0) or (type_(mode) is str_ and (
                    "w" in mode or "a" in mode or "x" in mode or "+" in mode))
            else:
                writing = event in writes
            if writing:
                allowed = depth(path, scratch) > depth(path, hidden) or path == "/dev/null"
            else:
                allowed = depth(path, readable) > depth(path, hidden)
            if allowed and opening:
                try:
                    allowed = not isdir(stat(path).st_mode)
                except error:
                    pass  # nothing there (yet): opening it cannot give a folder
            if not allowed:
                what = "opening " + value.__repr__() if opening else event + " on " + value.__repr__()
                raise refuse(what + " is not allowed while grading")

    scratch = os.path.realpath(scratch)
    defaults = list(hook.__defaults__ or ())
    names = hook.__code__.co_varnames[2:hook.__code__.co_argcount]
    readable = list(readable)
    bound = {"scratch": _pairs([scratch]), "readable": _pairs([*readable, scratch, *ALWAYS_READABLE]),
             "hidden": _pairs(hidden), "native": _pairs(readable if native is None else native),
             "own": (hook, _resolve, _depth)}
    for name, value in bound.items():
        defaults[names.index(name)] = value
    hook.__defaults__ = tuple(defaults)
    return hook


def install(scratch: str, readable: Iterable[str], hidden: Iterable[str] = (),
            native: Iterable[str] | None = None) -> None:
    """Install the hook for the rest of this process's life (it keeps no other reference to it)."""
    sys.addaudithook(policy(scratch, readable, hidden, native))
