"""The built-in course checks itself: for every exercise the reference scores full marks, the
untouched stub scores 0, and every catalogued mistake loses points and is diagnosed as itself."""
from __future__ import annotations

import re

import pytest

from conftest import REPO, run_learn

CURRICULUM = [
    "dot-product", "projection", "attention-scores", "softmax", "scaled-dot-product-attention",
    "multi-head-attention", "orthogonality", "gram-schmidt", "covariance", "layer-norm",
    "subspace-projection", "subspace-angles", "eigenspectrum", "power-iteration", "xavier-init",
    "kaiming-init", "orthogonal-init", "signal-propagation",
]


@pytest.fixture(scope="module")
def validation() -> dict[str, str]:
    run = run_learn("validate", timeout=900)
    assert "Traceback" not in run.stderr, run.stderr
    blocks: dict[str, str] = {}
    current = None
    for line in run.stdout.splitlines():
        match = re.match(r"^(ok  |FAIL) (\S+) ", line)
        if match:
            current = match.group(2)
            blocks[current] = line
        elif current and line.startswith("     - "):
            blocks[current] += "\n" + line
    return blocks


@pytest.mark.parametrize("exercise", CURRICULUM)
def test_exercise_validates(validation, exercise):
    assert exercise in validation, f"{exercise} is missing from the course"
    assert validation[exercise].startswith("ok"), validation[exercise]


def test_course_totals_180_points():
    from grader.course import load_course
    course = load_course(REPO)
    assert [e.id for e in course.exercises] == CURRICULUM
    assert course.max_score == 180


def _doctest_source(instructions: str) -> str:
    """The instructions' ```python blocks as doctest source. Output the way the text shows it to a
    student is made doctest's: a blank line inside an array's output is <BLANKLINE> (doctest would
    end the output there), and a trailing `# why` comment on an output line is dropped."""
    lines: list[str] = []
    for block in re.findall(r"```python\n(.*?)```", instructions, re.S):
        in_output = False
        for number, line in enumerate(block.splitlines()):
            if line.startswith((">>> ", "... ")):
                in_output = line.startswith(">>> ") or in_output
                lines.append(line)
                continue
            following = block.splitlines()[number + 1:number + 2]
            if not line.strip():
                continuing = in_output and following and following[0].strip() and not following[0].startswith(">>>")
                lines.append("<BLANKLINE>" if continuing else "")
            else:
                lines.append(re.sub(r"\s+#\s.*$", "", line))
        lines.append("")
    return "\n".join(lines)


WITHOUT_EXAMPLES = {"layer-norm", "subspace-projection", "subspace-angles"}  # their instructions show no >>>


@pytest.mark.parametrize("exercise", [e for e in CURRICULUM if e not in WITHOUT_EXAMPLES])
def test_the_instructions_examples_hold_for_the_reference(exercise):
    """Every `>>>` example of an exercise's instructions gives, run on the reference, the output
    the instructions show: a student reads them before the hidden tests ever run. (A review found
    attention-scores' examples showing two different K matrices; this checks they are right.)
    Numbers print as numpy 1.25 did (`12.0`, not `np.float64(12.0)`): what `print` shows either way."""
    import doctest
    import importlib.util

    import numpy as np

    from grader.course import load_course

    course = load_course(REPO)
    ex = course.get(exercise)
    source = _doctest_source(ex.instructions)
    assert ">>>" in source, f"{exercise}'s instructions lost their examples: update WITHOUT_EXAMPLES"
    spec = importlib.util.spec_from_file_location(f"reference_{exercise.replace('-', '_')}", ex.reference_path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    names = {"np": np, **{k: v for k, v in vars(module).items() if not k.startswith("_")}}
    test = doctest.DocTestParser().get_doctest(source, names, exercise, str(ex.directory / "exercise.yaml"), 0)
    report: list[str] = []
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    with np.printoptions(legacy="1.25"):
        result = runner.run(test, out=report.append)
    assert result.attempted and not result.failed, "".join(report)
