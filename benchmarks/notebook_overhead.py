"""What grading a notebook costs over grading the same code as a .py file: medians, one process.

The same correct softmax answer (the reference) is graded as ``softmax/softmax.py`` and as the ``answer`` cell
of ``softmax/softmax.ipynb`` (a notebook from ``learn start --notebook``, plus OUTPUTS_MB of
plot outputs that the grader must read past), alternately, with one warm fork server and the
exercise's instructor side already loaded. Reading, validating and extracting the notebook is
the whole difference.

    python benchmarks/notebook_overhead.py [--repeat 21] [--outputs-mb 1]
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import nbformat

from grader.cli.options import builtin_course_root
from grader.course import load_course
from grader.grading import grade_exercise
from grader.notebook.starter import exercise_notebook
from grader.sandbox import ForkServer



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=21)
    parser.add_argument("--outputs-mb", type=float, default=1.0)
    options = parser.parse_args()
    exercise = load_course(builtin_course_root()).get("softmax")
    answer_code = exercise.reference_path.read_text()
    with tempfile.TemporaryDirectory() as folder, ForkServer() as server:
        python = Path(folder, "py", "softmax", "softmax.py")
        notebook = Path(folder, "nb", "softmax", "softmax.ipynb")
        for path in (python, notebook):
            path.parent.mkdir(parents=True)
        python.write_text(answer_code)
        document = exercise_notebook(exercise)
        (answer,) = [c for c in document.cells if "answer" in c.metadata.get("tags", [])]
        answer.source = answer_code
        plot = nbformat.v4.new_code_cell("plt.plot(weights)")
        plot.outputs = [nbformat.v4.new_output("display_data", data={
            "image/png": "A" * int(options.outputs_mb * 1024 ** 2)})]
        document.cells.append(plot)
        nbformat.write(document, notebook)
        times: dict[str, list[float]] = {"py": [], "ipynb": []}
        for round_ in range(options.repeat + 1):
            for kind, path in (("py", python), ("ipynb", notebook)):
                started = time.perf_counter()
                result = grade_exercise(exercise, path, 7, server)
                elapsed = time.perf_counter() - started
                assert result.score == result.max_score, (kind, result.error)
                if round_:  # the first round warms caches (and loads the hidden tests)
                    times[kind].append(elapsed)
        size = notebook.stat().st_size / 1024 ** 2
    py, nb = statistics.median(times["py"]), statistics.median(times["ipynb"])
    print(f"softmax, {options.repeat} rounds, notebook with {options.outputs_mb:g} MB of outputs "
          f"({size:.1f} MB file)")
    print(f"  .py     median {py * 1000:7.1f} ms")
    print(f"  .ipynb  median {nb * 1000:7.1f} ms   (+{(nb - py) * 1000:.1f} ms, x{nb / py:.2f})")


if __name__ == "__main__":
    main()
