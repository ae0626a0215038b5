"""Gradescope's autograder ``results.json`` (https://gradescope-autograders.readthedocs.io):
score, execution_time, output, output_format, visibility, stdout_visibility, and tests[] with
score, max_score, status, name, output, visibility."""
from __future__ import annotations

import json

from grader.reports.text import plain, test_text
from grader.results import CourseResult, ExerciseResult, Status

GRADESCOPE_VISIBILITY = {"visible": "visible", "hidden": "hidden", "after_due_date": "after_due_date",
                         "after_published": "after_published"}


def _gradescope_tests(ex: ExerciseResult) -> list[dict]:
    broke_rules = bool(ex.violations)
    tests = []
    for t in ex.tests:
        output = test_text(t) if t.status is not Status.PASSED else t.description
        if broke_rules:
            output = f"{ex.error}\n\n{output}"
        if t.output:
            output += f"\n\nYour code printed:\n```\n{t.output}\n```"
        tests.append({
            "name": f"{ex.id}: {t.name}", "name_format": "text",
            "score": 0.0 if broke_rules else round(t.points, 4), "max_score": round(t.max_points, 4),
            "status": "passed" if t.status is Status.PASSED and not broke_rules else "failed",
            "output": plain(output), "output_format": "md",
            "visibility": GRADESCOPE_VISIBILITY.get(t.visibility, "visible"),
        })
    return tests


def to_gradescope(result: CourseResult) -> str:
    """Gradescope's autograder results.json (https://gradescope-autograders.readthedocs.io)."""
    exercises = [e for e in result.exercises if e.status is not Status.NOT_STARTED or not result.partial]
    lines = [f"**{result.score:g}/{result.max_score:g}** · seed `{result.seed}`"]
    lines += [f"- `{e.id}`: {e.score:g}/{e.max_score:g} ({e.status.value.replace('_', ' ')})"
              + (f"\n\n  ```\n  {e.error.replace(chr(10), chr(10) + '  ')}\n  ```" if e.error else "")
              for e in exercises]
    data = {
        "score": result.score, "execution_time": max(1, round(result.duration)),
        "output": plain("\n".join(lines)), "output_format": "md", "test_output_format": "md",
        "test_name_format": "text", "visibility": "visible", "stdout_visibility": "hidden",
        "tests": [t for e in exercises for t in _gradescope_tests(e)],
        "extra_data": {"seed": result.seed, "schema": "learn.results/1", "grader_version": result.grader_version},
    }
    return json.dumps(data, indent=2, allow_nan=False) + "\n"
