"""Which known name a wrong one is a typo of: the student's `cosine_similarty()`, an author's `titel:`."""
from __future__ import annotations

import difflib
from collections.abc import Iterable


def misspelt(wanted: str, known: Iterable[str]) -> str:
    """The name among KNOWN that looks like a typo of WANTED, or ''."""
    close = difflib.get_close_matches(wanted, list(known), n=1, cutoff=0.8)
    return close[0] if close else ""


def unknown_field(key: str, known: Iterable[str]) -> str:
    """An exercise or course YAML's message for an unknown KEY: the fields it may hold, and the one meant."""
    known = sorted(known)
    listed = " or ".join(known) if len(known) <= 2 else "one of: " + ", ".join(known)
    meant = misspelt(str(key), known)
    return "unknown field" + (f", did you mean {meant!r}?" if meant else "") + f" (expected {listed})"
