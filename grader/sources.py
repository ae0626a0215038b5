"""A student's file as the grader's own process reads it: bounded, and never blocking.

The grader reads a submitted file in its own process to hash it (``learn grade-all --resume``),
to compare it with the stub (not started?) and to parse it for forbidden calls. The file is the
student's, so each of these is capped: at most ``MAX_SOURCE_BYTES + 1`` bytes are ever read, a
named pipe or a device is not read at all (:func:`grader.storage.read_regular_file`), and a
file over the cap is the student's clear error, not minutes of the grader's CPU: ``ast.parse``
costs up to ~1 KB of memory and ~4 µs per byte of the densest code, so a 10 MB literal took 37 s
and 4.7 GiB, while the worst file under the cap we could build parses in ~1 s and ~250 MB.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader.storage import read_regular_file

MAX_SOURCE_BYTES = 256 * 1024  # a long solution of these exercises is ~10 KB


@dataclass(frozen=True)
class Source:
    """At most the first ``MAX_SOURCE_BYTES + 1`` bytes of a student's file."""
    data: bytes

    @property
    def too_large(self) -> bool:
        return len(self.data) > MAX_SOURCE_BYTES

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", errors="replace")

    @staticmethod
    def refusal(name: str) -> str:
        """What the student is told when the file is over the cap."""
        return (f"{name} is larger than {MAX_SOURCE_BYTES // 1024} KB: files that large are not graded "
                "(is a huge literal or pasted data in it?)")


def read_source(path: Path) -> Source | None:
    """PATH's first bytes if it is a regular file (links followed), else None; OSError if it
    cannot be opened."""
    data = read_regular_file(path, MAX_SOURCE_BYTES + 1)
    return None if data is None else Source(data)
