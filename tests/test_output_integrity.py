"""Reports are written only by the grader, atomically, into the output folder: a symlink, a
file or a read-only file planted where a report goes is replaced, never followed, and a folder
planted there is reported for that student only."""
from __future__ import annotations

import csv
import os
import stat
from pathlib import Path

from conftest import EXAMPLE_COURSE, write_student

CORRECT = "def reverse_words(text):\n    return ' '.join(text.split()[::-1])\n"


def test_planted_paths_in_the_results_folder(learn, tmp_path):
    submissions, results, victim = tmp_path / "subs", tmp_path / "results", tmp_path / "victim"
    for student in ("alice", "bob", "carol", "dave"):
        write_student(submissions / student, "reverse-words", "words.py", CORRECT)
    victim.mkdir()
    (victim / "precious.txt").write_text("keep me")
    results.mkdir()
    (results / "alice").symlink_to(victim, target_is_directory=True)        # a folder link
    (results / "bob").mkdir()
    (results / "bob" / "report.html").symlink_to(victim / "precious.txt")   # a file link
    (results / "carol").mkdir()
    readonly = results / "carol" / "results.json"
    readonly.write_text("{}")
    readonly.chmod(stat.S_IRUSR)                                             # a read-only file
    (results / "dave").mkdir()
    (results / "dave" / "report.md").mkdir()                                 # a folder in the way

    run = learn("grade-all", str(submissions), "--out", str(results), "--course", str(EXAMPLE_COURSE),
                "--jobs", "1")
    assert "Traceback" not in run.stderr

    assert sorted(p.name for p in victim.iterdir()) == ["precious.txt"]
    assert (victim / "precious.txt").read_text() == "keep me"
    assert not (results / "alice").is_symlink() and (results / "alice" / "results.json").is_file()
    assert not (results / "bob" / "report.html").is_symlink()
    assert "<html" in (results / "bob" / "report.html").read_text()
    assert '"schema"' in readonly.read_text()
    with open(results / "gradebook.csv", newline="") as handle:
        book = {row["student"]: row for row in csv.DictReader(handle)}
    assert book["alice"]["reverse-words"] == book["bob"]["reverse-words"] == book["carol"]["reverse-words"] == "10"
    assert "directory" in book["dave"]["reason"]


def test_grade_output_replaces_a_planted_symlink(learn, workspace, tmp_path):
    write_student(workspace, "reverse-words", "words.py", CORRECT)
    target = tmp_path / "elsewhere.txt"
    target.write_text("untouched")
    link = tmp_path / "report.json"
    link.symlink_to(target)
    run = learn("grade", "reverse-words", "--workspace", str(workspace), "--course", str(EXAMPLE_COURSE),
                "--format", "json", "--output", str(link))
    assert run.code == 0, run.stderr
    assert target.read_text() == "untouched"
    assert not link.is_symlink() and '"score": 10' in link.read_text()
    assert os.stat(link).st_mode & 0o777 == 0o644


def test_compiled_templates_are_cached_only_in_a_private_folder(learn, workspace, tmp_path):
    """The cache holds code the grader runs: a folder others can write to is never used."""
    write_student(workspace, "reverse-words", "words.py", CORRECT)
    private, shared = tmp_path / "private", tmp_path / "shared"
    (shared / "learn").mkdir(parents=True)
    (shared / "learn").chmod(0o777)
    for home in (private, shared):
        run = learn("grade", "reverse-words", "--workspace", str(workspace), "--course", str(EXAMPLE_COURSE),
                    "--seed", "5", env={"XDG_CACHE_HOME": str(home)})
        assert run.code == 0, run.stderr
    cached = list((private / "learn").glob("template-*.cache"))
    assert cached and stat.S_IMODE((private / "learn").stat().st_mode) == 0o700
    assert list((shared / "learn").iterdir()) == []
    # A run from the cache renders what a run that compiled the templates did.
    again = learn("grade", "reverse-words", "--workspace", str(workspace), "--course", str(EXAMPLE_COURSE),
                  "--seed", "5", env={"XDG_CACHE_HOME": str(private)})
    assert again.stdout == run.stdout and "reverse-words" in again.stdout


def test_json_text_writes_what_the_full_walk_writes():
    """grader.reports.text.json_document skips json_ready's walk when the C encoder's text shows
    nothing it would change; whatever the content, the JSON is the walk's, byte for byte, and the
    value it returns is what that JSON holds."""
    import json
    import math

    from grader.reports.text import json_document, json_ready
    samples = [
        {"a": 1.5, "b": [1, 2.0, "plain √ text\nwith a newline\tand a tab"], "c": None},
        {"nan": math.nan, "inf": [math.inf, -math.inf], "ok": 1e308},
        {"escape": "red \x1b[31mtext\x1b[0m", "nul": "a\x00b", "cr": "line\r\n", "bell": "\x07"},
        {"surrogate": "bad \udce9 byte", "c1": "\x85\x9b", "bom": "\ufffe"},
        {"backslash-u": "\\u0041 typed by hand", "word": "NaN is a word here", "b": "\x08\x0c"},
        {"key\x1b": "value", "nested": [{"deep": [[math.nan]]}]},
    ]
    for sample in samples:
        expected = json.dumps(json_ready(sample), allow_nan=False, default=str)
        text, value = json_document(sample)
        assert text == expected and json.loads(text) == value, sample
        indented = json.dumps(json_ready(sample), indent=2, allow_nan=False, default=str)
        assert json_document(sample, indent=2)[0] == indented


def test_a_huge_returned_array_draws_a_picture_of_bounded_size(learn, tmp_path):
    """A picture draws one shape per value, and the student decides how many values there are:
    7.8 million singular values made a 1 GB report.html, an 85 MB results.json and 13 GB of the
    grader's memory (found by an attacker's review). A picture draws the first values only, and
    says so."""
    from conftest import REPO
    ws = tmp_path / "ws"
    write_student(ws, "eigenspectrum", "spectrum.py", (
        "import numpy as np\n"
        "def eigenspectrum(W):\n    return np.zeros(300_000, dtype=complex)\n"
        "def spectral_radius(W):\n    return 0.0\n"
        "def singular_values(W):\n    return np.arange(300_000, dtype=float)\n"
        "def condition_number(W):\n    return 0.0\n"))
    out = tmp_path / "out"
    for fmt in ("html", "markdown", "json"):
        run = learn("grade", "eigenspectrum", "--workspace", str(ws), "--course", str(REPO), "--seed", "1",
                    "--format", fmt, "--output", str(out / fmt))
        assert run.code == 1, run.stderr
    sizes = {fmt: (out / fmt).stat().st_size for fmt in ("html", "markdown", "json")}
    assert all(size < 1_000_000 for size in sizes.values()), sizes
    assert "only the first 1,029 of 300,005 values are drawn" in (out / "html").read_text()
    terminal = learn("grade", "eigenspectrum", "--workspace", str(ws), "--course", str(REPO), "--seed", "1")
    assert len(terminal.stdout) < 200_000
