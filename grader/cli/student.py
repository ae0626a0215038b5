"""The student's commands: start, list, show, hint, reset, grade, and the status screen."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from grader import reports, seeds
from grader.cli import cli
from grader.cli.options import (SEED, check_isolation, complete_exercise, course_option, isolation_option,
                                find_course, is_a_workspace, resolve_course, resolve_workspace, say_if_no_workspace,
                                workspace_option)
from grader.course import Course, Exercise, show_value
from grader.errors import GraderBug, WorkspaceError
from grader.results import CourseResult, Status
from grader.storage import write_atomic
from grader.workspace import STATE_DIR, Workspace

GRADE_FORMATS = tuple(reports.FORMATS)
OUTPUT_FORMATS = {".json": "json", ".md": "markdown", ".html": "html", ".htm": "html", ".xml": "junit"}


def use_colour(stream: object = None) -> bool:
    stream = stream or sys.stdout
    return "NO_COLOR" not in os.environ and hasattr(stream, "isatty") and stream.isatty()


def style(text: str, **kwargs: object) -> str:
    return click.style(text, **kwargs) if use_colour() else text  # type: ignore[arg-type]


def show_exercise(exercise: Exercise, workspace: Workspace) -> None:
    from grader import instructions  # rich, on a terminal only: never on the grading path
    click.echo(style(f"{exercise.title}", bold=True) + f"  ({exercise.id}, {exercise.points} points)")
    click.echo("")
    click.echo(instructions.render(instructions.body(exercise), sys.stdout), nl=False)
    if exercise.examples:  # public by construction: they sit in the student-visible YAML
        click.echo("")
        click.echo(style("Examples", bold=True, underline=True))
        for example in exercise.examples:
            click.echo(f"    {example.shown()}  →  {show_value(example.expected)}")
    click.echo("")
    file = workspace.student_file(exercise)
    click.echo(f"Your file: {file}")
    if file.suffix == ".ipynb":
        click.echo("Open it in Jupyter (JupyterLab, Notebook or VS Code), write your answer in the cell tagged "
                   "`answer`, save, and run `%learn grade` in it;")
        click.echo(f"or, from here: learn grade {exercise.id}      A hint: learn hint {exercise.id}")
    else:
        click.echo(f"Grade it:  learn grade {exercise.id}      A hint: learn hint {exercise.id}")


@cli.command()
@click.argument("exercise", required=False, shell_complete=complete_exercise)
@workspace_option
@course_option
@click.option("--notebook/--python", "notebook", default=None,
              help="Write the exercise as a Jupyter notebook (<stem>.ipynb) or as a .py file; the "
                   "workspace remembers the choice (default: the course's student_format, else .py).")
def start(exercise: str | None, workspace: Path | None, course: Path | None, notebook: bool | None = None) -> None:
    """Set up the workspace (if needed) and open an exercise.

    Copies the exercise's stub into WORKSPACE/EXERCISE/ unless you already have that file: your
    edits are never overwritten. Without EXERCISE, opens the first one you have not passed.
    With --notebook the stub is a notebook: instructions and hints in Markdown cells, the stub
    in a code cell tagged `answer` (the cells with that tag are what is graded).

    \b
    Examples:
      learn start dot-product --workspace ~/linalg
      learn start --notebook           then open the notebook in Jupyter
    """
    ws = resolve_workspace(workspace)
    the_course = resolve_course(course, ws)
    chosen = the_course.get(exercise) if exercise else ws.next_exercise(the_course)
    fmt = {True: "notebook", False: "python"}.get(notebook)  # type: ignore[arg-type]
    if fmt is None and the_course.student_format != "python" and "format" not in ws.load_state():
        fmt = the_course.student_format
    copied = ws.start(chosen, course.resolve() if course else None, fmt)
    file = ws.student_file(chosen)
    click.echo(f"{'Created' if copied else 'Kept your'} {file}" + ("" if copied else " (not overwritten)"))
    click.echo("")
    show_exercise(chosen, ws)


@cli.command(name="list")
@workspace_option
@course_option
def list_(workspace: Path | None, course: Path | None) -> None:
    """Every exercise with its status and your best score.

    \b
    Example:
      learn list
    """
    ws = resolve_workspace(workspace)
    the_course = resolve_course(course, ws)
    say_if_no_workspace(ws, workspace)  # after the course loads: a broken course's error comes first, alone
    rows = ws.progress(the_course)
    marks = {"passed": style("✓", fg="green"), "in progress": style("…", fg="yellow"), "not started": " "}
    total = sum(r["best"] or 0 for r in rows)
    for module in the_course.modules:
        module_rows = [r for r in rows if r["exercise"].module == module]
        done = sum(r["status"] == "passed" for r in module_rows)
        width = 20
        filled = round(width * done / len(module_rows))
        click.echo(style(module, bold=True) + f"  [{'#' * filled}{'-' * (width - filled)}] {done}/{len(module_rows)}")
        for r in module_rows:
            best = "" if r["best"] is None else f"{r['best']:g}/{r['max']}"
            note = f"  ({r['note']})" if r["note"] else ""  # a misnamed file: "not started" alone would puzzle
            click.echo(f"  {marks[r['status']]} {r['exercise'].id:<30} {r['status']:<12} {best}{note}".rstrip())
    passed = sum(r["status"] == "passed" for r in rows)
    click.echo(f"\n{passed}/{len(rows)} exercises passed, {total:g}/{the_course.max_score} points")


@cli.command()
@click.argument("exercise", shell_complete=complete_exercise)
@workspace_option
@course_option
def show(exercise: str, workspace: Path | None, course: Path | None) -> None:
    """Show an exercise's instructions.

    \b
    Example:
      learn show softmax
    """
    ws = resolve_workspace(workspace, in_a_course=True)
    here = None if course or (ws.root / STATE_DIR).is_dir() else find_course(Path.cwd())
    # an author reads their instructions in their course, as validate checks them
    show_exercise(resolve_course(course or here, ws).get(exercise), ws)


@cli.command()
@click.argument("exercise", required=False, shell_complete=complete_exercise)
@workspace_option
@course_option
def hint(exercise: str | None, workspace: Path | None, course: Path | None) -> None:
    """Reveal the next hint for an exercise (gentle first, explicit last).

    Without EXERCISE: the one whose folder you are in, else the one you started last.

    \b
    Example:
      learn hint softmax
    """
    ws = resolve_workspace(workspace)
    the_course = resolve_course(course, ws)
    exercise = exercise or _exercise_here(ws, the_course)
    chosen = the_course.get(exercise)
    if not is_a_workspace(ws, workspace, the_course):  # the count of hints seen would make a stray .learn/ here
        raise WorkspaceError(f"No workspace here: neither {ws.root} nor a folder above it is one. learn hint counts "
                             "the hints you have seen in your workspace: cd into it, or pass --workspace "
                             "(`learn start` makes one).")
    number, text = ws.next_hint(chosen)
    click.echo(style(f"Hint {number}/{len(chosen.hints)} for {chosen.id}:", bold=True))
    from grader import instructions
    click.echo(instructions.render(text, sys.stdout), nl=False)
    if number == len(chosen.hints):
        click.echo("\nThat was the last hint.")


def _exercise_here(ws: Workspace, course: Course) -> str:
    """The exercise whose folder the command runs in, else the workspace's current one (as
    `%learn hint` and `learn watch` choose); a usage error when there is neither."""
    ids = {e.id for e in course.exercises}
    try:
        inside = Path.cwd().resolve().relative_to(ws.root).parts
    except ValueError:
        inside = ()
    current = ws.load_state().get("current")
    if inside and inside[0] in ids:
        return inside[0]
    if current in ids:
        return str(current)
    raise click.UsageError("name the exercise: learn hint EXERCISE (learn list shows them)")


@cli.command()
@click.argument("exercise", shell_complete=complete_exercise)
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@workspace_option
@course_option
def reset(exercise: str, yes: bool, workspace: Path | None, course: Path | None) -> None:
    """Restore an exercise's stub, keeping a backup of your file in .learn/backups/.

    \b
    Example:
      learn reset softmax
    """
    ws = resolve_workspace(workspace)
    chosen = resolve_course(course, ws).get(exercise)
    reset_files = ws.to_reset(chosen)  # before the reset: after it, neither holds work
    if not yes:
        click.confirm(f"Replace {' and '.join(map(str, reset_files))} with the original stub?", abort=True)
    backups = ws.reset(chosen, reset_files)
    both = f" in {' and '.join(f.name for f in reset_files)}" if len(reset_files) > 1 else ""
    saved = {0: "", 1: " Your file was saved to {}"}.get(len(backups), " Your files were saved to {}")
    click.echo(f"Restored the stub of {chosen.id}{both}." + saved.format(" and ".join(map(str, backups))))


def exit_status(result: CourseResult) -> int:
    """0 only when what the report shows has passed: every exercise it covers, and an exercise
    not started has not passed (an empty workspace is not a green CI run). The score printed
    is then full marks."""
    return 0 if result.exercises and all(ex.status is Status.PASSED for ex in result.exercises) else 1


def render_result(result: CourseResult, fmt: str, colour: bool, compact: bool = False) -> str:
    return reports.render(result, fmt, color=colour, compact=compact)


@cli.command()
@click.argument("exercises", nargs=-1, shell_complete=complete_exercise)
@workspace_option
@course_option
@click.option("--format", "fmt", type=click.Choice(GRADE_FORMATS), default=None,
              help="How to show the results [default: from --output's extension (.json, .md, .html, .xml), "
              "else terminal].")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the report to this file instead of the terminal.")
@click.option("--seed", type=SEED, default=None,
              help="Reproduce a run exactly (the report prints its seed).")
@click.option("--open", "open_", is_flag=True, help="Also write the HTML report and open it in your browser.")
@click.option("--after-due-date", "after_due", is_flag=True,
              help="Show the tests marked after_due_date (automatic once course.yaml's due_date has passed).")
@click.option("--compact", is_flag=True, hidden=True, help="The terminal report as `learn watch` shows it.")
@isolation_option
def grade(exercises: tuple[str, ...], workspace: Path | None, course: Path | None, fmt: str,
          output: Path | None, seed: int | None, open_: bool = False, after_due: bool = False,
          compact: bool = False, require_isolation: str | None = None) -> None:
    """Grade your work: run the hidden tests and explain what went wrong.

    Exit status: 0 only when every exercise the report covers has passed (all of the course's
    exercises when you name none, and one you have not started has not passed), so the exit
    status matches the score shown; 1 otherwise; 2 for a usage or course error; 3 when the
    grader itself failed (a hidden test that fails with the reference solution too: the report
    marks it grader_error). Name the exercises you are working on to grade only those.

    \b
    Examples:
      learn grade                      grade the whole course (exit 0 once all of it passes)
      learn grade softmax --seed 42    reproduce a run
      learn grade --format html -o report.html
      learn grade --open               see the report, with pictures, in your browser
    """
    # `-o report.json` without --format once wrote the terminal's text into report.json
    fmt = fmt or (OUTPUT_FORMATS.get(output.suffix.lower(), "terminal") if output else "terminal")
    ws = resolve_workspace(workspace)
    the_course = resolve_course(course, ws)
    for exercise_id in exercises:
        the_course.get(exercise_id)
    say_if_no_workspace(ws, workspace, the_course)
    seed = seeds.fresh_seed() if seed is None else seed
    server = None
    if require_isolation:  # checked before anything is graded
        from grader.sandbox.client import early_or_new
        server = early_or_new()  # the one `learn grade` started early, or the grading service's lane
    try:
        if server is not None:
            check_isolation(server, require_isolation)
        if not the_course.has_solutions:  # a student bundle: static checks only, marked partial
            from grader.partial import grade_static
            result = grade_static(the_course, ws.root, list(exercises), seed, given=server)
        else:
            from grader.grading import grade_workspace  # numpy and pytest: only when grading
            result = grade_workspace(the_course, ws.root, list(exercises), seed, server=server,
                                     after_due=after_due or the_course.past_due())
    finally:
        if server is not None:
            server.close()
    if ws.has_state and not result.partial:
        for ex in result.exercises:
            if ex.status not in (Status.NOT_STARTED, Status.GRADER_ERROR):  # a grader error is not a grade
                ws.record_grade(ex.id, ex.status.value, ex.score, ex.max_score)
    text = render_result(result, fmt, colour=output is None and use_colour(), compact=compact)
    if output is not None:
        write_atomic(output, text)
        click.echo(f"Wrote {output} ({result.score:g}/{result.max_score:g})")
    else:
        click.echo(text, nl=False)
    if open_:  # grader/cli/watching.py
        from grader.cli.watching import open_report
        open_report(result, ws, output if fmt == "html" else None)
    if os.environ.get("GITHUB_ACTIONS") == "true":  # annotations and job summary (grader/cli/classroom.py)
        from grader.cli.classroom import github_report
        github_report(result, ws.root, to_stdout=output is not None or fmt == "terminal")
    if result.grader_errors:  # the grader's own failure: exit status 3, never blamed on the student
        # The exercise's bug, not the grader's code (GraderBug.show would ask for --debug output,
        # which holds nothing more): the student tells whoever wrote the tests.
        click.echo(f"Error: the grader could not check {len(result.grader_errors)} test(s) ("
                   f"{'; '.join(result.grader_errors)}): they fail with the reference solution too, so the score "
                   "above is incomplete. This is a bug in the exercise, not in your code: tell your instructor "
                   "(the test's name is enough).", err=True)
        raise click.exceptions.Exit(GraderBug.exit_code)
    raise click.exceptions.Exit(exit_status(result))


@cli.command(hidden=True)
@workspace_option
@course_option
def status(workspace: Path | None = None, course: Path | None = None) -> None:
    """Where you are and what to do next."""
    ws = resolve_workspace(workspace)
    the_course: Course = resolve_course(course, ws)
    say_if_no_workspace(ws, workspace)  # after the course loads: a broken course's error comes first, alone
    rows = ws.progress(the_course)
    passed = sum(r["status"] == "passed" for r in rows)
    click.echo(style(the_course.title, bold=True) + f": {passed}/{len(rows)} exercises passed")
    if passed == len(rows):
        click.echo("You have passed every exercise. Well done!")
        return
    nxt = ws.next_exercise(the_course)
    started = ws.student_file(nxt).is_file()
    click.echo(f"Next: {nxt.id} ({nxt.title})")
    if started:
        click.echo(f"  edit {ws.student_file(nxt)}, then run: learn grade {nxt.id}")
    else:
        click.echo(f"  run: learn start {nxt.id}")
    click.echo("Other commands: learn list, learn hint EXERCISE, learn --help")
