"""`learn show` and `learn start` print the exercise's Markdown formatted on a terminal (a real
pseudo-terminal here), as plain text when piped, without colour under NO_COLOR; rich (the
formatter) and nbformat never load on the grading path."""
from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time

from conftest import REPO

ANSI = "\x1b["


def _on_a_terminal(*args: str, env: dict[str, str]) -> str:
    """What `learn ARGS` writes to a real terminal (80 columns)."""
    leader, follower = pty.openpty()
    import fcntl
    import struct
    import termios
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 80, 0, 0))
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS")}
    process = subprocess.Popen([sys.executable, "-m", "grader", *args], cwd=REPO, stdin=subprocess.DEVNULL,
                               stdout=follower, stderr=follower, env={**environment, "TERM": "xterm", **env})
    os.close(follower)
    chunks, deadline = [], time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 1.0)
        if ready:
            try:
                data = os.read(leader, 65536)
            except OSError:  # the program closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        elif process.poll() is not None:
            break
    process.wait(timeout=30)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


def test_show_formats_markdown_on_a_terminal_and_keeps_it_plain_when_piped(learn, workspace):
    shown = _on_a_terminal("show", "softmax", "--workspace", str(workspace), env={})
    # A heading in bold, inline code and a fenced block styled, list bullets drawn; no Markdown marks left.
    assert "\x1b[1m" in shown and ANSI + "3" in shown  # bold; a colour (30-37)
    assert "Softmax and log-softmax" in shown and "## " not in shown and "```" not in shown
    assert "softmax(x)_i = exp(x_i) / Σ_j exp(x_j)" in shown
    piped = learn("show", "softmax", "--workspace", str(workspace))
    assert piped.code == 0 and ANSI not in piped.stdout
    assert "```\nsoftmax(x)_i = exp(x_i) / Σ_j exp(x_j)\n```" in piped.stdout  # the Markdown as written
    assert "\nSoftmax and log-softmax\n" in piped.stdout  # headings without their marks


def test_no_color_keeps_the_layout_without_colour(workspace):
    shown = _on_a_terminal("show", "softmax", "--workspace", str(workspace), env={"NO_COLOR": "1"})
    assert "softmax(x)_i = exp(x_i) / Σ_j exp(x_j)" in shown and "```" not in shown
    assert not any(f"{ANSI}{c}" in shown for c in ("30m", "31m", "32m", "33m", "34m", "35m", "36m", "37m",
                                                   "38;", "40m", "41m", "42m", "43m", "44m", "45m", "46m", "47m"))


def test_grading_loads_neither_rich_nor_nbformat(workspace):
    (workspace / "softmax").mkdir()
    (workspace / "softmax" / "softmax.py").write_text("def softmax(x, axis=-1):\n    return x\n")
    probe = ("import sys\nfrom pathlib import Path\nfrom grader.course import load_course\n"
             "from grader.grading import grade_workspace\n"
             f"grade_workspace(load_course(Path({str(REPO)!r})), Path({str(workspace)!r}), ['softmax'], 1)\n"
             "print(sorted(m for m in ('rich', 'nbformat', 'IPython') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
