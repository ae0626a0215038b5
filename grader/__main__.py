from __future__ import annotations

from grader.cli import run

if __name__ == "__main__":
    run()
