"""Re-grade latency in the warm `learn watch` process: median over repeated saves, printed.

`grade` is one re-grade in the warm session (fork a worker, run the hidden tests, render);
`save→result` is what a student waits for: from writing the file to the result on screen,
through file-system events (and the settle time), then again with polling forced
(LEARN_WATCH_POLL=1: the fallback where events are unavailable). The first (cold) grade, which
loads the instructor's side of the exercise, is printed for comparison. Goal: save→result
<= 100 ms with events.

    python benchmarks/watch_latency.py [--repeat 15]
"""
from __future__ import annotations

import argparse
import io
import os
import select
import statistics
import tempfile
import threading
import time
from pathlib import Path

from grader import saves as saving, watch
from grader.cli.options import builtin_course_root
from grader.course import load_course
from grader.workspace import Workspace

CORRECT = ('import numpy as np\n\n\ndef attention_scores(Q, K, scale=True):\n'
           '    s = np.asarray(Q) @ np.swapaxes(np.asarray(K), -1, -2)\n'
           '    return s / {div} if scale else s\n')
VARIANTS = ["np.shape(Q)[-1]", "np.sqrt(np.shape(Q)[-1]) * 2"]  # both wrong: the session stays put


def measure(repeat: int = 15) -> dict:
    """The first grade, warm grades, and save-to-result with events and with polling (seconds)."""
    course = load_course(builtin_course_root())
    exercise = course.get("attention-scores")
    with tempfile.TemporaryDirectory() as folder:
        ws = Workspace(Path(folder))
        file = ws.student_file(exercise)
        file.parent.mkdir(parents=True)
        file.write_text(CORRECT.format(div=VARIANTS[0]))
        screen = io.StringIO()
        session = watch.Session(course, ws, write=screen.write)
        session.current = exercise

        started = time.perf_counter()
        session.grade()
        cold = time.perf_counter() - started
        grades = []
        for _ in range(repeat):
            started = time.perf_counter()
            session.grade()
            grades.append(time.perf_counter() - started)

        saves = {"events": _saves(course, ws, exercise, file, repeat)}
        os.environ["LEARN_WATCH_POLL"] = "1"
        saves["polling"] = _saves(course, ws, exercise, file, repeat)
        del os.environ["LEARN_WATCH_POLL"]
    return {"repeat": repeat, "cold": cold, "grades": grades, "saves": saves}


def report(m: dict) -> None:
    grades = m["grades"]
    print(f"watch re-grade latency, attention-scores ({m['repeat']} repeats)")
    print(f"  cold first grade        {m['cold'] * 1000:8.1f} ms")
    print(f"  warm grade   median     {statistics.median(grades) * 1000:8.1f} ms   "
          f"(min {min(grades) * 1000:.1f}, max {max(grades) * 1000:.1f})")
    for mode, times in m["saves"].items():
        print(f"  save→result  median     {statistics.median(times) * 1000:8.1f} ms   "
              f"(min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}; {mode})")
    print(f"  cold / warm ratio       {m['cold'] / statistics.median(grades):8.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    report(measure(args.repeat))


def _saves(course, ws, exercise, file, repeat: int) -> list[float]:
    """Save-to-result times of a watch loop running in a thread, in this process."""
    screen = io.StringIO()
    session = watch.Session(course, ws, write=screen.write)
    stop = threading.Event()
    loop = threading.Thread(target=lambda: session.run(exercise, _NoKeys(stop)), daemon=True)
    loop.start()
    _wait(lambda: "Watching" in screen.getvalue())
    assert session.saves.events == ("LEARN_WATCH_POLL" not in os.environ)
    times = []
    for i in range(repeat):
        seen = screen.getvalue().count("Score:")
        started = time.perf_counter()
        file.write_text(CORRECT.format(div=VARIANTS[(i + 1) % 2]) + "#" * i)
        _wait(lambda: screen.getvalue().count("Score:") > seen)
        times.append(time.perf_counter() - started)
        time.sleep(saving.DEBOUNCE)  # saves a student makes are apart; let the loop go back to waiting
    stop.set()
    loop.join(timeout=10)
    return times


class _NoKeys(watch.Keys):
    def __init__(self, stop: threading.Event) -> None:
        super().__init__(io.StringIO())
        self.stop = stop

    def read(self, timeout: float, wake: int | None = None) -> str | None:
        if wake is not None:
            select.select([wake], [], [], min(timeout, 0.05))
        else:
            time.sleep(min(timeout, 0.05))
        return "q" if self.stop.is_set() else None


def _wait(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("timed out waiting for the watch loop")
        time.sleep(0.002)


if __name__ == "__main__":
    main()
