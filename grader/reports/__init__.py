"""Every way a result is shown, behind one registry of formats.

A renderer is a pure function of a :class:`grader.results.CourseResult`. The registry names
each format once (the CLI's ``--format`` choices, the files ``learn grade-all`` writes and the
exports all come from it) and imports its module only when it is used: importing this package
costs nothing, and only :mod:`grader.reports.templating` imports jinja2.

A new format is a module with a render function and one line in ``FORMATS``.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from grader.results import CourseResult


@dataclass(frozen=True)
class Format:
    name: str
    suffix: str                    # the file extension of a report in this format
    description: str
    module: str                    # where its renderer lives (imported on first use)
    function: str
    options: tuple[str, ...] = ()  # keyword options the renderer takes (others are ignored)

    def renderer(self) -> Callable[..., str]:
        return getattr(importlib.import_module(self.module), self.function)


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("terminal", ".txt", "for a person at a terminal", "grader.reports.documents", "to_terminal",
           ("color", "verbose", "compact", "cell_of")),
    Format("json", ".json", "the source of truth for machines (results.schema.json)",
           "grader.reports.documents", "to_json"),
    Format("markdown", ".md", "fits a CI job summary", "grader.reports.documents", "to_markdown", ("cell_of",)),
    Format("html", ".html", "self-contained, with pictures", "grader.reports.documents", "to_html", ("cell_of",)),
    Format("junit", ".xml", "JUnit XML for GitHub and GitLab test reports", "grader.reports.junit", "to_junit"),
    Format("gradescope", ".json", "Gradescope's results.json", "grader.reports.gradescope", "to_gradescope"),
)}


def render(result: CourseResult, fmt: str, **options: Any) -> str:
    """RESULT in the format named FMT; OPTIONS the format does not take are ignored."""
    spec = FORMATS[fmt]
    return spec.renderer()(result, **{k: v for k, v in options.items() if k in spec.options})


def render_summary(summary: Any, fmt: str) -> str:
    """The class summary (a grader.classroom.analytics.ClassSummary) as ``markdown`` or ``html``."""
    from grader.reports.documents import render_summary as summary_page
    return summary_page(summary, fmt)
