"""Student-controlled text made safe for the formats other tools read."""
from __future__ import annotations

import re

from grader.results import TestResult

# Characters XML 1.0 cannot carry at all, and terminal escapes nobody wants in a CI page.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]|\x1b\\[[0-9;]*[A-Za-z]")


def plain(value: object) -> str:
    return _NOT_XML.sub("", str(value))


def test_text(test: TestResult) -> str:
    parts = [test.description, test.message]
    parts += [f"Diagnosis: {d.message}" for d in test.diagnoses]
    if test.smallest_input:
        parts.append(f"Smallest failing input, {test.smallest_input}")
    return "\n\n".join(p for p in parts if p)
