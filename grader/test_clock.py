"""How long a hidden test's own code may run: TEST_CODE_SECONDS, not counting the student's calls.

A student's call has its own time limit, enforced by its worker. The test around it runs in the
grader's process, and an endless loop there (an author's `while x.shape[0] > 0: pass`) once hung
`learn validate` and `learn grade-all` without a word. The clock counts only the time the test
spends outside the student's calls (TestContext.student_seconds), so a slow student never makes a
test look hung; past the limit the test raises TestCodeHung, which the runner judges like any
exception of the test itself (the student's if the test passes with the reference's answers).

A SIGALRM interval timer, so only in the main thread and only where nobody else uses SIGALRM
(mutation analysis sets its own deadline around each test): elsewhere the test runs unlimited.
The handler never raises while a student's call is under way (it would break the worker's
protocol mid-message); it looks again half a second later.
"""
from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from grader.testing import TestContext

TEST_CODE_SECONDS = 60.0   # of a hidden test's own work: generous (the course's slowest needs < 1 s)
RECHECK = 0.5              # seconds, when the timer fires during a student's call


def limit() -> float:
    """TEST_CODE_SECONDS, or LEARN_TEST_CODE_SECONDS from the environment (a slower machine's, or
    a test's: a positive number of seconds; anything else is ignored)."""
    try:
        seconds = float(os.environ.get("LEARN_TEST_CODE_SECONDS", ""))
    except ValueError:
        return TEST_CODE_SECONDS
    return seconds if 0 < seconds < float("inf") else TEST_CODE_SECONDS


class TestCodeHung(BaseException):
    """The hidden test's own code ran past TEST_CODE_SECONDS. A BaseException, so that a test's
    own `except Exception` cannot swallow it."""


@contextmanager
def alarm(handler: Callable[[int, object], None], seconds: float) -> Iterator[None]:
    """HANDLER on SIGALRM after SECONDS, for the block, where such a timer is ours to use (the main
    thread, no other handler: mutation analysis sets its own); elsewhere the block runs unlimited."""
    usable = (threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
              and signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, signal.SIG_IGN, None))
    if not usable:
        yield
        return
    previous = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def own_time_limit(context: TestContext, seconds: float | None = None) -> Iterator[None]:
    """The block (a test's own code) may run SECONDS (limit() by default), its student's calls not counted."""
    seconds = limit() if seconds is None else seconds
    started = time.monotonic()

    def check(signum: int, frame: object) -> None:
        own = time.monotonic() - started - context.student_seconds
        if context.in_student_call or own < seconds:
            signal.setitimer(signal.ITIMER_REAL, RECHECK if context.in_student_call else max(seconds - own, 0.01))
            return
        raise TestCodeHung(f"the test's own code ran for more than {seconds:g} s (outside your code's calls)")

    with alarm(check, seconds):
        yield
