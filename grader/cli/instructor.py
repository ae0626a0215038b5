"""The instructor's commands: validate, new and release.

Exit status of `learn validate`: 0 when every exercise is valid, 1 when some exercise is not
(each problem is printed under its exercise), 2 when the course cannot even be loaded (a YAML
error names the file, the line and the field) or the command is misused.
"""
from __future__ import annotations

import contextlib
import io
import re
import tempfile
import time
from pathlib import Path

import click

from grader.cli import cli
from grader.cli.options import WholeNumber, complete_exercise, course_option, find_course, instructor_course
from grader.course import Exercise
from grader.workspace import Workspace


def render_for_student(exercise: Exercise) -> list[tuple[str, str]]:
    """What `learn show` and `learn hint` print for EXERCISE, captured (for validation)."""
    from grader.cli.student import show_exercise
    shown = []
    with tempfile.TemporaryDirectory() as folder:
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            show_exercise(exercise, Workspace(Path(folder)))
        shown.append(("instructions (as `learn show` prints them)", buffer.getvalue()))
    for i, hint in enumerate(exercise.hints):
        shown.append((f"hints[{i}] (as `learn hint` prints it)", hint))
    return shown


def show_mutants(reports: list) -> None:
    """The mutation table (killed / survived / equivalent per exercise) and every survivor's diff."""
    rows = [(r.exercise.id, r.mutation) for r in reports if r.mutation is not None]
    if not rows:
        return
    click.echo("\nMutation analysis: the hidden tests against mutants of each reference")
    click.echo(f"{'exercise':<30} {'mutants':>8} {'killed':>8} {'survived':>9} {'equivalent':>11}")
    totals = [0, 0, 0, 0]
    for exercise_id, mutation in rows:
        counts = [len(mutation.verdicts)] + [mutation.count(o) for o in ("killed", "survived", "equivalent")]
        totals = [t + c for t, c in zip(totals, counts)]
        click.echo(f"{exercise_id:<30} {counts[0]:>8} {counts[1]:>8} {counts[2]:>9} {counts[3]:>11}")
    click.echo(f"{'all':<30} {totals[0]:>8} {totals[1]:>8} {totals[2]:>9} {totals[3]:>11}")
    survivors = [v for _, mutation in rows for v in mutation.survivors]
    if survivors:
        click.echo("\nSurvivors: add a hidden test that kills each, or list it under equivalent_mutants "
                   "in exercise.yaml with the reason it computes what the contract asks for:")
    for verdict in survivors:
        click.echo(f"\n  {verdict.mutant.id}  ({verdict.mutant.operator}, line {verdict.mutant.line})")
        click.echo("\n".join("    " + line for line in verdict.mutant.diff.rstrip("\n").splitlines()))


@cli.command()
@click.argument("exercises", nargs=-1, shell_complete=complete_exercise)
@course_option
@click.option("--jobs", "-j", type=WholeNumber(1, 64), default=None,
              help="Processes validating in parallel (default: one per CPU).")
@click.option("--mutants", "show_table", is_flag=True,
              help="Show the mutation table (killed, survived, equivalent per exercise) and each survivor's diff.")
def validate(exercises: tuple[str, ...], course: Path | None, jobs: int | None, show_table: bool = False) -> None:
    """Prove the course is right: reference passes, stub scores 0, every mistake is caught and
    named, every mutant of the reference is killed.

    Mutants are the reference with one plausible mistake (an axis swapped, keepdims or a
    normalization dropped, arguments swapped, a constant or comparison changed, ...). The
    hidden tests must take points from each, unless exercise.yaml lists it under
    equivalent_mutants with a reason; --mutants shows the table and every survivor's diff.

    Exit status: 0 valid, 1 some exercise is not (the reasons are listed under it), 2 the
    course cannot be loaded (YAML errors name the file, line and field).

    \b
    Examples:
      learn validate --course path/to/course
      learn validate softmax --mutants
    """
    from grader.validation import Report, default_jobs
    from grader.validation import validate as run_validation
    started = time.monotonic()
    the_course = instructor_course(course)
    chosen = [the_course.get(i) for i in exercises] if exercises else list(the_course.exercises)
    jobs = jobs or default_jobs(len(chosen))

    def show(report: Report) -> None:
        mark = click.style("ok  ", fg="green") if report.ok else click.style("FAIL", fg="red")
        click.echo(f"{mark} {report.exercise.id} ({report.checks} checks, {report.duration:.1f} s)")
        for problem in report.problems:
            click.echo("     - " + problem.replace("\n", "\n       "))  # a traceback's lines stay under it

    reports = run_validation(chosen, on_report=show, jobs=jobs, render=render_for_student)
    failed = [r for r in reports if not r.ok]
    elapsed = time.monotonic() - started
    click.echo(f"\n{len(reports) - len(failed)}/{len(reports)} exercises valid "
               f"({sum(r.checks for r in reports)} checks, {elapsed:.1f} s with {jobs} process"
               f"{'es' if jobs > 1 else ''})")
    if failed:
        click.echo(f"Invalid: {', '.join(r.exercise.id for r in failed)}")
    if show_table:
        show_mutants(reports)
    raise click.exceptions.Exit(1 if failed else 0)


@cli.command()
@click.argument("exercise")
@click.option("--module", "-m", default=None,
              help="The module folder under exercises/ (default: the course's last module).")
@click.option("--course", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The course folder to add it to (default: the current folder, if it holds exercises/).")
def new(exercise: str, module: str | None, course: Path | None) -> None:
    """Scaffold a new exercise: YAML, stub, reference, hidden test and mistakes, from templates.

    The files' comments teach the format; their TODOs make `learn validate` fail until you
    have replaced them. The id is added to exercises/course.yaml when the course has one.

    \b
    Example:
      learn new matrix-trace --module 02-matrices --course path/to/course
    """
    from grader.errors import CourseError
    from grader.scaffold import create
    if course is None:
        course = find_course(Path.cwd()) or (Path.cwd() if (Path.cwd() / "exercises").is_dir() else None)
        if course is None:
            raise CourseError("the current folder is not a course (it has no exercises/ folder): pass --course DIR, "
                              "or start a new course here with `mkdir exercises`")
    modules = sorted(p.name for p in (course / "exercises").glob("*/") if p.is_dir())
    from grader.spelling import misspelt
    # A typo, not the next of a numbered series (week-01, week-02): names that differ only in
    # their digits are new modules (an attacker's review).
    meant = misspelt(module, modules) if module and module not in modules else ""
    if meant and re.sub(r"\d+", "#", meant) == re.sub(r"\d+", "#", module):
        meant = ""
    if meant:  # refused before anything is written: a typo would start a module of its own
        raise CourseError(f"--module {module}: the course has no such module; did you mean {meant}? (A new module "
                          f"needs a name that is not a near-copy of an existing one: {', '.join(modules)})")
    scaffold = create(course.resolve(), exercise, module)
    if scaffold.new_module:  # a typo in --module would otherwise go unnoticed
        click.echo(f"New module {scaffold.exercise_dir.parent.name}: the course had "
                   f"{', '.join(modules) or 'none'}")
    for path in scaffold.files:
        click.echo(f"Created {path}")
    if scaffold.course_index:
        click.echo(f"Added {exercise} to {scaffold.course_index}")
    # validate's own default is the course it runs in, else the built-in one
    flag = "" if find_course(Path.cwd()) == course.resolve() else f" --course {course}"
    click.echo(f"\nReplace every TODO, then run: learn validate {exercise}{flag}")


@cli.command()
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Where to write the student bundle (a new or empty folder).")
@course_option
def release(out: Path, course: Path | None) -> None:
    """Write the student bundle (exercises, stubs, instructions, hints) and check it for leaks.

    Nothing from solutions/ is copied; afterwards every file of the bundle is compared with
    every instructor file, and the command fails (exit 1) if any reference code, hidden test
    or mistake leaked. Students use the bundle with `learn start --course BUNDLE`.

    \b
    Example:
      learn release --out dist/student-course
    """
    from grader.release import unfinished_texts, write_bundle
    the_course = instructor_course(course)
    unfinished = unfinished_texts(the_course)
    if unfinished:  # learn new's placeholders would reach every student
        click.echo("Not released: what students read is not finished:", err=True)
        for problem in unfinished:
            click.echo(f"  - {problem}", err=True)
        click.echo("Finish these exercises (learn validate checks them all), then release again.", err=True)
        raise click.exceptions.Exit(1)
    bundle = write_bundle(the_course, out)
    if bundle.leaks:
        click.echo(click.style("LEAK: the bundle would contain instructor material:", fg="red", bold=True), err=True)
        for leak in bundle.leaks:
            click.echo(f"  - {leak}", err=True)
        click.echo(f"No bundle was written to {out}. Remove the material from exercises/ and release again.", err=True)
        raise click.exceptions.Exit(1)
    exercises = len(the_course.exercises)
    click.echo(f"Wrote {len(bundle.files)} files for {exercises} exercise{'s' * (exercises != 1)} to {out}")
    click.echo(f"Checked for leaks against {bundle.instructor_files} instructor files: none found.")
    click.echo(f"Students run: learn start --course {out}")
    unchecked = [e.id for e in the_course.exercises if not e.examples]
    if unchecked:  # the bundle then grades only signatures and rules: a wrong answer reads as ✓ 0/0
        click.echo(f"Note: {', '.join(unchecked)} {'has' if len(unchecked) == 1 else 'have'} no `examples:`, so "
                   "the bundle checks only the signatures and rules of a student's answer there, never its "
                   "values; add examples to exercise.yaml (docs/instructors.md, student bundles).", err=True)
