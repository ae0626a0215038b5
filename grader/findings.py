"""What the generic explainer can recognize in a wrong answer, each a diagnosis of its own.

The catalogue of an exercise (mistakes.py) names the mistakes its author foresaw; these are
the patterns any wrong answer may show, found by comparing values (grader/compare.py) or by
watching the calls (grader/runner.py). Each has a stable id, so that the class analytics count
them beside the catalogued ones, and a title that says what it is to an instructor reading the
class summary. A finding's own message speaks to the student and may quote numbers (a scale
factor, a location); ``hidden_message`` is the same without them, for a hidden test, whose
expected values the student must not be able to work back from their own output.
"""
from __future__ import annotations

from dataclasses import dataclass

GENERIC = {
    "generic/transposed": "transposed: the last two axes swapped",
    "generic/wrong-axis": "normalized, centred or reduced over the wrong axis",
    "generic/scaled": "off by a constant factor (a normalization or scale factor)",
    "generic/wrong-sign": "the opposite sign (everywhere, or in some columns)",
    "generic/shifted": "off by a constant added everywhere",
    "generic/missing-keepdims": "a reduced axis of length 1 dropped (keepdims missing)",
    "generic/unexpected-nan": "NaN where the answer is finite",
    "generic/unexpected-inf": "inf where the answer is finite",
    "generic/not-raised": "no ValueError for an input the contract says to refuse",
    "generic/modified-input": "an input modified in place",
    "generic/wrong-order": "the right values in the wrong order",
    "generic/no-return": "None returned (a return statement missing)",
    "generic/lost-precision": "float64 input computed in float32",
}


@dataclass(frozen=True)
class Finding:
    id: str                    # one of GENERIC
    message: str               # for the student, with the numbers that help
    hidden_message: str = ""   # the same without numbers drawn from the expected value

    def shown(self, visible: bool) -> str:
        return self.message if visible or not self.hidden_message else self.hidden_message


def title(finding_id: str) -> str:
    """What a generic finding is, for the class summary (its id when it is not one of ours)."""
    return GENERIC.get(finding_id, finding_id)
