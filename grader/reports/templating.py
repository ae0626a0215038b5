"""The jinja2 environment of every report template, with its filters. The only module that imports jinja2."""
from __future__ import annotations

import hashlib
import os
import stat
import textwrap
from pathlib import Path
from typing import Any

import jinja2

from grader.reports import figures, origins
from grader.reports.text import shown

TEMPLATES = Path(__file__).parent / "templates"
FORMATS = ("terminal", "json", "markdown", "html")

COLOURS = {"passed": "32", "failed": "31", "error": "33", "timeout": "33", "not_started": "2",
           "grader_error": "35", "bold": "1", "dim": "2", "cyan": "36"}
SYMBOLS = {"passed": "✓", "failed": "✗", "error": "!", "timeout": "⧗", "not_started": "·", "grader_error": "?"}
# Shown wherever the grader, not the student, failed (STYLE.md habit 4: three outcomes, never two).
GRADER_ERROR = ("The grader failed here (a hidden test that fails with the reference solution too): not your "
                "code. This score is incomplete until the exercise is fixed and graded again.")


def clean(text: Any) -> str:
    """Student-controlled text for a terminal, an HTML page or an SVG picture (grader.reports.text)."""
    return shown(text, "terminal")


def wrap_lines(text: Any, width: int) -> str:
    """Each line of TEXT wrapped at WIDTH columns, at spaces (never inside a word). An indented line
    (a line of code in a traceback, an array's row) continues under its own indent, two deeper, so
    its tail does not read as a line of its own at the report's margin (a student's review)."""
    out: list[str] = []
    for line in str(text).split("\n"):
        if len(line) <= width:
            out.append(line)
            continue
        indent = line[:len(line) - len(line.lstrip(" "))]
        if len(indent) > width // 2:  # a student's text padded with spaces: no hanging indent to keep
            line, indent = line.lstrip(" "), ""
        out += textwrap.wrap(line, width, subsequent_indent=indent + "  " if indent else "",
                             break_long_words=False, break_on_hyphens=False) or [line]
    return "\n".join(out)


def unwrap(text: Any) -> str:
    """Join the hard-wrapped lines of each paragraph (docstrings), so the terminal can re-wrap them.
    Indented lines and list items keep their own line."""
    out: list[str] = []
    for line in str(text).splitlines():
        joinable = out and out[-1] and line.strip() and not line.startswith((" ", "\t", "-", "*"))
        if joinable:
            out[-1] = f"{out[-1]} {line.strip()}"
        else:
            out.append(line.rstrip())
    return "\n".join(out)


def _bytecode_cache(autoescape: bool) -> jinja2.BytecodeCache | None:
    """Compiled templates, kept per user: compiling one costs 15-50 ms, on every run.

    In $XDG_CACHE_HOME/learn (default ~/.cache/learn), only if that folder is ours and private:
    the cache holds code this process will run. Entries are keyed by this module's source (the
    environment's options live here) and checked against the template's source by jinja2.
    """
    try:
        base = Path(os.environ.get("XDG_CACHE_HOME") or "")
        root = base if base.is_absolute() else Path.home() / ".cache"  # XDG: a relative one is ignored
        if not root.parent.is_dir():
            return None  # no home folder (a service account): never create one
        folder = root / "learn"
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.lstat()
    except (OSError, RuntimeError):
        return None  # no home, a read-only one: compile every time
    if info.st_uid != os.getuid() or not stat.S_ISDIR(info.st_mode) or info.st_mode & 0o077:
        return None
    key = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
    return jinja2.FileSystemBytecodeCache(str(folder), f"template-{key}-{int(autoescape)}-%s.cache")


def _environment(autoescape: bool) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=autoescape,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined, bytecode_cache=_bytecode_cache(autoescape))
    env.filters["clean"] = clean
    env.filters["text"] = shown                       # {{ x|text("markdown") }}: grader.reports.text
    env.filters["unwrap"] = unwrap
    env.filters["wrap_lines"] = wrap_lines
    env.filters["points"] = lambda x: f"{x:g}" if float(x) == round(float(x), 2) else f"{x:.2f}"
    env.filters["indent_lines"] = lambda text, n=6: "\n".join(" " * n + line for line in str(text).splitlines())
    env.globals["symbols"] = SYMBOLS
    env.globals["grader_error_note"] = GRADER_ERROR
    env.filters["sparklines"] = figures.sparklines   # terminal pictures (grader/reports/figures.py)
    env.filters["origin"] = origins.origin           # the student's own line in a traceback
    return env


_ENVS: dict[bool, jinja2.Environment] = {}


def template(name: str) -> jinja2.Template:
    autoescape = name.endswith((".html.j2", ".svg.j2"))
    if autoescape not in _ENVS:
        _ENVS[autoescape] = _environment(autoescape)
    return _ENVS[autoescape].get_template(name)
