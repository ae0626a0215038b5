"""`learn service`: see and stop the warm grading service (grader.service)."""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import click

from grader.cli import cli
from grader.cli.options import course_option, resolve_workspace, workspace_option
from grader.errors import LearnError


def _service(course: Path | None, workspace: Path | None) -> tuple[Path, int | None]:
    """The course a `learn grade` here would use, and the pid of the service answering for it."""
    from grader.service.client import course_root, running
    args = (["--course", str(course)] if course else []) + \
        (["--workspace", str(resolve_workspace(workspace).root)] if workspace else [])
    root = course_root(args, Path.cwd())
    if root is None:
        raise LearnError("no course found: pass --course")
    return root, running(root)


@cli.group(name="service")
def service_group() -> None:
    """The warm grading service: it answers `learn grade` in a fraction of a cold start.

    The first `learn grade` in a workspace starts one in the background (one per user, course
    and installation of learn); it exits after 15 idle minutes (LEARN_SERVICE_IDLE seconds), or
    as soon as the grader or the course changes. LEARN_SERVICE=off never uses one; under CI
    (CI or GITHUB_ACTIONS set) none is started.
    """


@service_group.command(name="status")
@workspace_option
@course_option
def status(workspace: Path | None, course: Path | None) -> None:
    """Whether a service answers for this course, and why not.

    \b
    Example:
      learn service status
    """
    from grader.service import client, place
    from grader.locations import PACKAGE_DIR
    root, pid = _service(course, workspace)
    click.echo(f"course: {root}")
    try:
        click.echo(f"socket: {place.socket_path(PACKAGE_DIR, root)}")
    except OSError as exc:
        click.echo(f"socket: none ({exc})")
    click.echo(f"service: running, pid {pid}" if pid else "service: not running")
    if not client.enabled():
        click.echo("disabled here: " + ("LEARN_SERVICE=" + os.environ["LEARN_SERVICE"]
                                        if "LEARN_SERVICE" in os.environ else "CI is set"))


@service_group.command(name="stop")
@workspace_option
@course_option
def stop(workspace: Path | None, course: Path | None) -> None:
    """Stop the service for this course (the next `learn grade` starts a fresh one).

    \b
    Example:
      learn service stop
    """
    from grader.service import client
    root, pid = _service(course, workspace)
    if not pid:
        click.echo("No grading service is running for this course.")
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 5
    while client.running(root) and time.monotonic() < deadline:
        time.sleep(0.02)  # polling a lock the service releases as it exits: there is no event to wait on
    click.echo(f"Stopped the grading service (pid {pid}).")
