"""Hard-coded answers for the common seeds: they work only for the seed they were harvested from.

The attacker has seen reports of earlier runs with seeds 0 and 1 (or reproduced them), and
ships a table from inputs to the expected outputs. We play that attacker as well as anyone
could: the table is harvested by running the hidden tests against the reference with those
seeds. Graded with seed 1 the table scores (that is what ``--seed`` promises: an exact
replay); graded with a seed derived per submission, as CI does, it scores no more than the
honest wrong answer.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from grader import seeds
from grader.course import load_course
from grader.proxy import InProcessBackend, StudentProxy
from grader.sandbox import replies
from grader.runner import run_tests
from grader.solutions import load_solution
from redteam_harness import EXERCISE, FILE, SECRET, grade, make_workspace
from redteam_harness import course, runner, secret_env  # noqa: F401  (fixtures)

CHEAT = '''"""Answers harvested for seeds 0 and 1; anything else gets 0.0."""
import numpy as np

TABLE = {table!r}


def _key(name, args):
    return repr((name, [np.round(np.asarray(a, dtype=float), 9).tolist() for a in args]))


def _answer(name, *args):
    return TABLE.get(_key(name, args), 0.0)


def dot(q, k):
    return _answer("dot", q, k)


def cosine_similarity(q, k, eps=1e-8):
    return _answer("cosine_similarity", q, k)


def angle(q, k):
    return _answer("angle", q, k)
'''


class Harvester:
    """A backend around the reference that remembers every (inputs → output) it produced."""

    def __init__(self, inner: InProcessBackend) -> None:
        self.inner, self.table = inner, {}

    def call(self, name: str, args: list, kwargs: dict) -> replies.Answer:
        reply = self.inner.call(name, args, kwargs)
        if isinstance(reply, replies.Returned) and np.ndim(reply.value) == 0 and not kwargs:
            key = repr((name, [np.round(np.asarray(a, dtype=float), 9).tolist() for a in args]))
            self.table[key] = float(reply.value)
        return reply

    def close(self) -> None:
        pass


def _harvest(course: Path) -> dict[str, float]:
    """Answers to the inputs that seeds 0 and 1 draw. Inputs the two seeds share are fixed
    examples (the same for every seed, like the ones in the instructions): hard-coding those
    is not what this attack is about, so they are left out."""
    exercise = load_course(course).get(EXERCISE)
    solution = load_solution(exercise)
    functions = {n: getattr(solution.reference, n) for n in exercise.functions}
    tables = []
    for seed in (0, 1):
        harvester = Harvester(InProcessBackend(functions, exercise.file))
        run_tests(solution, StudentProxy(harvester, exercise.functions, exercise.file), seed)
        tables.append(harvester.table)
    fixed = tables[0].keys() & tables[1].keys()
    return {k: v for table in tables for k, v in table.items() if k not in fixed}


def test_hard_coded_answers_only_replay_their_own_seed(runner, course: Path, tmp_path: Path,
                                                       secret_env: None) -> None:
    table = _harvest(course)
    assert len(table) > 20
    workspace = tmp_path / "cheat"
    (workspace / EXERCISE).mkdir(parents=True)
    (workspace / EXERCISE / FILE).write_text(CHEAT.format(table=table))
    honest = grade(runner, make_workspace(tmp_path / "honest", "honest_wrong"), course, seed=1)

    replayed = grade(runner, workspace, course, seed=1)
    assert replayed.score > honest.score + 2  # the table is real: it scores on its own seed

    per_submission = seeds.seed_from_secret(SECRET, "cheat")  # what grade-all --seed-secret uses
    assert per_submission not in (0, 1)
    fresh = grade(runner, workspace, course, seed=per_submission)
    honest_fresh = grade(runner, make_workspace(tmp_path / "honest2", "honest_wrong"), course, seed=per_submission)
    assert fresh.score <= honest_fresh.score
