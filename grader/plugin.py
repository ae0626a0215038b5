"""pytest plugin: run an exercise's hidden tests with plain ``pytest`` while writing them.

``pytest solutions/softmax`` runs the tests against the reference, in-process.
``pytest solutions/softmax --learn-workspace DIR`` runs them against DIR/softmax/softmax.py in a
sandboxed worker, as the grader would. ``--learn-seed N`` fixes the seed (default 0).
The plugin only acts on test files that live in a course's ``solutions/<id>/`` folder.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pytest

MARKERS = (
    "points(n): this test's share of the exercise's points",
    "visibility(level): visible, hidden or after_due_date",
    "shrink(n): re-run on smaller sizes on failure; the test takes the `size` fixture",
    "statistical: a statistical test (its false-failure rate is measured by a benchmark)",
)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("learn")
    group.addoption("--learn-workspace", default=None, help="grade this workspace instead of the reference")
    group.addoption("--learn-seed", type=int, default=0, help="submission seed (default 0)")


def pytest_configure(config: pytest.Config) -> None:
    for marker in MARKERS:
        config.addinivalue_line("markers", marker)


def _exercise(request: pytest.FixtureRequest) -> Any:
    from grader.course import load_exercise
    folder = Path(str(request.path)).resolve().parent
    course_root = folder.parent.parent
    matches = list((course_root / "exercises").glob(f"*/{folder.name}/exercise.yaml"))
    if folder.parent.name != "solutions" or not matches:
        pytest.skip("not a hidden test of a learn course (no solutions/<id>/ beside exercises/)")
    return load_exercise(matches[0], course_root)


@pytest.fixture(scope="session")
def _learn_fork_server() -> Iterator[list]:
    """One fork server per pytest session, started on first use."""
    holder: list = []
    try:
        yield holder
    finally:
        for server in holder:
            server.close()


def _solution(exercise: Any) -> Any:
    """The exercise's loaded solution; a course error is one line per test, as learn prints it,
    not a traceback through the grader's own frames (an author's review: 260 lines for one typo)."""
    from grader.errors import LearnError
    from grader.grading import solution_for
    try:
        return solution_for(exercise)
    except LearnError as exc:
        problem = str(exc)
    pytest.fail(f"learn: {problem}", pytrace=False)  # outside the except: no chained traceback


@pytest.fixture
def reference(request: pytest.FixtureRequest) -> Any:
    return _solution(_exercise(request)).reference


@pytest.fixture
def student(request: pytest.FixtureRequest, _learn_fork_server: list) -> Iterator[Any]:
    from grader.proxy import InProcessBackend, StudentProxy, WorkerBackend
    from grader.sandbox import replies
    exercise = _exercise(request)
    workspace = request.config.getoption("--learn-workspace")
    if workspace:
        from grader.sandbox import ForkServer
        if not _learn_fork_server:
            _learn_fork_server.append(ForkServer())
        _learn_fork_server[0].hide(exercise.solution_dir.parent.parent, Path(workspace).resolve())
        backend: Any = WorkerBackend(_learn_fork_server[0], Path(workspace) / exercise.id / exercise.file,
                                     exercise.time_limit)
        hello = backend.start()
        if not isinstance(hello, replies.Hello):
            pytest.fail(f"the student's file could not be imported: {hello}")
    else:
        module = _solution(exercise).reference
        backend = InProcessBackend({n: getattr(module, n) for n in exercise.functions}, exercise.file)
    try:
        yield StudentProxy(backend, exercise.functions, exercise.file)
    finally:
        backend.close()


@pytest.fixture
def rng(request: pytest.FixtureRequest) -> np.random.Generator:
    from grader import seeds
    seed = request.config.getoption("--learn-seed")
    size = _size(request)
    return np.random.default_rng(seeds.test_seed(seed, Path(str(request.path)).parent.name,
                                                 request.node.name, size))


def _size(request: pytest.FixtureRequest) -> int | None:
    """The case's own shrink mark (pytest.param(..., marks=...)) before the test's, as the grader
    reads them (grader/solutions.py): pytest's get_closest_marker would take the test's first."""
    callspec = getattr(request.node, "callspec", None)
    own = [m for m in getattr(callspec, "marks", []) if m.name == "shrink"]
    marker = own[0] if own else request.node.get_closest_marker("shrink")
    return int(marker.args[0]) if marker and marker.args else None


@pytest.fixture
def size(request: pytest.FixtureRequest) -> int:
    value = _size(request)
    if value is None:
        pytest.fail("the `size` fixture needs @pytest.mark.shrink(N)")
    return value


@pytest.fixture(autouse=True)
def _learn_context(request: pytest.FixtureRequest) -> Iterator[None]:
    from grader.testing import close_context, open_context
    _, token = open_context()
    try:
        yield
    finally:
        close_context(token)
