"""The instructor's commands: validate (and, as they land, new and release)."""
from __future__ import annotations

from pathlib import Path

import click

from grader.cli import cli
from grader.cli.options import complete_exercise, course_option, resolve_course


@cli.command()
@click.argument("exercises", nargs=-1, shell_complete=complete_exercise)
@course_option
def validate(exercises: tuple[str, ...], course: Path | None) -> None:
    """Prove the course is right: reference passes, stub scores 0, every mistake is caught and named.

    \b
    Example:
      learn validate --course path/to/course
    """
    from grader.validation import validate as run_validation
    the_course = resolve_course(course)
    chosen = [the_course.get(i) for i in exercises] if exercises else list(the_course.exercises)

    def show(report: object) -> None:
        mark = click.style("ok  ", fg="green") if report.ok else click.style("FAIL", fg="red")  # type: ignore[attr-defined]
        click.echo(f"{mark} {report.exercise.id} ({report.checks} checks)")  # type: ignore[attr-defined]
        for problem in report.problems:  # type: ignore[attr-defined]
            click.echo(f"     - {problem}")

    reports = run_validation(chosen, on_report=show)
    failed = [r for r in reports if not r.ok]
    click.echo(f"\n{len(reports) - len(failed)}/{len(reports)} exercises valid")
    raise click.exceptions.Exit(1 if failed else 0)
