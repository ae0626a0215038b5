"""Gradescope's autograder ``results.json`` (https://gradescope-autograders.readthedocs.io):
score, execution_time, output, output_format, visibility, stdout_visibility, and tests[] with
score, max_score, status, name, output, visibility."""
from __future__ import annotations

import json
from pathlib import PurePosixPath

from grader.reports.text import shown
from grader.results import CourseResult, ExerciseResult, Status, TestResult


def clean(text: str) -> str:
    """The course's own Markdown (descriptions, diagnoses) with control characters removed."""
    return shown(text, "json")

# learn's "hidden" shows a test's name, status and diagnosis but never its inputs or expected
# values (the runner has already removed those from the message); Gradescope's "hidden" would
# show nothing at all, not even the diagnosis. "after_due_date" means the same in both.
GRADESCOPE_VISIBILITY = {"visible": "visible", "hidden": "visible", "after_due_date": "after_due_date",
                         "after_published": "after_published"}


def _test_output(ex: ExerciseResult, t: TestResult) -> str:
    """The test's explanation in Gradescope's Markdown: student text only inside code blocks."""
    parts = [clean(t.description)] if t.description else []
    if ex.violations:
        parts.append(shown(ex.error, "markdown-block"))
    if t.status is not Status.PASSED:
        if t.message:
            parts.append(shown(t.message, "markdown-block"))
        parts += [f"**Diagnosis:** {clean(d.message)}" for d in t.diagnoses]
        if t.smallest_input:
            parts += ["Smallest failing input:", shown(t.smallest_input, "markdown-block")]
    if t.output and t.visibility != "hidden":  # what it printed may be the hidden inputs themselves
        parts += ["Your code printed:", shown(t.output, "markdown-block")]
    return "\n\n".join(parts)


def _names(ex: ExerciseResult) -> list[str]:
    """Each test's name as Gradescope shows it. A hidden test's parameters are its inputs and
    expected values (`test_examples[hello world-world hello]`): numbered instead, [1], [2], ..."""
    seen: dict[str, int] = {}
    names = []
    for t in ex.tests:
        base, bracket, _ = t.name.partition("[")
        if bracket and t.visibility == "hidden":
            seen[base] = seen.get(base, 0) + 1
            names.append(f"{base}[{seen[base]}]")
        else:
            names.append(t.name)
    return names


def _gradescope_tests(ex: ExerciseResult) -> list[dict]:
    broke_rules = bool(ex.violations)
    return [{
        "name": f"{ex.id}: {name}", "name_format": "text",
        "score": 0.0 if broke_rules else round(t.points, 4), "max_score": round(t.max_points, 4),
        "status": "passed" if t.status is Status.PASSED and not broke_rules else "failed",
        "output": _test_output(ex, t), "output_format": "md",
        "visibility": GRADESCOPE_VISIBILITY.get(t.visibility, "visible"),
    } for t, name in zip(ex.tests, _names(ex))]


def _exercise_line(ex: ExerciseResult) -> str:
    if ex.missing:  # a Gradescope student uploads files: name the file, not a learn command
        notebook = PurePosixPath(ex.file).stem + ".ipynb"   # the bundle takes either (classroom.gradescope_bundle)
        found = f"; found {', '.join(shown(f, 'markdown') for f in ex.found)}: rename it" if ex.found else ""  # names: the student's
        return (f"- `{ex.id}`: {ex.score:g}/{ex.max_score:g} (not submitted: upload `{ex.file}` or the notebook "
                f"`{notebook}`{found})")
    return (f"- `{ex.id}`: {ex.score:g}/{ex.max_score:g} ({ex.status.value.replace('_', ' ')})"
            + ("\n\n" + shown(ex.error, "markdown-block") if ex.error else ""))


def to_gradescope(result: CourseResult) -> str:
    """Gradescope's autograder results.json (https://gradescope-autograders.readthedocs.io)."""
    exercises = [e for e in result.exercises if e.status is not Status.NOT_STARTED or not result.partial]
    lines = [f"**{result.score:g}/{result.max_score:g}** · seed `{result.seed}`"]
    lines += [_exercise_line(e) for e in exercises]
    data = {
        "score": result.score, "execution_time": max(1, round(result.duration)),
        "output": "\n".join(lines), "output_format": "md", "test_output_format": "md",
        "test_name_format": "text", "visibility": "visible", "stdout_visibility": "hidden",
        "tests": [t for e in exercises for t in _gradescope_tests(e)],
        "extra_data": {"seed": result.seed, "schema": "learn.results/1", "grader_version": result.grader_version,
                       # a hidden test that fails with the reference too: the bundle's run_autograder
                       # records no score then (classroom.gradescope_bundle), and names these
                       "grader_errors": [f"{e.id}: {t.name}" for e in exercises for t in e.tests
                                         if t.status is Status.GRADER_ERROR]},
    }
    return json.dumps(data, indent=2, allow_nan=False) + "\n"
