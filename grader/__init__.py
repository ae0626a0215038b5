"""learn: auto-graded exercises, and the grader that checks them."""
from __future__ import annotations

__version__ = "0.1.0"


def load_ipython_extension(ipython: object) -> None:
    """``%load_ext grader`` in a Jupyter kernel: the ``%learn`` magic (grader.notebook.magic)."""
    from grader.notebook.magic import load
    load(ipython)
