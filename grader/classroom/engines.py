"""``--shard auto``: which share of the class this job grades, read from the engine it runs under.

Each distributed engine numbers the copies of a job in its own way; this module turns each into
learn's ``(index, total)`` with ``1 <= index <= total`` (the form of ``--shard I/N``):

==================  ====================================================  =====================
engine              variables                                             numbering
==================  ====================================================  =====================
Slurm job array     ``SLURM_ARRAY_TASK_ID``, ``SLURM_ARRAY_TASK_COUNT``,   any ``--array=A-B[:S]``
                    ``SLURM_ARRAY_TASK_MIN``, ``SLURM_ARRAY_TASK_STEP``    (from its minimum, by S)
Kubernetes          ``JOB_COMPLETION_INDEX`` (set by Kubernetes in an      from 0
Indexed Job         Indexed Job), ``JOB_COMPLETIONS`` (the manifest sets
                    it to ``spec.completions``: Kubernetes does not)
GitLab ``parallel`` ``CI_NODE_INDEX``, ``CI_NODE_TOTAL``                   from 1
GitHub Actions      ``LEARN_JOB_INDEX``, ``LEARN_JOB_TOTAL`` (the workflow  from 0
matrix              sets them to ``strategy.job-index``/``job-total``)
==================  ====================================================  =====================

The engine is recognised by the variable only it sets (``SLURM_ARRAY_TASK_ID``,
``JOB_COMPLETION_INDEX``, ``GITLAB_CI``, ``GITHUB_ACTIONS``), most specific first: a Slurm
array or an Indexed Job may well run a GitLab or GitHub runner's environment, never the other
way round. Every value is checked once, here, and a bad one is an error that names the
variable: a shard that silently graded the wrong share (or everyone) would be found only at
merge time, or never.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

from grader.errors import LearnError


@dataclass(frozen=True)
class EngineShard:
    index: int        # 1-based, as --shard I/N
    total: int
    engine: str       # "slurm", "kubernetes", "gitlab", "github"
    source: str       # the variables it came from, for the log: "SLURM_ARRAY_TASK_ID=7, ..."

    @property
    def text(self) -> str:
        return f"{self.index}/{self.total}"


def resolve(text: str, env: Mapping[str, str]) -> tuple[tuple[int, int], str]:
    """--shard TEXT: ``I/N`` as given, or ``auto`` from the engine in ENV; and, for auto, the
    line that tells the log where the shard came from."""
    from grader.classroom.shards import parse_shard
    if text.strip().lower() != "auto":
        return parse_shard(text), ""
    found = detect(env)
    return (found.index, found.total), f"Grading shard {found.text} ({NAMES[found.engine]}: {found.source})"


NAMES = {"slurm": "a Slurm job array", "kubernetes": "a Kubernetes Indexed Job",
         "gitlab": "GitLab CI `parallel:`", "github": "a GitHub Actions matrix"}


def detect(env: Mapping[str, str]) -> EngineShard:
    """The shard of this job, from ENV (os.environ). LearnError when no engine is found or a
    variable is missing, not a whole number, or out of range."""
    if "SLURM_ARRAY_TASK_ID" in env:
        return _slurm(env)
    if "JOB_COMPLETION_INDEX" in env:
        return _from_zero(env, "kubernetes", "JOB_COMPLETION_INDEX", "JOB_COMPLETIONS",
                          "set it in the manifest to the Job's spec.completions")
    if env.get("GITLAB_CI") == "true":
        return _gitlab(env)
    if env.get("GITHUB_ACTIONS") == "true":
        return _from_zero(env, "github", "LEARN_JOB_INDEX", "LEARN_JOB_TOTAL",
                          "set it in the job's env: to ${{ strategy.job-total }}")
    raise LearnError("--shard auto: no distributed engine found. It reads SLURM_ARRAY_TASK_ID (a Slurm "
                     "array), JOB_COMPLETION_INDEX (a Kubernetes Indexed Job), CI_NODE_INDEX (GitLab "
                     "CI with GITLAB_CI=true) or LEARN_JOB_INDEX (GitHub Actions with GITHUB_ACTIONS=true); "
                     "elsewhere pass --shard I/N")


def _number(env: Mapping[str, str], engine: str, name: str, hint: str = "") -> int:
    where = f"--shard auto ({NAMES[engine]})"
    if name not in env or not env[name].strip():
        raise LearnError(f"{where}: the environment variable {name} is not set" + (f"; {hint}" if hint else ""))
    value = env[name].strip()
    if not re.fullmatch(r"\d+", value):
        raise LearnError(f"{where}: {name}={env[name]!r} is not a whole number")
    return int(value)


def _out_of_range(engine: str, detail: str) -> LearnError:
    return LearnError(f"--shard auto ({NAMES[engine]}): {detail}")


def _from_zero(env: Mapping[str, str], engine: str, index_name: str, total_name: str, hint: str) -> EngineShard:
    """Engines that count their copies from 0: Kubernetes and GitHub's strategy.job-index."""
    total = _number(env, engine, total_name, hint)
    index = _number(env, engine, index_name)
    if total < 1:
        raise _out_of_range(engine, f"{total_name}={total}: expected at least 1")
    if index >= total:
        raise _out_of_range(engine, f"{index_name}={index} is out of range: with {total_name}={total} "
                            f"it must be 0 to {total - 1}")
    return EngineShard(index + 1, total, engine, f"{index_name}={index}, {total_name}={total}")


def _gitlab(env: Mapping[str, str]) -> EngineShard:
    total = _number(env, "gitlab", "CI_NODE_TOTAL", "GitLab sets it in every job")
    if total == 1 and "CI_NODE_INDEX" not in env:  # a job without parallel: has CI_NODE_TOTAL=1 only
        return EngineShard(1, 1, "gitlab", "CI_NODE_TOTAL=1 (the job is not parallel: the whole class)")
    index = _number(env, "gitlab", "CI_NODE_INDEX", "add `parallel: N` to the job")
    if total < 1 or not 1 <= index <= total:
        raise _out_of_range("gitlab", f"CI_NODE_INDEX={index} is out of range: with CI_NODE_TOTAL={total} "
                            f"it must be 1 to {total}")
    return EngineShard(index, total, "gitlab", f"CI_NODE_INDEX={index}, CI_NODE_TOTAL={total}")


def _slurm(env: Mapping[str, str]) -> EngineShard:
    """A task of `--array=A-B:S` has SLURM_ARRAY_TASK_ID in A, A+S, ..., B: its position in that
    range is its shard. An array given as a list (`--array=1,4,9`) has no such position."""
    task = _number(env, "slurm", "SLURM_ARRAY_TASK_ID")
    count = _number(env, "slurm", "SLURM_ARRAY_TASK_COUNT", "Slurm sets it in every array task")
    first = _number(env, "slurm", "SLURM_ARRAY_TASK_MIN", "Slurm sets it in every array task")
    step = _number(env, "slurm", "SLURM_ARRAY_TASK_STEP") if "SLURM_ARRAY_TASK_STEP" in env else 1
    if count < 1 or step < 1:
        raise _out_of_range("slurm", f"SLURM_ARRAY_TASK_COUNT={count}, SLURM_ARRAY_TASK_STEP={step}: "
                            "expected at least 1 each")
    position, off_step = divmod(task - first, step)
    if task < first or off_step or position >= count:
        last = first + step * (count - 1)
        raise _out_of_range("slurm", f"SLURM_ARRAY_TASK_ID={task} is not one of the array's {count} tasks "
                            f"{first}, {first + step}, ..., {last} (SLURM_ARRAY_TASK_MIN={first}, "
                            f"SLURM_ARRAY_TASK_STEP={step}): submit the array as a range, --array={first}-{last}"
                            + (f":{step}" if step > 1 else ""))
    return EngineShard(position + 1, count, "slurm", f"SLURM_ARRAY_TASK_ID={task}, SLURM_ARRAY_TASK_MIN={first}, "
                       f"SLURM_ARRAY_TASK_COUNT={count}" + (f", SLURM_ARRAY_TASK_STEP={step}" if step > 1 else ""))
