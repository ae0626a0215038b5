"""Similarity across a class: who shares unusual code with whom, per exercise.

The method is MOSS's (Schleimer, Wilkerson and Aiken, *Winnowing: local algorithms for document
fingerprinting*, SIGMOD 2003), which Dolos uses too, written here in ~150 lines rather than
taken from a library: Python's own tokenizer is the exact front end for Python files, and the
one maintained Python package that does this (copydetect) would bring pygments for a
tokenizer we already have.

1. :mod:`.tokens` normalizes each student's file of an exercise: comments, docstrings,
   formatting, string and number values and every name the student chose are gone (a name
   becomes ``V``; keywords, builtins and attributes such as ``.sum`` stay, they are the code's
   shape).
2. :mod:`.fingerprints` hashes every run of ``K`` tokens and keeps the minimum of each window
   of ``W`` hashes (winnowing): any run of ``K + W - 1`` equal tokens in two files is found,
   whatever surrounds it, so reordered functions and inserted comments do not hide a copy. The
   stub's own runs are removed: every student shares those.
3. :mod:`.scoring` weights each fingerprint by its rarity in the class (``log(n / df)``: one
   every submission has weighs 0, so the short code every correct student writes alike proves
   nothing) and scores a pair by the weight they share over the smaller one's total. A pair is
   flagged at ``THRESHOLD`` with at least ``MIN_SHARED`` shared fingerprints; flagged pairs that
   share students form clusters.
4. :mod:`.pages` writes the ranked table (CSV, JSON) and an HTML page per pair with the
   matching regions highlighted side by side.

A score is evidence for a person to read, never a verdict: the report says so.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def write_report(course: Any, submissions: Path, out: Path) -> dict[str, Any]:
    """Compare every student of SUBMISSIONS on every exercise of COURSE; write OUT; its JSON data."""
    from grader.classroom.plan import discover
    from grader.classroom.similarity import compare, pages
    from grader.errors import LearnError
    from grader.notebook.layout import notebook_name
    found, _skipped = discover(submissions)
    if found and not any(os.path.lexists(s.path / e.id / name) for s in found for e in course.exercises
                         for name in (e.file, notebook_name(e))):  # else "0 flagged" reads as "no copying"
        raise LearnError(f"none of the {len(found)} student folders in {submissions} holds a file of the course "
                         f"{course.title!r} ({course.root}): pass the course they worked on with --course")
    return pages.write(out, compare.compare_class(course, [(s.name, s.path) for s in found]))


def graded_from(runs: list[dict[str, Any] | None]) -> tuple[Path, Path] | None:
    """(submissions, course) that every given grade-all run (run.json) names, if both are here."""
    named = {(run.get("submissions"), run.get("course")) for run in runs if run}
    if len(named) != 1:
        return None
    submissions, course = next(iter(named))
    if not submissions or not course or not Path(submissions).is_dir() or not Path(course).is_dir():
        return None
    return Path(submissions), Path(course)
