"""An exercise's Markdown (instructions, hints) as a person reads it: formatted on a terminal,
plain when piped. The only module that imports ``rich``.

On a terminal, headings, emphasis, inline code, code blocks (highlighted) and lists are
formatted by rich's Markdown renderer, at most ``MAX_WIDTH`` columns wide; ``NO_COLOR`` keeps
the layout and bold/italic but drops colour (https://no-color.org). Piped or redirected, the
text is the Markdown as written, which reads fine as plain text and greps as the author wrote
it. Without rich installed, the terminal gets the plain text too. Nothing on the grading path
imports this module (rich costs ~40 ms to import).
"""
from __future__ import annotations

import io
import os
import shutil
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from grader.course import Exercise

MAX_WIDTH = 100


def body(exercise: Exercise) -> str:
    """EXERCISE's instructions without a first heading that repeats its title (shown above them)."""
    lines = exercise.instructions.strip().splitlines()
    if lines and lines[0].startswith("#") and lines[0].lstrip("# ").strip() == exercise.title:
        lines = lines[1:]
    return "\n".join(lines).strip()


def is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def render(markdown: str, stream: Any) -> str:
    """MARKDOWN as it should be written to STREAM (formatted only if STREAM is a terminal)."""
    if not is_terminal(stream):
        return plain(markdown)
    try:
        from rich.console import Console
        from rich.markdown import Markdown
    except ImportError:
        return plain(markdown)
    buffer = io.StringIO()
    no_colour = "NO_COLOR" in os.environ
    width = min(shutil.get_terminal_size((80, 24)).columns, MAX_WIDTH)
    console = Console(file=buffer, force_terminal=True, width=width, no_color=no_colour,
                      color_system="standard", highlight=False, emoji=False)
    console.print(Markdown(markdown, code_theme="ansi_dark", hyperlinks=False))
    return buffer.getvalue()


def plain(markdown: str) -> str:
    """MARKDOWN as plain text: as written, but headings without their ``#`` marks."""
    lines, fenced = [], False
    for line in markdown.rstrip().splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        lines.append(line.lstrip("#").strip() if line.startswith("#") and not fenced else line)
    return "\n".join(lines) + "\n"
