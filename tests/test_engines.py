"""`--shard auto` under Slurm job arrays, Kubernetes Indexed Jobs, GitLab `parallel:` and GitHub
matrices, the shipped Kubernetes manifests and Slurm scripts run exactly as written, and
`learn gradebook merge` refusing a missing or duplicated shard.

The 200-student class is graded once whole and once per engine as four shards, each with the
environment that engine gives its tasks; the merged gradebook must equal the whole run's byte
for byte. The class uses the example course (two cheap exercises), so that costs seconds.
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLE_COURSE, REPO, learn_in_process

from grader.classroom import engines
from grader.errors import LearnError

EXAMPLES = REPO / "examples" / "ci"
SECRET = "engine-test-secret"

REVERSE = {  # reverse-words/words.py: three correct styles, two catalogued mistakes, a crash, a hang
    "slicing": "def reverse_words(text):\n    return ' '.join(text.split()[::-1])\n",
    "reversed": "def reverse_words(text):\n    words = text.split()\n    return ' '.join(reversed(words))\n",
    "loop": "def reverse_words(text):\n    out = []\n    for word in text.split():\n        out.insert(0, word)\n"
            "    return ' '.join(out)\n",
    "characters": "def reverse_words(text):\n    return text.strip()[::-1]\n",
    "single-space": "def reverse_words(text):\n    return ' '.join(text.strip().split(' ')[::-1])\n",
    "crash": "def reverse_words(text):\n    return text.split()[99]\n",
    "hang": "def reverse_words(text):\n    while True:\n        pass\n",
}
VOWELS = {
    "sum": "def count_vowels(text):\n    return sum(c in 'aeiou' for c in text.lower())\n",
    "loop": "def count_vowels(text):\n    n = 0\n    for c in text:\n        if c in 'aeiouAEIOU':\n"
            "            n += 1\n    return n\n",
    "case-sensitive": "def count_vowels(text):\n    return sum(c in 'aeiou' for c in text)\n",
}


def make_class(root: Path, students: int = 200) -> Path:
    """STUDENTS workspaces mixing every kind of answer, some missing, a few awkward folder names."""
    names = [f"student-{i:03d}" for i in range(students - 3)] + ["Zoë Ünicode", "=cmd|' -C calc'!A0", "a b"]
    reverse, vowels = sorted(REVERSE), sorted(VOWELS)
    for i, name in enumerate(names):
        kind = reverse[i % len(reverse)]
        if kind == "hang" and i >= len(reverse):  # one hanging student: a hang costs its time limit per test
            kind = "slicing"
        (root / name / "reverse-words").mkdir(parents=True)
        (root / name / "reverse-words" / "words.py").write_text(REVERSE[kind])
        if i % 5:  # every fifth student has not started count-vowels
            (root / name / "count-vowels").mkdir(parents=True, exist_ok=True)
            (root / name / "count-vowels" / "vowels.py").write_text(VOWELS[vowels[i % len(vowels)]])
    return root


@pytest.fixture(scope="module")
def course_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A course repository as the examples expect it (exercises/, solutions/, submissions/), a
    `learn` on PATH that is this checkout, and the class graded whole, for comparison."""
    root = tmp_path_factory.mktemp("engines")
    work = root / "class"
    shutil.copytree(EXAMPLE_COURSE, work, ignore=shutil.ignore_patterns("__pycache__"))
    make_class(work / "submissions")
    bin_dir = root / "bin"
    bin_dir.mkdir()
    (bin_dir / "learn").write_text(f'#!/bin/sh\nPYTHONPATH={REPO} exec {sys.executable} -m grader "$@"\n')
    (bin_dir / "learn").chmod(0o755)
    whole = run("learn grade-all submissions --out whole --course . --jobs 2 --seed-secret LEARN_SEED_SECRET",
                work, bin_dir, {})
    assert "Graded 200 student(s)" in whole.stdout
    return work, bin_dir


def run(script: str, cwd: Path, bin_dir: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """SCRIPT in bash as a job of the engine runs it: ENV on top of a clean base (no CI variables
    of the machine running the suite leak in), `learn` being this checkout."""
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("GITHUB_", "GITLAB_", "CI_", "SLURM_", "JOB_COMPLETION", "LEARN_"))}
    proc = subprocess.run(["bash", "-c", script], cwd=cwd, capture_output=True, text=True, timeout=600,
                          env={**base, "PATH": f"{bin_dir}:{os.environ['PATH']}", "LEARN_SEED_SECRET": SECRET,
                               "NO_COLOR": "1", **env})
    assert proc.returncode == 0, f"{script}\n{proc.stdout}\n{proc.stderr}"
    return proc


def gradebook(folder: Path) -> bytes:
    return (folder / "gradebook.csv").read_bytes()


# -- the shipped manifests and scripts, exactly as written --------------------------------------

@pytest.mark.slow
def test_kubernetes_indexed_job_then_merge_gives_the_unsharded_gradebook(course_repo):
    work, bin_dir = course_repo
    grade = yaml.safe_load((EXAMPLES / "kubernetes-grade-job.yaml").read_text())
    merge = yaml.safe_load((EXAMPLES / "kubernetes-merge-job.yaml").read_text())
    spec = grade["spec"]
    assert grade["kind"] == "Job" and spec["completionMode"] == "Indexed" and spec["completions"] == 4
    for job in (grade, merge):  # both run in the repository, results on the shared volume
        container = job["spec"]["template"]["spec"]["containers"][0]
        assert container["workingDir"] == "/class"
        assert {"name": "results", "mountPath": "/class/results"} in container["volumeMounts"]
    container = spec["template"]["spec"]["containers"][0]
    env = {e["name"]: e.get("value", SECRET) for e in container["env"]}  # the secretKeyRef: the Secret's value
    assert env["JOB_COMPLETIONS"] == str(spec["completions"])
    for index in range(spec["completions"]):  # what Kubernetes gives each pod of an Indexed Job
        proc = run(shlex.join(container["command"] + container["args"]), work, bin_dir,
                   {**env, "JOB_COMPLETION_INDEX": str(index), "KUBERNETES_SERVICE_HOST": "10.0.0.1"})
        assert f"Grading shard {index + 1}/4 (a Kubernetes Indexed Job: JOB_COMPLETION_INDEX={index}" in proc.stderr
    merger = merge["spec"]["template"]["spec"]["containers"][0]
    run(shlex.join(merger["command"] + merger["args"]), work, bin_dir, {})
    shard_sizes = [len(gradebook(work / "results" / f"shard-{i}").splitlines()) - 1 for i in range(4)]
    assert sum(shard_sizes) == 200 and min(shard_sizes) > 30
    assert gradebook(work / "results" / "merged") == gradebook(work / "whole")


def sbatch_options(script: Path) -> dict[str, str]:
    return dict(re.findall(r"(?m)^#SBATCH --([a-z-]+)=(\S+)", script.read_text()))


@pytest.mark.slow
def test_slurm_array_then_merge_gives_the_unsharded_gradebook(course_repo):
    work, bin_dir = course_repo
    script = EXAMPLES / "slurm-grade.sbatch"
    options = sbatch_options(script)
    first, last = map(int, options["array"].split("-"))  # --array=1-4: tasks 1..4, minimum 1
    assert (first, last) == (1, 4)
    out = work / "slurm"
    out.mkdir()
    for name in ("submissions", "exercises", "solutions"):
        os.symlink(work / name, out / name)
    for task in range(first, last + 1):  # what sbatch gives each task of the array
        proc = run(f"bash {shlex.quote(str(script))}", out, bin_dir, {
            "SLURM_JOB_ID": str(700 + task), "SLURM_ARRAY_JOB_ID": "700", "SLURM_ARRAY_TASK_ID": str(task),
            "SLURM_ARRAY_TASK_MIN": str(first), "SLURM_ARRAY_TASK_MAX": str(last),
            "SLURM_ARRAY_TASK_COUNT": str(last - first + 1), "SLURM_ARRAY_TASK_STEP": "1",
            "SLURM_CPUS_PER_TASK": options["cpus-per-task"]})
        assert f"Grading shard {task - first + 1}/4 (a Slurm job array: SLURM_ARRAY_TASK_ID={task}" in proc.stderr
    merge = EXAMPLES / "slurm-merge.sbatch"
    run(f"bash {shlex.quote(str(merge))}", out, bin_dir, {"SLURM_JOB_ID": "705"})
    assert gradebook(out / "results" / "merged") == gradebook(work / "whole")

    # Merging is idempotent: again, the same files byte for byte.
    def merged_files() -> dict[str, bytes]:
        return {str(p.relative_to(out)): p.read_bytes() for p in (out / "results" / "merged").rglob("*") if p.is_file()}
    before = merged_files()
    assert "results/merged/similarity/pairs.csv" in before  # the merge saw the whole class
    run(f"bash {shlex.quote(str(merge))}", out, bin_dir, {"SLURM_JOB_ID": "706"})
    assert merged_files() == before

    # A shard that is missing, or given twice, stops the merge and is named.
    shutil.copytree(out / "results" / "shard-2", out / "results" / "shard-2-again")
    proc = subprocess.run(["bash", str(merge)], cwd=out, capture_output=True, text=True,
                          env={**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"})
    assert proc.returncode == 2 and "shard 2/4 appears 2 times" in proc.stderr, proc.stderr
    assert "results/shard-2, results/shard-2-again" in proc.stderr
    shutil.rmtree(out / "results" / "shard-2-again")
    shutil.rmtree(out / "results" / "shard-3")
    proc = subprocess.run(["bash", str(merge)], cwd=out, capture_output=True, text=True,
                          env={**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"})
    assert proc.returncode == 2 and "shard 3/4 is missing" in proc.stderr, proc.stderr
    assert (out / "results" / "merged" / "gradebook.csv").read_bytes() == before["results/merged/gradebook.csv"]


def test_a_shard_whose_grading_did_not_finish_is_not_merged(course_repo, tmp_path):
    work, _bin = course_repo
    shard = tmp_path / "shard"
    shutil.copytree(work / "whole", shard)
    (shard / "run.json").unlink()  # killed before the end: its students are not all there
    outcome = learn_in_process("gradebook", "merge", shard, "--out", tmp_path / "merged")
    assert outcome.exit_code == 2 and "no run.json, so its `learn grade-all` did not finish" in outcome.output


# -- how each engine numbers its tasks -------------------------------------------------------------

@pytest.mark.parametrize("env, expected", [
    ({"SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "4"}, (1, 4)),
    ({"SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_COUNT": "4"}, (1, 4)),
    ({"SLURM_ARRAY_TASK_ID": "7", "SLURM_ARRAY_TASK_MIN": "5", "SLURM_ARRAY_TASK_COUNT": "4"}, (3, 4)),
    ({"SLURM_ARRAY_TASK_ID": "6", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_COUNT": "4",
      "SLURM_ARRAY_TASK_STEP": "2"}, (4, 4)),                                      # --array=0-6:2
    ({"JOB_COMPLETION_INDEX": "0", "JOB_COMPLETIONS": "3"}, (1, 3)),
    ({"JOB_COMPLETION_INDEX": "2", "JOB_COMPLETIONS": "3"}, (3, 3)),
    ({"GITLAB_CI": "true", "CI_NODE_INDEX": "2", "CI_NODE_TOTAL": "5"}, (2, 5)),
    ({"GITLAB_CI": "true", "CI_NODE_TOTAL": "1"}, (1, 1)),                           # a job without parallel:
    ({"GITHUB_ACTIONS": "true", "LEARN_JOB_INDEX": "0", "LEARN_JOB_TOTAL": "2"}, (1, 2)),
    # The most specific engine wins: a Slurm task or a pod may carry a CI runner's variables.
    ({"GITHUB_ACTIONS": "true", "GITLAB_CI": "true", "CI_NODE_INDEX": "1", "CI_NODE_TOTAL": "2",
      "JOB_COMPLETION_INDEX": "1", "JOB_COMPLETIONS": "2"}, (2, 2)),
])
def test_each_engine_numbering_becomes_a_shard(env, expected):
    found = engines.detect(env)
    assert (found.index, found.total) == expected


@pytest.mark.parametrize("env, says", [
    ({}, "no distributed engine found"),
    ({"SLURM_ARRAY_TASK_ID": "x1", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "4"},
     "SLURM_ARRAY_TASK_ID='x1' is not a whole number"),
    ({"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_MIN": "1"}, "SLURM_ARRAY_TASK_COUNT is not set"),
    ({"SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "4"},
     "SLURM_ARRAY_TASK_ID=5 is not one of the array's 4 tasks 1, 2, ..., 4"),
    ({"SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "4"},
     "SLURM_ARRAY_TASK_ID=0 is not one of the array's 4 tasks"),
    ({"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_COUNT": "4",
      "SLURM_ARRAY_TASK_STEP": "2"}, "SLURM_ARRAY_TASK_ID=3 is not one of the array's 4 tasks 0, 2, ..., 6"),
    ({"JOB_COMPLETION_INDEX": "0"}, "JOB_COMPLETIONS is not set; set it in the manifest to the Job's spec.completions"),
    ({"JOB_COMPLETION_INDEX": "4", "JOB_COMPLETIONS": "4"}, "JOB_COMPLETION_INDEX=4 is out of range"),
    ({"JOB_COMPLETION_INDEX": "-1", "JOB_COMPLETIONS": "4"}, "JOB_COMPLETION_INDEX='-1' is not a whole number"),
    ({"JOB_COMPLETION_INDEX": "1", "JOB_COMPLETIONS": "0"}, "JOB_COMPLETIONS=0: expected at least 1"),
    ({"GITLAB_CI": "true", "CI_NODE_TOTAL": "3"}, "CI_NODE_INDEX is not set; add `parallel: N` to the job"),
    ({"GITLAB_CI": "true", "CI_NODE_INDEX": "4", "CI_NODE_TOTAL": "3"}, "CI_NODE_INDEX=4 is out of range"),
    ({"GITLAB_CI": "true", "CI_NODE_INDEX": "1"}, "CI_NODE_TOTAL is not set"),
    ({"GITHUB_ACTIONS": "true"}, "LEARN_JOB_TOTAL is not set; set it in the job's env: to ${{ strategy.job-total }}"),
    ({"GITHUB_ACTIONS": "true", "LEARN_JOB_INDEX": "one", "LEARN_JOB_TOTAL": "3"},
     "LEARN_JOB_INDEX='one' is not a whole number"),
])
def test_bad_engine_variables_are_errors_that_name_them(env, says):
    with pytest.raises(LearnError) as error:
        engines.detect(env)
    assert says in str(error.value) and str(error.value).startswith("--shard auto")


@pytest.mark.parametrize("env, says", [
    ({}, "Error: --shard auto: no distributed engine found"),
    ({"SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "4"},
     "Error: --shard auto (a Slurm job array): SLURM_ARRAY_TASK_ID=5 is not one of the array's 4 tasks"),
    ({"JOB_COMPLETION_INDEX": "0"}, "Error: --shard auto (a Kubernetes Indexed Job): the environment variable "
     "JOB_COMPLETIONS is not set"),
])
def test_grade_all_stops_on_bad_engine_variables(env, says, tmp_path, monkeypatch):
    """Through the real command: nothing is graded, exit status 2, the variable named."""
    for name in list(os.environ):
        if name.startswith(("GITHUB_", "GITLAB_", "CI_", "SLURM_", "JOB_COMPLETION", "LEARN_JOB")):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    (tmp_path / "subs" / "ann" / "reverse-words").mkdir(parents=True)
    (tmp_path / "subs" / "ann" / "reverse-words" / "words.py").write_text(REVERSE["slicing"])
    outcome = learn_in_process("grade-all", tmp_path / "subs", "--out", tmp_path / "out", "--course",
                               EXAMPLE_COURSE, "--shard", "auto")
    assert outcome.exit_code == 2 and says in outcome.output, outcome.output
    assert not (tmp_path / "out").exists()
