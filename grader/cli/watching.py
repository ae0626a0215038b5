"""The student's loop commands: watch, solution, completion (auto-registered by grader.cli)."""
from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

import click

from grader.cli import cli
from grader.cli.options import SEED, complete_exercise, course_option, resolve_course, resolve_workspace, workspace_option
from grader.errors import LearnError
from grader.storage import write_atomic
from grader.workspace import STATE_DIR, Workspace


def _interactive() -> bool:
    return sys.stdout.isatty() and sys.stdin.isatty()


@cli.command()
@click.argument("exercise", required=False, shell_complete=complete_exercise)
@workspace_option
@course_option
@click.option("--seed", type=SEED, default=None,
              help="Grade every save with this seed (default: a fresh one each time).")
@click.option("--for", "duration", type=click.FloatRange(min=0), default=None, hidden=True,
              help="Stop after this many seconds (for scripts and tests).")
def watch(exercise: str | None, workspace: Path | None, course: Path | None, seed: int | None,
          duration: float | None) -> None:
    """Re-grade the exercise you are working on each time you save it.

    Shows the exercise, then the result, the diagnosis and the next step after every save;
    moves on to the next exercise when one passes. Keys: h next hint, n next exercise,
    l list, q quit (on a pipe: the same letters followed by Enter). Saving another
    exercise's file switches to that exercise.

    \b
    Examples:
      learn watch                  continue where you left off
      learn watch softmax -w ~/linalg
    """
    import time
    ws = resolve_workspace(workspace)
    the_course = resolve_course(course, ws)
    if not the_course.has_solutions:
        raise LearnError("this is a student-only install: the hidden tests are not here, so "
                         "there is nothing to watch with. Your grade comes from your instructor's CI.")
    if exercise:
        first = the_course.get(exercise)
    else:
        current = ws.load_state().get("current")
        passed = ws.load_state().get("passed", {})
        ids = [e.id for e in the_course.exercises]
        first = the_course.get(current) if current in ids and not passed.get(current) \
            else ws.next_exercise(the_course)
    interactive = _interactive()
    colour = interactive and "NO_COLOR" not in os.environ
    from grader import watch as watching  # numpy and pytest: only when watching
    try:
        screen: int | None = sys.stdout.fileno()  # where the grading service may write its reports
    except (AttributeError, OSError, ValueError):
        screen = None
    session = watching.Session(the_course, ws, write=lambda text: click.echo(text, nl=False),
                               colour=colour, clear=interactive, seed=seed,
                               course_root=course.resolve() if course else None, screen=screen)
    until = None if duration is None else time.monotonic() + duration
    try:
        with watching.Keys() as keys:
            session.run(first, keys, until=until)
    except KeyboardInterrupt:
        pass
    click.echo("Stopped watching. Run `learn` to see where you are.")


@cli.command()
@click.argument("exercise", shell_complete=complete_exercise)
@workspace_option
@course_option
def solution(exercise: str, workspace: Path | None, course: Path | None) -> None:
    """Show the reference solution of an exercise you have passed, with the mistakes it avoids.

    Refuses before the exercise has passed (try `learn hint` instead) and in a student-only
    install, where no reference exists.

    \b
    Example:
      learn solution dot-product
    """
    ws = resolve_workspace(workspace)
    the_course = resolve_course(course, ws)
    chosen = the_course.get(exercise)
    if not the_course.has_solutions or not chosen.reference_path.is_file():
        raise LearnError(f"there is no reference solution of {chosen.id} in this install "
                         "(a student-only course): ask your instructor after the deadline.")
    if not ws.load_state().get("passed", {}).get(chosen.id):
        raise LearnError(f"{chosen.id} has not passed yet, so its solution stays hidden. "
                         f"Try `learn hint {chosen.id}`, then `learn grade {chosen.id}`.")
    click.echo(click.style(f"Reference solution of {chosen.id}", bold=True) if sys.stdout.isatty()
               and "NO_COLOR" not in os.environ else f"Reference solution of {chosen.id}")
    click.echo(f"({chosen.file}; yours is {ws.student_file(chosen)})\n")
    click.echo(chosen.reference_path.read_text(encoding="utf-8").rstrip("\n"))
    if chosen.mistakes:
        click.echo("\nWhat it avoids: the mistakes the grader knows for this exercise")
        for mistake in chosen.mistakes:
            click.echo(textwrap.fill(f"- {mistake.id}: {' '.join(mistake.message.split())}", 78,
                                     initial_indent="  ", subsequent_indent="    "))
    click.echo("\nCompare with yours: the two can differ and both be right.")


@cli.command()
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]), default="bash")
def completion(shell: str) -> None:
    """Print how to turn on tab completion of commands and exercise ids in your shell.

    \b
    Example:
      learn completion bash >> ~/.bashrc
    """
    rc = {"bash": "~/.bashrc", "zsh": "~/.zshrc", "fish": "~/.config/fish/config.fish"}[shell]
    if shell == "fish":
        line = "_LEARN_COMPLETE=fish_source learn | source"
    else:
        line = f'eval "$(_LEARN_COMPLETE={shell}_source learn)"'
    click.echo(f"# learn: tab completion ({rc})\n{line}")


def open_report(result: object, ws: Workspace, written: Path | None) -> Path:
    """Open the HTML report in the browser (``learn grade --open``); WRITTEN is one already on disk.

    Without it the report goes to the workspace's .learn/report.html (or a temporary folder
    for a workspace without state), replaced by the next ``--open``.
    """
    import tempfile
    import webbrowser
    from grader import reports
    if written is None:
        folder = ws.root / STATE_DIR if ws.has_state else Path(tempfile.mkdtemp(prefix="learn-report-"))
        written = folder / "report.html"
        write_atomic(written, reports.render(result, "html"))  # type: ignore[arg-type]
    target = written.resolve()
    if not webbrowser.open(target.as_uri()):
        click.echo(f"Could not start a browser; open {target} yourself.", err=True)
    else:
        click.echo(f"Opened {target}", err=True)
    return target
