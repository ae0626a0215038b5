from __future__ import annotations

from grader.launcher import run

if __name__ == "__main__":
    run()
