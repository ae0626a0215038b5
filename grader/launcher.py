"""The `learn` command's entry point: one thing before the command line loads.

`learn grade-all` wants its fork server as early as possible: the server imports numpy and
builds the workers' root on another CPU while this process loads click, the course and the
hidden tests, then forks workers for the first students before grading starts
(sandbox.server.Standby). Starting it here, before click and the command modules are imported,
gives it ~40 ms more. Everything else goes straight to grader.cli.
"""
from __future__ import annotations

import sys

GROUP_FLAGS = ("--debug",)  # `learn --debug grade-all ...`
NOT_RUNNING = ("-h", "--help", "--version")


def starts_class_grading(args: list[str]) -> bool:
    """ARGS run `learn grade-all` (not its help): the only command that wants a server this early."""
    if any(a in NOT_RUNNING for a in args):
        return False
    command = next((a for a in args if a not in GROUP_FLAGS), None)
    return command == "grade-all"


def run() -> None:
    if starts_class_grading(sys.argv[1:]):
        from grader.sandbox import client as forkserver
        forkserver.start_early()
    from grader.cli import run as run_cli
    run_cli()
