"""The `learn` command's entry point: what happens before the command line loads.

- `learn grade`: first ask a warm grading service (grader.service) to run it; one answers in a
  fraction of a cold start. Without one (none yet, a stale one, CI, ``LEARN_SERVICE=off``) the
  command runs here, its fork server started first so that it imports numpy on another CPU while
  this process loads click and the course, and a service is started afterwards for next time.
- `learn grade-all` wants its fork server as early as possible too: it builds the workers'
  root and forks workers for the first students while this process loads the hidden tests
  (sandbox.server.Standby).

Everything else goes straight to grader.cli.
"""
from __future__ import annotations

import os
import sys
from typing import Callable

GROUP_FLAGS = ("--debug",)  # `learn --debug grade-all ...`
NOT_RUNNING = ("-h", "--help", "--version")


def _command(args: list[str]) -> str | None:
    if any(a in NOT_RUNNING for a in args):
        return None
    return next((a for a in args if a not in GROUP_FLAGS), None)


def starts_class_grading(args: list[str]) -> bool:
    """ARGS run `learn grade-all` (not its help): the only command that wants standby workers."""
    return _command(args) == "grade-all"


def run() -> None:
    args = sys.argv[1:]
    command = _command(args)
    after = _serve(args) if command == "grade" else None
    if command in ("grade", "grade-all"):
        from grader.sandbox import client as forkserver
        forkserver.start_early()
    from grader.cli import exit_status, finish
    finish(exit_status(None), after)


def _serve(args: list[str]) -> Callable[[], None] | None:
    """`learn grade` answered by a warm service, if one is there (then this process exits);
    else what to do once it has graded here: start a service for the next time."""
    from grader.service import client
    code = client.serve(args)
    if code is not None:
        os._exit(code)
    if client.required():
        sys.stderr.write("Error: LEARN_SERVICE=require, and no grading service answered "
                         "(learn service status says why)\n")
        os._exit(2)
    if client.enabled() and client.servable(args):
        return lambda: client.start(args)
    return None
