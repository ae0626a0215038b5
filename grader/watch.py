"""Watch mode: re-grade the exercise being worked on each time its file is saved.

One process stays warm for the whole session: the fork server (numpy already imported) and
the instructor's side of every exercise graded so far (loaded once, cached by
``grading.solution_for``), so a re-grade costs a fork and the hidden tests, not a Python
start-up. Saves arrive as file-system events where the platform has them, else by polling
(:mod:`grader.saves`).

Keys: on a terminal, single keys (h, n, l, q) without Enter; on a pipe, the same letters as
lines; with no usable input (``/dev/null``, a test runner) the session only watches, until
interrupted or until every exercise has passed.
"""
from __future__ import annotations

import os
import select
import sys
import textwrap
import time
from pathlib import Path
from typing import Callable, TextIO

from grader.errors import LearnError
from grader.saves import Saves

from grader import seeds
from grader.reports import documents, templating
from grader.course import Course, Exercise
from grader.sandbox import ForkServer
from grader.grading import grade_exercise
from grader.results import CourseResult, ExerciseResult, Status
from grader.workspace import Workspace

CLEAR = "\x1b[2J\x1b[H"
KEYS = "[h] next hint   [n] next exercise   [l] list   [q] quit"

class Keys:
    """Reads the student's keys without blocking the watch loop.

    A terminal is put in cbreak mode (keys arrive without Enter, echo off) and restored on exit;
    any other readable file descriptor is read as lines; anything else gives no keys at all.
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        stream = stream if stream is not None else sys.stdin
        try:
            self.fd: int | None = stream.fileno()
        except (AttributeError, OSError, ValueError):
            self.fd = None
        self.tty = self.fd is not None and os.isatty(self.fd)
        self._saved: list | None = None
        self._pending = ""

    @property
    def available(self) -> bool:
        return self.fd is not None

    def __enter__(self) -> "Keys":
        if self.tty:
            import termios
            import tty
            assert self.fd is not None
            self._saved = termios.tcgetattr(self.fd)
            tty.setcbreak(self.fd)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._saved is not None:
            import termios
            termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved)
            self._saved = None

    def read(self, timeout: float, wake: int | None = None) -> str | None:
        """One key (lower case), or None when nothing arrived within TIMEOUT seconds or the
        file descriptor WAKE became readable first (a save)."""
        if self._pending:
            key, self._pending = self._pending[0], self._pending[1:]
            return key
        waiting = [fd for fd in (self.fd, wake) if fd is not None]
        try:
            ready, _, _ = select.select(waiting, [], [], timeout)
        except (OSError, ValueError):
            self.fd = None
            return None
        if self.fd is None or self.fd not in ready:
            return None
        data = os.read(self.fd, 1 if self.tty else 4096).decode("utf-8", "replace")
        if not data:  # end of input: keep watching, without keys
            self.fd = None
            return None
        keys = "".join(c for c in data.lower() if c.isalpha())
        if not keys:
            return None
        self._pending = keys[1:]
        return keys[0]


class Session:
    """A watch session over one workspace: the current exercise, the warm server, the screen."""

    def __init__(self, course: Course, workspace: Workspace, write: Callable[[str], object],
                 colour: bool = False, clear: bool = False, seed: int | None = None,
                 course_root: Path | None = None, screen: int | None = None) -> None:
        """SCREEN, the file descriptor WRITE ends up on, lets the grading service (grader.service)
        write its reports there; without it every grade happens in this process."""
        self.course, self.workspace, self.write = course, workspace, write
        self.colour, self.clear, self.fixed_seed, self.course_root = colour, clear, seed, course_root
        self.screen = screen
        self.service_started = False
        self._server: ForkServer | None = None
        self.current: Exercise = course.exercises[0]
        # Both of an exercise's files: the one graded can change while watching (a notebook
        # made beside the .py, the .py edited beside the notebook), and a save to either is news.
        self.saves = Saves(workspace.root, [f for e in course.exercises for f in workspace.candidates(e)])
        self.interactive_keys = False

    # -- what is on screen ---------------------------------------------------------------------

    def paint(self, text: str, style: str) -> str:
        return f"\x1b[{templating.COLOURS[style]}m{text}\x1b[0m" if self.colour else text

    def say(self, text: str = "") -> None:
        self.write(text + "\n")

    def footer(self) -> None:
        file = self.workspace.student_file(self.current).relative_to(self.workspace.root)
        self.say(self.paint(f"Watching {file}: save it to re-grade.", "dim"))
        if self.interactive_keys:
            self.say(KEYS)

    def show_exercise(self) -> None:
        ex = self.current
        self.say(self.paint(f"{ex.title}", "bold") + f"  ({ex.id}, {ex.points} points)")
        self.say("")
        from grader import instructions  # as `learn show` writes them: formatted on a terminal, plain on a pipe
        self.say(instructions.render(instructions.body(ex), sys.stdout if self.colour else None).rstrip())
        self.say("")

    @property
    def server(self) -> ForkServer:
        """This process's own fork server, started the first time a grade happens here."""
        if self._server is None:
            self._server = ForkServer()
        return self._server

    def show_result(self, result: ExerciseResult, seed: int) -> None:
        course_result = CourseResult(seed=seed, exercises=[result], sandbox=self.server.isolation,
                                     course=self.course.title)
        self.write(documents.to_terminal(course_result, color=self.colour, compact=True))

    def show_next_step(self, status: Status) -> None:
        if status is Status.NOT_STARTED:
            self.say(f"\nThis is still the stub: write your code in "
                     f"{self.workspace.student_file(self.current)} and save.")
        elif status is not Status.PASSED:
            seen = int(self.workspace.load_state().get("hints", {}).get(self.current.id, 0))
            hints = len(self.current.hints)
            more = f"press h for hint {seen + 1}/{hints}" if seen < hints else "you have seen every hint"
            self.say(f"\nNext step: fix the first failing test above and save ({more}).")

    def show_list(self) -> None:
        rows = self.workspace.progress(self.course)
        marks = {"passed": self.paint("✓", "passed"), "in progress": self.paint("…", "error"),
                 "not started": " "}
        for module in self.course.modules:
            module_rows = [r for r in rows if r["exercise"].module == module]
            done = sum(r["status"] == "passed" for r in module_rows)
            filled = round(20 * done / len(module_rows))
            self.say(self.paint(module, "bold") + f"  [{'#' * filled}{'-' * (20 - filled)}] "
                     f"{done}/{len(module_rows)}")
            for r in module_rows:
                here = ">" if r["exercise"].id == self.current.id else " "
                self.say(f" {here}{marks[r['status']]} {r['exercise'].id:<30} {r['status']}")
        passed = sum(r["status"] == "passed" for r in rows)
        self.say(f"\n{passed}/{len(rows)} exercises passed")

    # -- what happens ----------------------------------------------------------------------------

    def open(self, exercise: Exercise) -> None:
        """Make EXERCISE current, copying its stub if the student has no file yet."""
        self.current = exercise
        copied = self.workspace.start(exercise, self.course_root)
        self.saves.watch_folder(self.workspace.student_file(exercise).parent)
        if self.clear:
            self.write(CLEAR)
        if copied:  # as `learn start` says it: a file appeared in the student's workspace
            self.say(self.paint(f"Created {self.workspace.student_file(exercise)}", "dim"))
        self.show_exercise()

    def grade(self) -> Status:
        """Grade the current exercise and show the result: by the grading service if one answers
        (the same report `learn grade --compact` writes), else here."""
        seed = seeds.fresh_seed() if self.fixed_seed is None else self.fixed_seed
        file = self.workspace.student_file(self.current)
        status = self._grade_by_service(seed, file)
        if status is None:
            result = grade_exercise(self.current, file, seed, self.server)
            if result.status is not Status.NOT_STARTED:
                self.workspace.record_grade(result.id, result.status.value, result.score, result.max_score)
            self.show_result(result, seed)
            status = result.status
        self.show_next_step(status)
        return status

    def _grade_by_service(self, seed: int, file: Path) -> Status | None:
        if self.screen is None:
            return None
        from grader.service import client
        argv = ["grade", self.current.id, "--workspace", str(self.workspace.root), "--seed", str(seed), "--compact"]
        argv += ["--course", str(self.course_root)] if self.course_root else []
        env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
        if not self.colour:
            env["NO_COLOR"] = "1"
        self.write("")  # what this process wrote so far reaches the screen before the service writes
        sys.stdout.flush()
        with open(os.devnull, "rb") as nothing:
            code = client.serve(argv, (nothing.fileno(), self.screen, 2), env)
        if code is None:
            if client.required():
                raise LearnError("LEARN_SERVICE=require, and no grading service answered "
                                 "(learn service status says why)")
            if not self.service_started:  # for the next grade (a service takes a moment to load)
                self.service_started = True
                client.start(argv)
            return None
        if code == 0:
            return Status.PASSED
        return Status.NOT_STARTED if self.current.is_untouched(file) else Status.FAILED
    def following(self, exercise: Exercise) -> Exercise | None:
        """The next exercise after EXERCISE that has not passed yet (in course order, wrapping)."""
        rows = self.workspace.progress(self.course)
        order = [r["exercise"] for r in rows]
        start = order.index(exercise)
        for candidate in order[start + 1:] + order[:start]:
            if not any(r["exercise"] is candidate and r["status"] == "passed" for r in rows):
                return candidate
        return None

    def regrade_on_save(self, paths: list[Path]) -> bool:
        """Grade the saved exercise; advance when it passes. False when the whole course is done."""
        self.saves.settle(paths)
        self.saves.snapshot()
        if not set(self.workspace.candidates(self.current)) & set(paths):
            # the student moved to another exercise's file: follow them
            saved = [e for e in self.course.exercises if set(self.workspace.candidates(e)) & set(paths)]
            self.current = saved[0]
            self.workspace.update_state(current=self.current.id)
        if self.clear:
            self.write(CLEAR)
        if self.grade() is Status.PASSED:
            return self.advance()
        self.footer()
        return True

    def advance(self) -> bool:
        nxt = self.following(self.current)
        if nxt is None:
            self.say(self.paint("\nEvery exercise has passed. Well done!", "passed"))
            return False
        self.say(self.paint(f"\n{self.current.id} passed. Next: {nxt.id}", "passed")
                 + f"  (learn solution {self.current.id} shows the reference)")
        self.say("")
        self.open(nxt)
        self.saves.snapshot()
        self.footer()
        return True

    def on_key(self, key: str) -> bool:
        """Act on one key; False to quit."""
        if key == "q":
            return False
        if key == "h":
            number, text = self.workspace.next_hint(self.current)
            self.say(self.paint(f"\nHint {number}/{len(self.current.hints)} for {self.current.id}:", "bold"))
            self.say("\n".join(textwrap.fill(p, 78) if p.strip() else p for p in text.splitlines()))
        elif key == "n":
            nxt = self.following(self.current)
            if nxt is None:
                self.say("\nThere is no other exercise left to do.")
            else:
                self.open(nxt)
                self.saves.snapshot()
        elif key == "l":
            self.say("")
            self.show_list()
        else:
            self.say(f"\nUnknown key {key!r}. " + KEYS)
            return True
        self.say("")
        self.footer()
        return True

    def run(self, first: Exercise, keys: Keys, until: float | None = None) -> None:
        """The loop: show FIRST, grade it if started, then re-grade on every save until q."""
        self.interactive_keys = keys.available
        try:
            self.open(first)
            file = self.workspace.student_file(first)
            self.saves.snapshot()
            if not first.is_untouched(file):
                status = self.grade()
                if status is Status.PASSED and not self.advance():
                    return
                if status is not Status.PASSED:
                    self.footer()
            else:
                self.footer()
            while until is None or time.monotonic() < until:
                wait = self.saves.timeout if until is None else max(min(self.saves.timeout, until - time.monotonic()), 0)
                key = keys.read(wait, self.saves.wake)
                if key is not None and not self.on_key(key):
                    return
                paths = self.saves.changed()
                if paths and not self.regrade_on_save(paths):
                    return
        finally:
            self.saves.close()
            if self._server is not None:
                self._server.close()
