"""What checking a worker's replies costs on the grading path.

Every reply a worker sends is decoded (grader.sandbox.wire.loads) and then checked by structure
(grader.sandbox.replies.answer) before the grader acts on it; a student costs about 40 replies
per exercise. This measures both on the replies a correct student sends, and on a reply with
printed output and one with an exception, and prints the medians (of 7 runs) and the check's
cost relative to decoding the same message.

    python benchmarks/reply_validation.py
"""
from __future__ import annotations

import statistics
import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from grader.sandbox import replies, wire  # noqa: E402

ERROR = {"type": "ValueError", "mro": ["builtins.ValueError", "builtins.Exception"], "message": "lengths differ",
         "frames": [["similarity.py", 12, "dot", "raise ValueError('lengths differ')"]]}
REPLIES = {
    "a float64": {"value": np.float64(0.25)},
    "an 8x8 array": {"value": np.random.default_rng(0).standard_normal((8, 8))},
    "a value and printed output": {"value": np.float64(0.25), "output": {"text": "debug: 0.25\n", "dropped": 0}},
    "an exception": {"raised": ERROR, "output": {"text": "", "dropped": 0}},
}
CALLS_PER_STUDENT = 40


def _median_us(statement, number: int) -> float:
    return statistics.median(timeit.repeat(statement, number=number, repeat=7)) / number * 1e6


def main() -> None:
    print(f"{'reply':<28} {'decode (µs)':>12} {'check (µs)':>11} {'check/decode':>13}")
    checks = []
    for name, reply in REPLIES.items():
        data = wire.dumps(reply)
        raw = wire.loads(data)
        decode = _median_us(lambda: wire.loads(data), 20_000)
        check = _median_us(lambda: replies.answer(raw), 200_000)
        checks.append(check)
        print(f"{name:<28} {decode:>12.2f} {check:>11.2f} {check / decode:>12.0%}")
    worst = max(checks)
    print(f"\nper student and exercise ({CALLS_PER_STUDENT} replies), at the slowest check: "
          f"{CALLS_PER_STUDENT * worst / 1000:.3f} ms")


if __name__ == "__main__":
    main()
