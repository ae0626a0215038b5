"""Student-controlled text made data in every format the grader writes: one function, :func:`shown`.

What a student controls (what their code printed, their exception messages, values quoted in a
message, their folder's name) ends up in files and screens that other programs interpret: a
terminal, JSON, CSV, Markdown (report.md, the Actions job summary, Gradescope), HTML and SVG,
JUnit XML, GitHub workflow commands. ``shown(text, fmt)`` makes TEXT plain data in FMT:

- in every format: text UTF-8 cannot carry (lone surrogates, from bytes that were not UTF-8),
  the noncharacters XML refuses, and bidirectional overrides, embeddings and isolates (which
  show text in another order than it is: "Trojan Source") become U+FFFD; terminal escape
  sequences, NUL and every other control character are removed, except newline and tab (a
  carriage return becomes a newline, so it cannot overwrite a line);
- ``terminal``, ``json``, ``html``, ``xml``: that is all (json.dumps, autoescape and ElementTree
  escape the rest);
- ``csv``: one cell: newlines and tabs become spaces, and a cell a spreadsheet would run as a
  formula (``= + - @`` first, as OWASP lists them, after any whitespace or invisible format
  characters such as a byte order mark or a zero-width space) starts with a quote;
- ``markdown``, ``markdown-cell``: inline text on one line, as a code span whose backticks
  outnumber any run of backticks in it, so it can neither format itself, link, nor open HTML
  (in a table cell, ``|`` is escaped too: GFM splits cells before it reads code spans);
- ``markdown-block``: a fenced code block holding the text, its fence longer than any run of
  backticks in it (so the text cannot close it);
- ``annotation``, ``annotation-property``: the data and the properties of a GitHub workflow
  command (``%``, CR, LF; and ``:`` ``,`` in properties), so text cannot start a command of its own.

:func:`json_ready` applies the ``json`` rule to every string of a result and writes non-finite
numbers (a student's NaN in a picture) as the strings ``"NaN"``, ``"Infinity"`` and
``"-Infinity"``, so the JSON stays valid (``results.schema.json`` says so).
"""
from __future__ import annotations

import json
import math
import re
from typing import Any

from grader.results import TestResult

FORMATS = ("terminal", "json", "html", "xml", "csv", "markdown", "markdown-cell", "markdown-block", "annotation",
           "annotation-property")

# Bidirectional overrides, embeddings and isolates: they show text in another order than it is
# ("Trojan Source"). A character range, for the patterns here and in grader.notebook.layout.
BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
_BIDI = re.compile(f"[{BIDI_CONTROLS}]")
# Anything the common rule changes: controls (C0 but tab and newline, DEL, C1), surrogates, U+FFFE/F, bidi.
_SUSPECT = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff{BIDI_CONTROLS}]")
# Terminal escape sequences: CSI (colours, cursor), OSC (titles, hyperlinks), and two-byte ones.
_ESCAPE = re.compile("\x1b(?:\\[[0-?]*[ -/]*[@-~]|\\][^\x07\x1b]*(?:\x07|\x1b\\\\)?|[@-Z\\\\-_])|\x9b[0-?]*[ -/]*[@-~]")
_REMOVED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_REPLACED = re.compile(f"[\ud800-\udfff\ufffe\uffff{BIDI_CONTROLS}]")
_FORMULA_START = ("=", "+", "-", "@")
# What a student's name or message may not bring into a line of a report: controls and bidi controls.
UNSHOWABLE = re.compile(f"[\x00-\x1f\x7f-\x9f{BIDI_CONTROLS}]")
# Whitespace and invisible format characters a spreadsheet may skip before a formula's first character.
_BLANK_LEAD = re.compile("[\\s\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]*")
_BACKTICKS = re.compile("`+")


def shown(value: object, fmt: str) -> str:
    """VALUE (any object; student-controlled text) as plain data in FMT (see the module's docstring)."""
    text = str(value)
    if _SUSPECT.search(text):
        text = _REPLACED.sub("\ufffd", _REMOVED.sub("", _ESCAPE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))))
    if fmt in ("terminal", "json", "html", "xml"):
        return text
    if fmt == "csv":
        text = text.replace("\n", " ").replace("\t", " ")
        return "'" + text if text[_BLANK_LEAD.match(text).end():].startswith(_FORMULA_START) else text
    if fmt in ("markdown", "markdown-cell"):
        text = " ".join(text.split())
        if not text:
            return ""
        if fmt == "markdown-cell":
            text = text.replace("|", "\\|")
        ticks = "`" * (1 + _longest_backticks(text))
        pad = " " if text.startswith("`") or text.endswith("`") else ""  # CommonMark strips one each side
        return f"{ticks}{pad}{text}{pad}{ticks}"
    if fmt == "markdown-block":
        fence = "`" * max(3, 1 + _longest_backticks(text))
        return f"{fence}\n{text.rstrip(chr(10))}\n{fence}"
    if fmt == "annotation":
        return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if fmt == "annotation-property":
        return shown(text, "annotation").replace(":", "%3A").replace(",", "%2C")
    raise ValueError(f"unknown format {fmt!r} (expected one of {', '.join(FORMATS)})")


def holds_bidi_controls(text: str) -> bool:
    return _BIDI.search(text) is not None


def one_line(text: str, limit: int) -> str:
    """TEXT (the student's) on one line of at most LIMIT characters: whitespace runs become one
    space, controls and bidirectional controls U+FFFD, and a longer text ends in an ellipsis."""
    text = UNSHOWABLE.sub("\ufffd", " ".join(text.split()))
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _longest_backticks(text: str) -> int:
    return max((len(run) for run in _BACKTICKS.findall(text)), default=0) if "`" in text else 0


def json_ready(value: Any) -> Any:
    """VALUE (plain data: a result's as_json()) with every string made data for JSON and every
    non-finite float written as "NaN", "Infinity" or "-Infinity" (JSON has no such numbers)."""
    kind = type(value)
    if kind is str:
        return shown(value, "json") if _SUSPECT.search(value) else value
    if kind is dict:
        return {json_ready(k): json_ready(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [json_ready(v) for v in value]
    if kind is float and not math.isfinite(value):
        return "NaN" if math.isnan(value) else "Infinity" if value > 0 else "-Infinity"
    return value


def json_document(value: Any, indent: int | None = None) -> tuple[str, Any]:
    """VALUE (plain data) as JSON text after :func:`json_ready`, and the value that text holds.

    A result's thousands of values rarely need the walk: json's C encoder first writes VALUE with
    every character as it is (and refuses a non-finite float), and only text that holds a
    character json_ready would change (a control character, a lone surrogate) or a NaN takes it.
    The JSON is the same either way (tests/test_output_integrity.py)."""
    try:
        probe = json.dumps(value, ensure_ascii=False, allow_nan=False, default=str)
    except ValueError:  # a NaN or an infinity
        probe = None
    if probe is None or _SUSPECT.search(probe) or any(mark in probe for mark in _SLOW_MARKS):
        value = json_ready(value)
    elif indent is None and probe.isascii():
        return probe, value  # what ensure_ascii would write, already written
    return json.dumps(value, indent=indent, allow_nan=False, default=str), value


# In the probe, what json writes for a character json_ready changes: \uXXXX for most controls,
# short escapes for the others in _SUSPECT's range (\n and \t are kept as they are).
_SLOW_MARKS = ("\\u", "\\r", "\\b", "\\f")


def plain(value: object) -> str:
    """Text for XML (JUnit): the common rule."""
    return shown(value, "xml")


def test_text(test: TestResult) -> str:
    parts = [test.description, test.message]
    parts += [f"Diagnosis: {d.message}" for d in test.diagnoses]
    if test.smallest_input:
        parts.append(f"Smallest failing input, {test.smallest_input}")
    return "\n\n".join(p for p in parts if p)
