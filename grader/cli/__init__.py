"""The command line: declarations only. The one place that imports click and exits.

Commands live in modules by audience (student, instructor, classroom); each is a thin layer
over the library modules below it.
"""
from __future__ import annotations

import errno
import os
import re
import sys
import traceback
from typing import Callable, NoReturn

import click

from grader import __version__
from grader.errors import GraderBug, LearnError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


# Where each command is defined. A command's module is imported only when that command runs
# (help and completion import them all): `learn grade-all` then starts its fork server ~70 ms
# sooner, before the course and the report templates load. tests/test_packaging.py checks the map.
COMMAND_MODULES = {
    **dict.fromkeys(("start", "list", "show", "hint", "reset", "grade", "status"), "grader.cli.student"),
    **dict.fromkeys(("validate", "new", "release"), "grader.cli.instructor"),
    **dict.fromkeys(("grade-all", "gradebook", "export"), "grader.cli.classroom"),
    "similarity": "grader.cli.similarity",
    **dict.fromkeys(("watch", "solution", "completion"), "grader.cli.watching"),
    "service": "grader.cli.service",
}


class LazyCommands(click.Group):
    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            _import_commands(COMMAND_MODULES[cmd_name])
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        _register()
        return super().list_commands(ctx)


@click.group(cls=LazyCommands, context_settings=CONTEXT, invoke_without_command=True)
@click.version_option(__version__, prog_name="learn")
@click.option("--debug", is_flag=True, help="Show the grader's own tracebacks and sandbox details.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """learn: auto-graded exercises in the linear algebra behind Transformers.

    \b
    Start here:
      learn start          set up your workspace and open the next exercise
      learn grade          grade your work and explain what went wrong
      learn hint EXERCISE  one more hint, from gentle to explicit
    """
    ctx.ensure_object(dict)["debug"] = debug
    if debug:  # the layer a worker gets here, and why (a laptop without namespaces is told so)
        from grader.sandbox import layers as sandbox
        click.echo("sandbox: {} ({})".format(*sandbox.isolation()), err=True)
    if ctx.invoked_subcommand is None:
        from grader.cli.student import status
        ctx.invoke(status)


def _register() -> None:
    """Import every command module (each command registers itself)."""
    for module in dict.fromkeys(COMMAND_MODULES.values()):
        _import_commands(module)


def _import_commands(module: str) -> None:
    try:
        __import__(module)
    except ModuleNotFoundError as exc:  # classroom, similarity, watching are optional (a student bundle may leave them out)
        if exc.name != module or module in ("grader.cli.student", "grader.cli.instructor"):
            raise


def main(argv: list[str] | None = None) -> None:
    """Run the CLI and exit with its status (SystemExit, so tests can call it in-process)."""
    sys.exit(exit_status(argv))


def run() -> None:
    """The console script and ``python -m grader``: main(), minus the interpreter's teardown.

    Tearing down numpy, pytest and jinja2 costs ~60 ms after the work is done, a tenth of a
    class's grade-all. Every file a command writes is closed by then (with-blocks and
    write_atomic), so only the standard streams need flushing.
    """
    finish(exit_status(None))


def finish(code: int, after: Callable[[], object] | None = None) -> NoReturn:
    """Flush the standard streams, run AFTER (work the user need not wait for), exit with CODE."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that went away
            pass
    if after is not None:
        after()
    os._exit(code)


# What the machine or the user's choice of path refuses (not a bug in the grader): exit 2 with
# the path, not an "Internal error" (a release into a folder nobody may write was exit 3).
_USERS_PATH_ERRORS = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.ENOTDIR, errno.EEXIST,
                      errno.EISDIR, errno.ENAMETOOLONG}


def _where_the_user_points(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in _USERS_PATH_ERRORS and exc.filename is not None


def _as_named(filename: object) -> str:
    """FILENAME as the user named it: storage.write_atomic's temporary `.NAME.xxxxxxxx.tmp` is NAME."""
    path = os.fsdecode(filename) if isinstance(filename, (str, bytes)) else str(filename)
    folder, base = os.path.split(path)
    temporary = re.fullmatch(r"\.(.+)\.[A-Za-z0-9_]{8}\.tmp", base)
    return os.path.join(folder, temporary.group(1)) if temporary else path


def exit_status(argv: list[str] | None = None) -> int:
    """Run the CLI and turn every outcome into an exit status."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        code = cli.main(args=argv, prog_name="learn", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        code = 1
    except click.ClickException as exc:
        exc.show()
        code = 2
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except LearnError as exc:
        click.echo(exc.show(), err=True)
        code = exc.exit_code
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        code = 130
    except BrokenPipeError:
        code = 0
    except Exception as exc:  # the grader's own fault: say so, never blame the student
        if _where_the_user_points(exc):  # a folder it may not write, a full disk: theirs to fix
            click.echo(f"Error: cannot use {_as_named(exc.filename)}: {exc.strerror}", err=True)
            if debug:  # it may still be the grader's own mistake: show where it came from
                traceback.print_exc()
            return LearnError.exit_code
        bug = exc if isinstance(exc, GraderBug) else GraderBug(f"{type(exc).__name__}: {exc}")
        click.echo(bug.show(), err=True)
        if debug:
            traceback.print_exc()
        code = GraderBug.exit_code
    return code if isinstance(code, int) else 0
