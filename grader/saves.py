"""Saves of the student's files, as `learn watch` waits for them: events where the platform has
them, polling where it does not.

Events come from watchdog (inotify on Linux, FSEvents on macOS, ReadDirectoryChangesW on
Windows): one non-recursive watch per exercise folder and one on the workspace itself (a
student's virtual environment inside the workspace is never crawled). Any event there makes
:attr:`Saves.wake` readable; the watch loop selects on it beside the keyboard, so a save is seen
at once instead of at the next poll. What changed is still decided by ``stat`` (modification
time and size), so an editor's temporary files, a save that replaces the file through a rename
and our own writes to ``.learn/`` all come out right. A save counts once the files have been
quiet for ``SETTLE`` seconds (an editor that writes in several steps causes one re-grade).

Without watchdog, or where it cannot watch (inotify's watch limit, a network file system),
the same loop polls every ``POLL`` seconds and waits ``DEBOUNCE`` seconds of quiet.
"""
from __future__ import annotations

import os
import select
import time
from pathlib import Path
from typing import Any, Iterable

POLL = 0.1        # seconds between polls without events
DEBOUNCE = 0.1    # quiet time before a polled save counts
SETTLE = 0.05     # quiet time before a save seen by events counts, unless one says the write is complete
DONE = b"w"       # what an event handler writes when a write is complete (closed, or renamed into place)
SAFETY_POLL = 2.0  # with events, still look this often: an event the platform dropped is not lost

Stamp = tuple[int, int] | None


def stamp(path: Path) -> Stamp:
    """What changes when a file is saved: modification time and size (None while it is missing)."""
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size)


class Saves:
    """The files to watch, what they looked like when last graded, and a way to wait for saves."""

    def __init__(self, root: Path, files: Iterable[Path]) -> None:
        self.root, self.files = root, list(files)
        self.stamps: dict[Path, Stamp] = {}
        self._read, self._write = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        self._observer: Any = None
        self._seen = b""
        self._watched: set[Path] = set()
        self.events = self._start_events()

    # -- waiting ---------------------------------------------------------------------------------

    @property
    def wake(self) -> int:
        """A file descriptor that becomes readable when something may have been saved."""
        return self._read

    @property
    def timeout(self) -> float:
        """How long the loop may wait for keys or an event before it looks by itself."""
        return SAFETY_POLL if self.events else POLL

    def _drain(self) -> bytes:
        drained = b""
        try:
            while chunk := os.read(self._read, 4096):
                drained += chunk
        except BlockingIOError:
            pass
        return drained

    def settle(self, paths: list[Path]) -> None:
        """Wait until PATHS stop changing: with events, until a file was closed after writing
        (or renamed into place) or SETTLE seconds passed without an event; polling, DEBOUNCE
        seconds without a change of stamp."""
        if self.events:
            last = self._seen + self._drain()
            while not last.endswith(DONE) and select.select([self._read], [], [], SETTLE)[0]:
                last = self._drain()
        before = [stamp(p) for p in paths]
        while not self.events:
            time.sleep(DEBOUNCE)
            after = [stamp(p) for p in paths]
            if after == before:
                return
            before = after

    # -- what changed ----------------------------------------------------------------------------

    def snapshot(self) -> None:
        """Take the files as they are now as graded."""
        self.stamps = {f: stamp(f) for f in self.files}

    def changed(self) -> list[Path]:
        """Files saved since the last call (or snapshot): present, with a new stamp."""
        self._seen = self._drain()[-1:]  # settle() needs to know whether the last write completed
        now = {f: stamp(f) for f in self.files}
        moved = [p for p, s in now.items() if s is not None and s != self.stamps.get(p)]
        self.stamps = now
        return moved

    def watch_folder(self, folder: Path) -> None:
        """Also receive events from FOLDER (an exercise folder made after the start)."""
        if self._observer is None or folder in self._watched or not folder.is_dir():
            return
        try:
            self._observer.schedule(self._handler, str(folder), recursive=False)
            self._watched.add(folder)
        except OSError:
            pass  # the safety poll still finds saves there

    # -- events ----------------------------------------------------------------------------------

    def _start_events(self) -> bool:
        if os.environ.get("LEARN_WATCH_POLL"):  # forced polling (a file system without events)
            return False
        try:
            from watchdog.events import FileSystemEventHandler
            from watchdog.observers import Observer
        except ImportError:
            return False
        import logging  # watchdog's own warnings (an emitter stopping) are not the student's to read
        logging.getLogger("watchdog").addHandler(logging.NullHandler())
        wake = self._write

        class Wake(FileSystemEventHandler):
            def on_any_event(self, event: Any) -> None:
                if event.is_directory or event.event_type in ("opened", "closed_no_write"):
                    return  # a folder's own change follows its file's, and reading a file saves nothing
                complete = event.event_type in ("closed", "moved")  # IN_CLOSE_WRITE, a rename into place
                try:
                    os.write(wake, DONE if complete else b".")
                except (BlockingIOError, OSError):
                    pass  # the pipe is full: the loop is awake already

        self._handler = Wake()
        try:
            self._observer = Observer()
            self._observer.daemon = True
            self._observer.schedule(self._handler, str(self.root), recursive=False)
            self._watched.add(self.root)
            self._observer.start()
        except (OSError, RuntimeError):
            self._observer = None
            return False
        for folder in {f.parent for f in self.files}:
            self.watch_folder(folder)
        return True

    def close(self) -> None:
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=2)
            self._observer = None
        for fd in (self._read, self._write):
            os.close(fd)
