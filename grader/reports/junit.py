"""JUnit XML, as GitHub and GitLab test reports parse it: one <testsuite> per exercise, one
<testcase> per hidden test, built with ``xml.etree``."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from grader.reports.text import plain, test_text
from grader.results import CourseResult, Status, TestResult


def _headline(test: TestResult) -> str:
    """The one line a test report shows for a failure: where the values differ, what the code
    raised, or the diagnosis, from the result's data."""
    if test.difference:
        return test.difference.summary()
    if test.exception:
        return f"{test.exception.type}: {test.exception.message}" if test.exception.message else test.exception.type
    return test.diagnoses[0].message if test.diagnoses else ""


def to_junit(result: CourseResult) -> str:
    """One <testsuite> per exercise, one <testcase> per hidden test; not-started ones are skipped."""
    suites = ET.Element("testsuites", name=plain(f"learn {result.course}".strip()))
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for ex in result.exercises:
        suite = ET.SubElement(suites, "testsuite", name=ex.id)
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        cases = [(t.name, t.status, test_text(t), t.duration, t.output, _headline(t)) for t in ex.tests]
        if ex.violations or (ex.error and not ex.tests):
            rules = "\n".join(f"{v.where(ex.file)}: {v.message}" for v in ex.violations)
            cases.append(("rules", Status.ERROR, "\n".join(p for p in (ex.error, rules) if p), 0.0, "", ""))
        for name, status, text, duration, output, headline in cases:
            case = ET.SubElement(suite, "testcase", name=plain(name), classname=ex.id,
                                 file=f"{ex.id}/{ex.file}", time=f"{duration:.3f}")
            counts["tests"] += 1
            first = plain(headline or (text.strip().splitlines()[-1] if text.strip() else status.value))[:200]
            if status is Status.FAILED:
                counts["failures"] += 1
                ET.SubElement(case, "failure", message=first, type="failed").text = plain(text)
            elif status in (Status.ERROR, Status.TIMEOUT, Status.GRADER_ERROR):
                counts["errors"] += 1
                ET.SubElement(case, "error", message=first, type=status.value).text = plain(text)
            elif status is Status.NOT_STARTED:
                counts["skipped"] += 1
                ET.SubElement(case, "skipped", message=plain(ex.error or "not started"))
            if output:
                ET.SubElement(case, "system-out").text = plain(output)
        suite.set("time", f"{ex.duration:.3f}")
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        suites.set(key, str(value))
    suites.set("time", f"{result.duration:.3f}")
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
