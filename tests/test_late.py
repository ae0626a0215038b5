"""Late work: course.yaml's due dates and late policy, applied by `learn grade-all --submitted-at`
from a CSV or from each student's git history; the gradebook keeps raw and adjusted scores, a
merge of shards keeps them byte for byte, and the LMS exports take the adjusted ones."""
from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLE_COURSE, REPO, learn_in_process

WORDS = "def reverse_words(text):\n    return ' '.join(text.split()[::-1])\n"
VOWELS = "def count_vowels(text):\n    return sum(c in 'aeiou' for c in text.lower())\n"
HALF_VOWELS = "def count_vowels(text):\n    return sum(c in 'aeiou' for c in text)\n"   # case-sensitive: partial
# reverse-words is due at the end of 2025-03-10 (UTC), count-vowels at the course's date, the 14th.
POLICY = ("due_date: 2025-03-14\ndue_dates:\n  reverse-words: 2025-03-10\n"
          "late_policy: {kind: per_day, percent: 10, max_days: 3, grace_minutes: 30}\n")
TIMES = ("folder,submitted_at,exercise\n"
         "ontime,2025-03-09T12:00:00+00:00,\n"
         "grace,2025-03-11T00:20:00+00:00,\n"             # 20 minutes after reverse-words' due time
         "twodays,2025-03-12T10:00:00Z,\n"                 # reverse-words 2 days late, count-vowels on time
         "twodays,2025-03-15T09:00:00+01:00,count-vowels\n"  # ... but count-vowels 8 hours late (1 day)
         "toolate,2025-03-20T00:00:00,\n")                 # 9 days / 6 days late: past max_days
STUDENTS = {"ontime": VOWELS, "grace": VOWELS, "twodays": HALF_VOWELS, "toolate": VOWELS, "untimed": VOWELS}


def make_course(root: Path, policy: str = POLICY) -> Path:
    shutil.copytree(EXAMPLE_COURSE, root, ignore=shutil.ignore_patterns("__pycache__"))
    with open(root / "exercises" / "course.yaml", "a", encoding="utf-8") as handle:
        handle.write(policy)
    return root


def make_class(root: Path) -> Path:
    for name, vowels in STUDENTS.items():
        for exercise, file, source in (("reverse-words", "words.py", WORDS), ("count-vowels", "vowels.py", vowels)):
            (root / name / exercise).mkdir(parents=True)
            (root / name / exercise / file).write_text(source)
    return root


def grade_all(*args: str | Path) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "grader", "grade-all", *map(str, args), "--jobs", "1"], cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc


def rows(results: Path) -> dict[str, dict[str, str]]:
    with open(results / "gradebook.csv", newline="", encoding="utf-8") as handle:
        return {r["student"]: r for r in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    root = tmp_path_factory.mktemp("late")
    course, submissions = make_course(root / "course"), make_class(root / "subs")
    (root / "times.csv").write_text(TIMES)
    grade_all(submissions, "--out", root / "results", "--course", course, "--submitted-at", root / "times.csv")
    return root, course, submissions


def test_the_gradebook_keeps_raw_and_adjusted_scores(graded):
    root, _course, _subs = graded
    header = (root / "results" / "gradebook.csv").read_text().splitlines()[0]
    assert header == ("student,total,max,reverse-words,count-vowels,status,reason,"  # unchanged, then appended
                      "raw_total,adjusted_total,adjusted:reverse-words,adjusted:count-vowels,submitted,days_late,late")
    book = rows(root / "results")
    ontime, grace, twodays, toolate, untimed = (book[s] for s in STUDENTS)
    assert ontime["total"] == ontime["raw_total"] == ontime["adjusted_total"] == "20" and ontime["late"] == ""
    # 20 minutes late is inside the 30 minutes' grace.
    assert grace["adjusted_total"] == "20" and grace["days_late"] == "0"
    # reverse-words 2 started days late (-20%: 8 of 10); count-vowels 1 day late (-10%) of its raw score.
    raw_vowels = float(twodays["count-vowels"])
    assert 0 < raw_vowels < 10 and twodays["total"] == twodays["raw_total"]
    assert twodays["adjusted:reverse-words"] == "8"
    assert float(twodays["adjusted:count-vowels"]) == pytest.approx(0.9 * raw_vowels, abs=1e-3)
    assert float(twodays["adjusted_total"]) == pytest.approx(8 + 0.9 * raw_vowels, abs=1e-3)
    assert twodays["late"] == "reverse-words: 2 days late, kept 80%; count-vowels: 1 day late, kept 90%"
    assert twodays["submitted"] == "2025-03-15T09:00:00+01:00" and twodays["days_late"] == "2"
    # Past max_days (3): nothing kept. The raw total stays where other tools read it.
    assert toolate["total"] == "20" and toolate["adjusted_total"] == "0" and toolate["days_late"] == "9"
    assert untimed["adjusted_total"] == "20" and untimed["late"] == "no submission time: not adjusted"


def test_shards_merge_to_the_same_gradebook_with_late_columns(graded, tmp_path):
    root, course, submissions = graded
    for i in (1, 2):
        grade_all(submissions, "--out", tmp_path / f"shard-{i}", "--course", course, "--shard", f"{i}/2",
                  "--submitted-at", root / "times.csv")
    outcome = learn_in_process("gradebook", "merge", tmp_path / "shard-1", tmp_path / "shard-2", "--out", tmp_path / "m")
    assert outcome.exit_code == 0, outcome.output
    assert (tmp_path / "m" / "gradebook.csv").read_bytes() == (root / "results" / "gradebook.csv").read_bytes()


def test_export_from_a_merged_folder_equals_the_export_from_its_shards(graded, tmp_path):
    """What the Slurm and Kubernetes examples leave is a merged folder: it exports as its shards do,
    byte for byte, adjusted scores and --raw-scores alike."""
    root, course, submissions = graded
    shards = [tmp_path / f"shard-{i}" for i in (1, 2)]
    for i, shard in enumerate(shards, 1):
        grade_all(submissions, "--out", shard, "--course", course, "--shard", f"{i}/2", "--submitted-at", root / "times.csv")
    merged = tmp_path / "merged"
    assert learn_in_process("gradebook", "merge", *shards, "--out", merged).exit_code == 0
    (tmp_path / "roster.csv").write_text("folder,email,sis_login_id\n"
                                         + "".join(f"{s},{s}@uni.example,{s}\n" for s in STUDENTS if s != "untimed")
                                         + "nobody,nobody@uni.example,nobody\n")
    for lms, *flag in (("canvas",), ("moodle",), ("moodle", "--raw-scores")):
        made = {}
        for name, folders in (("shards", shards), ("merged", [merged])):
            out = tmp_path / f"{name}-{lms}{''.join(flag)}.csv"
            outcome = learn_in_process("gradebook", "export", *folders, "--lms", lms, "--roster", tmp_path / "roster.csv",
                                       "--out", out, "--assignment", "A", *flag)
            made[name] = (outcome.exit_code, outcome.output.replace(str(out), "OUT"), out.read_bytes())
        assert made["merged"] == made["shards"], lms
        assert made["merged"][0] == 1 and "'untimed'" in made["merged"][1] and "'nobody'" in made["merged"][1]
    assert b"toolate@uni.example,20\r\n" in made["merged"][2]  # --raw-scores, last
    (merged / "run.json").unlink()  # as an older learn merged: say what to do
    old = learn_in_process("gradebook", "export", merged, "--lms", "moodle", "--roster", tmp_path / "roster.csv",
                           "--out", tmp_path / "old.csv", "--assignment", "A")
    assert old.exit_code == 2 and "merged by an older learn" in old.output and "pass the shard folders" in old.output


def test_lms_exports_take_the_adjusted_scores(graded, tmp_path):
    root, _course, _subs = graded
    (tmp_path / "roster.csv").write_text("folder,email\n" + "".join(f"{s},{s}@uni.example\n" for s in STUDENTS))
    for flag, toolate in (((), "0"), (("--raw-scores",), "20")):
        outcome = learn_in_process("gradebook", "export", root / "results", "--lms", "moodle", "--roster",
                                   tmp_path / "roster.csv", "--out", tmp_path / "m.csv", "--assignment", "A", *flag)
        assert outcome.exit_code == 0, outcome.output
        assert f"toolate@uni.example,{toolate}\r\n".encode() in (tmp_path / "m.csv").read_bytes()


def git(folder: Path, *args: str, date: str | None = None) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "s", "GIT_AUTHOR_EMAIL": "s@x", "GIT_COMMITTER_NAME": "s",
           "GIT_COMMITTER_EMAIL": "s@x", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    if date:
        env |= {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True, env=env)


def test_cutoff_from_each_students_git_history(tmp_path):
    """Each student's folder is a clone: an exercise's time is its file's last commit. A folder
    with no .git of its own has no time, even inside the instructor's own repository."""
    course = make_course(tmp_path / "course", "due_date: 2025-03-14T12:00:00+00:00\nlate_policy: {kind: cutoff}\n")
    submissions = make_class(tmp_path / "subs")
    git(tmp_path, "init", "-q")                                    # the instructor's repository, around it all
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "class", date="2025-01-01T00:00:00+00:00")
    for name in ("ontime", "toolate"):
        folder = submissions / name
        git(folder, "init", "-q")
        git(folder, "add", "reverse-words")
        git(folder, "commit", "-qm", "words", date="2025-03-13T12:00:00+00:00")
        git(folder, "add", "count-vowels")
        git(folder, "commit", "-qm", "vowels",
            date="2025-03-14T11:00:00+00:00" if name == "ontime" else "2025-03-14T13:00:00+00:00")
    broken = submissions / "broken"                                # git cannot read this clone: said, not hidden
    shutil.copytree(submissions / "ontime", broken)
    (broken / ".git" / "HEAD").write_text("garbage\n")
    (submissions / "toolate" / ".git" / "config").write_text(   # a hostile clone's config is not obeyed
        "[core]\n\tfsmonitor = touch PWNED\n\tpager = touch PWNED\n[log]\n\tshowSignature = true\n"
        "[gpg]\n\tprogram = touch PWNED\n")
    grade_all(submissions, "--out", tmp_path / "results", "--course", course, "--submitted-at", "git")
    book = rows(tmp_path / "results")
    assert book["ontime"]["adjusted_total"] == "20" and book["ontime"]["submitted"] == "2025-03-14T11:00:00+00:00"
    assert book["toolate"]["adjusted:count-vowels"] == "0" and book["toolate"]["adjusted:reverse-words"] == "10"
    assert book["toolate"]["late"] == "count-vowels: 1 day late, kept 0%"
    assert book["grace"]["late"] == "no submission time: not adjusted"   # no .git: not the instructor's date
    assert book["broken"]["late"].startswith("no submission time (git failed in this clone: "), book["broken"]
    assert book["broken"]["late"].endswith("): not adjusted")
    assert not list(tmp_path.rglob("PWNED")) and not list(REPO.glob("PWNED"))


@pytest.mark.parametrize("policy, says", [
    ("late_policy: {kind: per_day, percent: 10}\n", "late_policy: a late policy needs due_date or due_dates"),
    ("due_date: 2025-03-14\nlate_policy: {kind: weekly}\n", "late_policy.kind: expected one of none, per_day, cutoff"),
    ("due_date: 2025-03-14\nlate_policy: {kind: per_day, percent: 150}\n", "late_policy.percent: expected the "
     "percentage lost per day late"),
    ("due_date: 2025-03-14\nlate_policy: {kind: cutoff, percent: 5}\n", "percent and max_days belong to kind per_day"),
    ("due_date: 2025-03-14\nlate_policy: {kind: per_day, percent: 5, max_days: -1}\n", "late_policy.max_days: "
     "expected a whole number >= 0"),
    ("due_dates: {softmax: 2025-03-01}\n", "due_dates.softmax: no such exercise in this course"),
    ("due_dates: {count-vowels: soon}\n", "due_dates.count-vowels: expected a date like 2025-03-31"),
])
def test_bad_late_settings_name_the_file_line_and_field(tmp_path, policy, says):
    course = make_course(tmp_path / "course", policy)
    outcome = learn_in_process("list", "--course", course, "--workspace", tmp_path / "ws")
    assert outcome.exit_code == 2 and "exercises/course.yaml:" in outcome.output and says in outcome.output, \
        outcome.output


def test_bad_submission_times_stop_grade_all_before_grading(tmp_path):
    course = make_course(tmp_path / "course")
    submissions = make_class(tmp_path / "subs")
    for times, says in (("folder,when\n", "times.csv:1: no column 'submitted_at'"),
                        ("folder,submitted_at\nontime,last tuesday\n", "times.csv:2: submitted_at: expected an ISO 8601"),
                        ("folder,submitted_at,exercise\nontime,2025-03-01,softmax\n",
                         "times.csv:2: exercise: no exercise 'softmax'")):
        (tmp_path / "times.csv").write_text(times)
        outcome = learn_in_process("grade-all", submissions, "--out", tmp_path / "r", "--course", course,
                                   "--submitted-at", tmp_path / "times.csv")
        assert outcome.exit_code == 2 and says in outcome.output, outcome.output
        assert not (tmp_path / "r").exists()
    outcome = learn_in_process("grade-all", submissions, "--out", tmp_path / "r", "--course", EXAMPLE_COURSE,
                               "--submitted-at", "git")
    assert outcome.exit_code == 2 and "the course sets no late_policy" in outcome.output



def test_submitted_at_git_without_git_stops_before_grading(tmp_path, monkeypatch):
    """Without git every clone read as broken: nobody was adjusted and each row blamed its clone
    (a reviewer's finding). grade-all now stops before grading and says what is missing."""
    course = make_course(tmp_path / "course")
    submissions = make_class(tmp_path / "subs")
    (tmp_path / "bin").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    outcome = learn_in_process("grade-all", submissions, "--out", tmp_path / "r", "--course", course,
                               "--submitted-at", "git")
    assert outcome.exit_code == 2 and "git is not installed on this machine" in outcome.output, outcome.output
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("times, says", [
    ("folder,submitted_at\nontime,2025-03-14\nontime,2025-03-25\n", "times.csv:3: folder 'ontime' is already on line 2"),
    ("folder,submitted_at,exercise\nontime,2025-03-14,count-vowels\nontime,2025-03-10,\nontime,2025-03-25,count-vowels\n",
     "times.csv:4: folder 'ontime', exercise 'count-vowels', is already on line 2"),
])
def test_a_folder_given_twice_in_the_times_file_stops_grade_all(tmp_path, times, says):
    """The last row used to win silently. Every shard reads the whole file, so each one stops,
    whether it grades that student or not."""
    course = make_course(tmp_path / "course")
    submissions = make_class(tmp_path / "subs")
    (tmp_path / "times.csv").write_text(times)
    for shard in ((), ("--shard", "1/2"), ("--shard", "2/2")):
        outcome = learn_in_process("grade-all", submissions, "--out", tmp_path / "r", "--course", course,
                                   "--submitted-at", tmp_path / "times.csv", *shard)
        assert outcome.exit_code == 2 and says in outcome.output, outcome.output
        assert not (tmp_path / "r").exists()


def test_a_times_file_with_semicolons_says_how_to_save_it(tmp_path):
    """Excel's "CSV" in many locales separates with ';': the header read as one column 'folder;submitted_at'."""
    course = make_course(tmp_path / "course")
    submissions = make_class(tmp_path / "subs")
    (tmp_path / "times.csv").write_text("folder;submitted_at\nontime;2025-03-09\n")
    outcome = learn_in_process("grade-all", submissions, "--out", tmp_path / "r", "--course", course,
                               "--submitted-at", tmp_path / "times.csv")
    assert outcome.exit_code == 2, outcome.output
    assert ("times.csv:1: no column 'folder' (expected folder,submitted_at[,exercise]); the file seems to use ';' "
            "between columns: save it as comma-separated") in outcome.output
    assert not (tmp_path / "r").exists()


def test_a_times_folder_missing_from_the_submissions_is_warned_about(tmp_path):
    """A misspelt folder lost that student's time without a word. Only a folder absent from
    SUBMISSIONS is unknown: a shard does not grade the others, but they are not misspelt."""
    course = make_course(tmp_path / "course")
    submissions = make_class(tmp_path / "subs")
    (tmp_path / "times.csv").write_text(TIMES + "untmed,2025-03-09\n")   # line 7: 'untimed' misspelt
    proc = grade_all(submissions, "--out", tmp_path / "r", "--course", course, "--shard", "2/2",
                     "--submitted-at", tmp_path / "times.csv")
    assert list(rows(tmp_path / "r")) == ["untimed"]   # the file's other four are another shard's
    warning = [line for line in proc.stderr.splitlines() if "no such folder in the submissions folder" in line]
    assert len(warning) == 1 and warning[0].startswith("Warning: ") and "times.csv" in warning[0], proc.stderr
    assert warning[0].endswith("(a misspelt name?): 'untmed' (line 7)"), warning[0]


def test_only_work_handed_in_is_called_late(tmp_path):
    """A folder-wide time covers every exercise, but a student who never wrote reverse-words was
    told "reverse-words: 2 days late, kept 80%" of a 0 (an instructor's review). Only work handed
    in is late: the late column, days_late and submitted leave the missing exercise out."""
    course = make_course(tmp_path / "course")
    subs = tmp_path / "subs"
    (subs / "vera" / "count-vowels").mkdir(parents=True)
    (subs / "vera" / "count-vowels" / "vowels.py").write_text(VOWELS)
    times = tmp_path / "times.csv"
    times.write_text("folder,submitted_at\nvera,2025-03-12T10:00:00Z\n")  # reverse-words' date passed: 2 days
    grade_all(subs, "--out", tmp_path / "out", "--course", course, "--submitted-at", times)
    vera = rows(tmp_path / "out")["vera"]
    assert vera["late"] == "" and vera["days_late"] == "0", vera
    assert vera["adjusted_total"] == vera["raw_total"] == "10"  # count-vowels on time: all its points
