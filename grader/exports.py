"""Formats that other tools read: JUnit XML, Gradescope results.json, GitHub Actions annotations.

Each is a pure function of a CourseResult, like the reports, but shaped by the consumer's own
format rather than a template: JUnit XML with ``xml.etree`` (GitHub and GitLab test reports
parse it), Gradescope's autograder ``results.json`` (score, execution_time, output,
output_format, visibility, stdout_visibility, tests[] with score, max_score, status, name,
output, visibility), and ``::error file=...,line=...::`` workflow commands.
"""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from grader.results import CourseResult, ExerciseResult, Status, TestResult

# Characters XML 1.0 cannot carry at all, and terminal escapes nobody wants in a CI page.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]|\x1b\\[[0-9;]*[A-Za-z]")
GRADESCOPE_VISIBILITY = {"visible": "visible", "hidden": "hidden", "after_due_date": "after_due_date",
                         "after_published": "after_published"}
MAX_ANNOTATIONS_PER_EXERCISE = 5


def _text(value: object) -> str:
    return _NOT_XML.sub("", str(value))


def _test_text(test: TestResult) -> str:
    parts = [test.description, test.message]
    parts += [f"Diagnosis: {d.message}" for d in test.diagnoses]
    if test.smallest_input:
        parts.append(f"Smallest failing input, {test.smallest_input}")
    return "\n\n".join(p for p in parts if p)


def to_junit(result: CourseResult) -> str:
    """One <testsuite> per exercise, one <testcase> per hidden test; not-started ones are skipped."""
    suites = ET.Element("testsuites", name=_text(f"learn {result.course}".strip()))
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for ex in result.exercises:
        suite = ET.SubElement(suites, "testsuite", name=ex.id)
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        cases = [(t.name, t.status, _test_text(t), t.duration, t.output) for t in ex.tests]
        if ex.violations or (ex.error and not ex.tests):
            rules = "\n".join(f"{ex.file}:{v.line}: {v.message}" for v in ex.violations)
            cases.append(("rules", Status.ERROR, "\n".join(p for p in (ex.error, rules) if p), 0.0, ""))
        for name, status, text, duration, output in cases:
            case = ET.SubElement(suite, "testcase", name=_text(name), classname=ex.id,
                                 file=f"{ex.id}/{ex.file}", time=f"{duration:.3f}")
            counts["tests"] += 1
            first = _text(text.strip().splitlines()[-1] if text.strip() else status.value)[:200]
            if status is Status.FAILED:
                counts["failures"] += 1
                ET.SubElement(case, "failure", message=first, type="failed").text = _text(text)
            elif status in (Status.ERROR, Status.TIMEOUT):
                counts["errors"] += 1
                ET.SubElement(case, "error", message=first, type=status.value).text = _text(text)
            elif status is Status.NOT_STARTED:
                counts["skipped"] += 1
                ET.SubElement(case, "skipped", message=_text(ex.error or "not started"))
            if output:
                ET.SubElement(case, "system-out").text = _text(output)
        suite.set("time", f"{ex.duration:.3f}")
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        suites.set(key, str(value))
    suites.set("time", f"{result.duration:.3f}")
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def _gradescope_tests(ex: ExerciseResult) -> list[dict]:
    broke_rules = bool(ex.violations)
    tests = []
    for t in ex.tests:
        output = _test_text(t) if t.status is not Status.PASSED else t.description
        if broke_rules:
            output = f"{ex.error}\n\n{output}"
        if t.output:
            output += f"\n\nYour code printed:\n```\n{t.output}\n```"
        tests.append({
            "name": f"{ex.id}: {t.name}", "name_format": "text",
            "score": 0.0 if broke_rules else round(t.points, 4), "max_score": round(t.max_points, 4),
            "status": "passed" if t.status is Status.PASSED and not broke_rules else "failed",
            "output": _text(output), "output_format": "md",
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
        "output": _text("\n".join(lines)), "output_format": "md", "test_output_format": "md",
        "test_name_format": "text", "visibility": "visible", "stdout_visibility": "hidden",
        "tests": [t for e in exercises for t in _gradescope_tests(e)],
        "extra_data": {"seed": result.seed, "schema": "learn.results/1", "grader_version": result.grader_version},
    }
    return json.dumps(data, indent=2, allow_nan=False) + "\n"


def render(result: CourseResult, fmt: str) -> str:
    return {"junit": to_junit, "gradescope": to_gradescope}[fmt](result)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _line_of(test: TestResult, ex: ExerciseResult, source: list[str]) -> int:
    """Where to pin a failure: the student's own frame if the message has one, else the def."""
    found = re.findall(rf'{re.escape(ex.file)}", line (\d+)', test.message)
    if found:
        return int(found[-1])
    for number, line in enumerate(source, 1):
        match = re.match(r"\s*def\s+(\w+)", line)
        if match and match[1] in test.name:
            return number
    return 1


def github_annotations(result: CourseResult, workspace: Path, base: Path) -> list[str]:
    """``::error`` workflow commands for what failed, with paths relative to BASE (the checkout)."""
    commands = []
    for ex in result.exercises:
        if ex.status in (Status.PASSED, Status.NOT_STARTED):
            continue
        path = (workspace / ex.id / ex.file).resolve()
        try:
            shown = str(path.relative_to(base.resolve()))
            source = path.read_text(encoding="utf-8", errors="replace").splitlines()
        except (ValueError, OSError):
            shown, source = f"{ex.id}/{ex.file}", []
        pins = [(v.line, f"forbidden: {v.message}", "rule") for v in ex.violations]
        if ex.error and not ex.violations:
            pins.append((_line_of(TestResult("", "", ex.status, 0, 0, message=ex.error), ex, source),
                         ex.error, ex.status.value))
        failing = [t for t in ex.tests if t.status not in (Status.PASSED, Status.NOT_STARTED)]
        if not ex.error:
            pins += [(_line_of(t, ex, source), _test_text(t), t.name) for t in failing]
        for line, message, title in pins[:MAX_ANNOTATIONS_PER_EXERCISE]:
            props = f"file={_escape_property(shown)},line={line},title={_escape_property(f'{ex.id}: {title}')}"
            commands.append(f"::error {props}::{_escape_data(_text(message))}")
    return commands
