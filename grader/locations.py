"""Where the grader's own things are, found without loading anything heavy."""
from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def builtin_course_root() -> Path | None:
    """The course shipped with the package: inside it when installed, beside it in a checkout."""
    for candidate in (PACKAGE_DIR / "_course", PACKAGE_DIR.parent):
        if (candidate / "exercises").is_dir():
            return candidate
    return None
