"""What the namespace layer costs per student: spawn + hello + one call, with and without it.

Two fork servers, one choosing its layer automatically (namespaces when root on Linux), one
held to the process layer (LEARN_SANDBOX=process). Each round starts a worker on the
reference solution of dot-product, waits for its hello, makes one call and kills it; the two
servers take turns so that drift on a shared machine hits both alike. Prints the medians, the
ratio and the difference in milliseconds.

    python benchmarks/sandbox_overhead.py [--rounds 60]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from grader.sandbox import ForkServer, Limits  # noqa: E402

STUDENT = REPO / "solutions" / "dot-product" / "similarity.py"


def one_round(server: ForkServer, q: np.ndarray, k: np.ndarray) -> float:
    started = time.perf_counter()
    worker = server.spawn(STUDENT, Limits())
    hello = worker.receive(20.0)
    reply = worker.call("dot", [q, k], {}, 5.0)
    worker.kill()
    elapsed = time.perf_counter() - started
    assert "hello" in hello and "value" in reply, (hello, reply)
    return elapsed


def start_server(layer: str | None) -> ForkServer:
    previous = os.environ.pop("LEARN_SANDBOX", None)
    if layer:
        os.environ["LEARN_SANDBOX"] = layer
    try:
        return ForkServer()
    finally:
        os.environ.pop("LEARN_SANDBOX", None)
        if previous is not None:
            os.environ["LEARN_SANDBOX"] = previous


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=60)
    args = parser.parse_args()
    q, k = np.random.default_rng(0).standard_normal((2, 64))
    best, plain = start_server(None), start_server("process")
    try:
        print(f"automatic layer: {best.isolation} ({best.isolation_reason})")
        print(f"baseline layer:  {plain.isolation} ({plain.isolation_reason})")
        for server in (best, plain):  # warm up: the probe, page cache, first fork
            for _ in range(3):
                one_round(server, q, k)
        times: dict[str, list[float]] = {"auto": [], "process": []}
        for _ in range(args.rounds):
            times["auto"].append(one_round(best, q, k))
            times["process"].append(one_round(plain, q, k))
    finally:
        best.close()
        plain.close()
    auto, process = (statistics.median(times[n]) * 1000 for n in ("auto", "process"))
    for name, values in times.items():
        ms = sorted(v * 1000 for v in values)
        print(f"{name:8} median {statistics.median(ms):7.2f} ms   p10 {ms[len(ms) // 10]:7.2f}   "
              f"p90 {ms[len(ms) * 9 // 10]:7.2f}   ({len(ms)} rounds: spawn + hello + one call + kill)")
    print(f"ratio {auto / process:.2f}x, difference {auto - process:+.2f} ms per student file")


if __name__ == "__main__":
    main()
