"""The reports people read: terminal, Markdown, self-contained HTML (with SVG pictures), JSON,
and the class summary. Each is a pure function of the result and a template."""
from __future__ import annotations

import shlex
from typing import Any

import markupsafe

from grader.reports import figures
from grader.reports.templating import COLOURS, template
from grader.reports.text import json_document
from grader.results import CourseResult, Figure


def reproduce_command(result: CourseResult) -> str:
    """The command that grades the same exercises with the same seed."""
    names = [] if result.whole_course else [shlex.quote(e.id) for e in result.exercises]
    return " ".join(["learn grade", *names, f"--seed {result.seed}"])


def _context(result: CourseResult, cell_of: str = "", **extra: Any) -> dict[str, Any]:
    """What every report's template reads. CELL_OF: the file a notebook's %%learn cell was graded in
    place of; `learn grade` reads the file, so reproducing the grade starts with putting the cell there."""
    first = f"put the cell's code (below %%learn) in {cell_of} in place of your answer, save, then" if cell_of else ""
    return {"result": result, "reproduce": reproduce_command(result), "reproduce_first": first, **extra}


def to_json(result: CourseResult) -> str:
    """The results as JSON: student text made data, non-finite numbers as strings (grader.reports.text)."""
    return json_document(result.as_json(), indent=2)[0] + "\n"


def to_terminal(result: CourseResult, color: bool = False, verbose: bool = False,
                compact: bool = False, cell_of: str = "") -> str:
    def paint(text: str, style: str) -> str:
        return f"\x1b[{COLOURS[style]}m{text}\x1b[0m" if color else text
    return template("terminal.txt.j2").render(_context(result, cell_of, paint=paint, verbose=verbose,
                                                              compact=compact))


def to_markdown(result: CourseResult, cell_of: str = "") -> str:
    return template("report.md.j2").render(_context(result, cell_of))


def figure_svg(figure: Figure, uid: str = "0") -> markupsafe.Markup:
    """One figure as inline SVG (autoescaped: titles and labels are data)."""
    svg = template("figure.svg.j2").render(figure=figure, geometry=figures.layout(figure), uid=uid,
                                            description=figures.describe(figure))
    return markupsafe.Markup(svg)


def to_html(result: CourseResult, cell_of: str = "") -> str:
    counter = iter(range(1_000_000))
    return template("report.html.j2").render(
        _context(result, cell_of, svg=lambda f: figure_svg(f, str(next(counter)))))


def render_summary(summary: Any, fmt: str) -> str:
    """The class summary (a grader.classroom.analytics.ClassSummary) as Markdown or self-contained HTML."""
    name = {"markdown": "summary.md.j2", "html": "summary.html.j2"}[fmt]
    return template(name).render(s=summary)
