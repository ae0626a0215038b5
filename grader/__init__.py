"""learn: auto-graded exercises, and the grader that checks them."""
from __future__ import annotations

__version__ = "0.1.0"
