"""Notebooks as workspaces: a student may work in ``<exercise-id>/<stem>.ipynb`` instead of ``<stem>.py``.

What this package guarantees:

- a student's notebook is data to the grader: it is read with ``nbformat`` (size-capped,
  validated), its answer cells' source is extracted, and that code is graded exactly as a
  ``.py`` file would be (same worker, same limits, same seeds). Nothing of the notebook runs in
  the grader's process; its outputs, metadata and attachments are never executed, rendered or
  copied into a report;
- reports name the notebook, the cell and the line in that cell, mapped back from the
  extracted file's lines after the worker answered (:mod:`grader.notebook.cells`);
- the student's notebook is never rewritten by grading; ``learn start`` never overwrites one,
  and ``learn reset`` backs it up first.

Importing this package costs nothing: only :mod:`grader.notebook.document` imports
``nbformat`` (the ``jupyter`` extra), only :mod:`grader.notebook.magic` imports IPython, and a
workspace with a notebook but no notebook support installed gets one line saying what to
install. Where a submission is (``.py`` or ``.ipynb``) is decided by :mod:`grader.notebook.layout`.
"""
from __future__ import annotations


def install_hint() -> str:
    """How to add notebook support to the learn that is running (grader.locations says how it was installed)."""
    from grader.locations import install_command
    return install_command("jupyter")
