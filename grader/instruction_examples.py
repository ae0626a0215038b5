"""The `>>>` examples in an exercise's instructions, run on the reference (`learn validate`).

A student reads them before any test runs, so a wrong one teaches the wrong thing. They are
doctests, written the way the text shows them to a student: a blank line inside an array's
output (doctest would end the output there) and a `# why` comment after an output line are
allowed. Numbers print as numpy 1.25 printed them (`12.0`, not `np.float64(12.0)`), which is
what `print` shows either way. `# doctest: +SKIP` leaves out an example whose output varies
(a random draw), `...` matches any text (ELLIPSIS), and whitespace is normalized.
"""
from __future__ import annotations

import doctest
import re
import warnings
from types import ModuleType

import numpy as np

from grader import test_clock

EXAMPLES_SECONDS = 10.0  # for all of an exercise's examples: the built-in course's take milliseconds
SHOWN = 200              # characters of an example's output in a message

_FENCE = re.compile(r"```(?:python|pycon|py)?\n(.*?)```", re.S)
_OUTPUT_COMMENT = re.compile(r"\s+#\s.*$")


def _cut(text: str) -> str:
    """An output in a message: at most SHOWN characters (an example may print megabytes)."""
    text = text.strip()
    return text if len(text) <= SHOWN else text[:SHOWN] + f"... ({len(text)} characters)"


def doctest_source(instructions: str) -> str:
    """The instructions' fenced code blocks that hold `>>>` lines, as doctest source."""
    lines: list[str] = []
    for block in _FENCE.findall(instructions):
        if ">>> " not in block:
            continue
        block_lines = block.splitlines()
        in_output = False
        for number, line in enumerate(block_lines):
            if line.lstrip().startswith((">>> ", "... ")) or line.strip() in (">>>", "..."):
                in_output = line.lstrip().startswith(">>>") or in_output
                lines.append(line)
            elif not line.strip():
                following = next((x for x in block_lines[number + 1:] if x.strip()), "")
                continuing = in_output and following and not following.lstrip().startswith(">>>")
                lines.append("<BLANKLINE>" if continuing else "")
            else:
                lines.append(_OUTPUT_COMMENT.sub("", line))
        lines.append("")
    return "\n".join(lines)


def failures(instructions: str, reference: ModuleType, where: str) -> tuple[int, list[str]]:
    """(examples run, one message per example whose output differs) for INSTRUCTIONS' `>>>` examples,
    run with np and the REFERENCE's public names in scope; WHERE names them in messages."""
    source = doctest_source(instructions)
    if ">>>" not in source:
        return 0, []
    names = {"np": np, **{k: v for k, v in vars(reference).items() if not k.startswith("_")}}
    test = doctest.DocTestParser().get_doctest(source, names, where, None, 0)
    problems: list[str] = []

    def shown(example: doctest.Example) -> str:  # its first line, without the comment
        lines = example.source.strip().splitlines()
        return f"`>>> {_OUTPUT_COMMENT.sub('', lines[0])}{' ...' if len(lines) > 1 else ''}`"

    class Collector(doctest.DocTestRunner):
        def report_failure(self, out, test, example, got):  # type: ignore[no-untyped-def]
            problems.append(f"{where}: {shown(example)} shows {_cut(example.want)!r}, "
                            f"the reference gives {_cut(got)!r}")

        def report_unexpected_exception(self, out, test, example, exc_info):  # type: ignore[no-untyped-def]
            problems.append(f"{where}: {shown(example)} raises {exc_info[0].__name__}: {_cut(str(exc_info[1]))} "
                            "with the reference")

    runner = Collector(optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    random_state = np.random.get_state()
    # The examples' own numpy settings, warnings and global draws stay theirs: the checks that run
    # after them in this process must not inherit an `np.seterr(all="raise")`.
    seconds = min(EXAMPLES_SECONDS, test_clock.limit())  # LEARN_TEST_CODE_SECONDS shortens it too
    with np.printoptions(legacy="1.25"), np.errstate(), warnings.catch_warnings(), test_clock.alarm(_expire, seconds):
        try:
            result = runner.run(test, out=lambda text: None, clear_globs=True)
        except ExamplesTimedOut:
            return len(test.examples), problems + [f"{where}s ran for more than {seconds:g} s with the "
                                                   "reference and were stopped (an example that never ends?)"]
        finally:
            np.random.set_state(random_state)
    return result.attempted, problems


class ExamplesTimedOut(KeyboardInterrupt):
    """The examples ran past EXAMPLES_SECONDS. A KeyboardInterrupt, the one exception doctest does
    not catch as an example's own (it would go on to the next example)."""


def _expire(signum: int, frame: object) -> None:
    raise ExamplesTimedOut()


