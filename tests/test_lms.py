"""`learn gradebook export --lms canvas|moodle|blackboard`: the import file each system documents,
from a real graded class and a roster, checked against each format's header and quoting rules
(docs/instructors.md, "Grades into your LMS")."""
from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLE_COURSE, REPO, learn_in_process

WORDS = {"right": "def reverse_words(text):\n    return ' '.join(text.split()[::-1])\n",
         "wrong": "def reverse_words(text):\n    return text[::-1]\n"}
VOWELS = "def count_vowels(text):\n    return sum(c in 'aeiou' for c in text.lower())\n"
ROSTER = ("folder,name,id,sis_user_id,sis_login_id,section,email,username,idnumber,last_name,first_name\n"
          'ada,"Lovelace, Ada ""the first""",4021,S1815,ada,Section 1,Ada@Uni.example,ada,1815,Lovelace,Ada\n'
          "alan,Alan Turing,4022,S1912,alan,Section 2,alan@uni.example,aturing,1912,Turing,Alan\n"
          "grace,Grace Hopper,4023,S1906,grace,Section 1,grace@uni.example,ghopper,1906,Hopper,Grace\n")


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """ada: 20/20; alan: reverse-words wrong, count-vowels right; edsger is graded but not in the
    roster; grace is in the roster but handed in nothing."""
    root = tmp_path_factory.mktemp("lms")
    for student, words, vowels in (("ada", "right", True), ("alan", "wrong", True), ("edsger", "right", False)):
        (root / "subs" / student / "reverse-words").mkdir(parents=True)
        (root / "subs" / student / "reverse-words" / "words.py").write_text(WORDS[words])
        if vowels:
            (root / "subs" / student / "count-vowels").mkdir()
            (root / "subs" / student / "count-vowels" / "vowels.py").write_text(VOWELS)
    proc = subprocess.run([sys.executable, "-m", "grader", "grade-all", str(root / "subs"), "--out", str(root / "results"),
                           "--course", str(EXAMPLE_COURSE), "--jobs", "1"], cwd=REPO, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    (root / "roster.csv").write_text(ROSTER)
    return root


def export(results: Path, lms: str, *extra: str, roster: str = "roster.csv") -> tuple[int, str, bytes]:
    out = results / f"{lms}.csv"
    outcome = learn_in_process("gradebook", "export", results / "results", "--lms", lms, "--roster",
                               results / roster, "--out", out, "--assignment", "Strings", *extra)
    return outcome.exit_code, outcome.output, out.read_bytes() if out.exists() else b""


def table(raw: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))


def alan_score(results: Path) -> str:
    with open(results / "results" / "gradebook.csv", newline="", encoding="utf-8") as handle:
        return next(r["total"] for r in csv.DictReader(handle) if r["student"] == "alan")


def test_canvas_gradebook_import(results):
    code, output, raw = export(results, "canvas", "--assignment-id", "98765")
    rows = table(raw)
    # Identity columns, then "Name (assignment id)"; the second row holds the points possible.
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Strings (98765)"]
    assert rows[1] == ["Points Possible", "", "", "", "", "20"]
    assert rows[2:] == [['Lovelace, Ada "the first"', "4021", "S1815", "ada", "Section 1", "20"],
                        ["Alan Turing", "4022", "S1912", "alan", "Section 2", alan_score(results)],
                        ["Grace Hopper", "4023", "S1906", "grace", "Section 1", ""]]
    assert 0 < float(alan_score(results)) < 20
    # RFC 4180: CRLF line ends; a cell with a comma or a quote is quoted, its quotes doubled.
    text = raw.decode("utf-8")
    assert text.count("\r\n") == 5 and "\n" not in text.replace("\r\n", "")
    assert '"Lovelace, Ada ""the first"""' in text and ',4022,' in text
    # Nobody is dropped silently: edsger (no roster row) and grace (no results) are named, exit 1.
    assert code == 1
    assert "not in the roster, not exported: 'edsger'" in output
    assert "in the roster but not in the results, exported without a grade: 'grace'" in output


def test_canvas_without_an_assignment_id_names_a_new_assignment(results):
    _code, _output, raw = export(results, "canvas")
    assert table(raw)[0][-1] == "Strings"


@pytest.mark.parametrize("moodle_id, header, ada", [("email", "Email address", "Ada@Uni.example"),
                                                   ("username", "Username", "ada"), ("idnumber", "ID number", "1815")])
def test_moodle_grade_import(results, moodle_id, header, ada):
    code, _output, raw = export(results, "moodle", "--moodle-id", moodle_id)
    rows = table(raw)
    assert rows[0] == [header, "Strings"]          # mapped on import: identifier -> user field, grade -> item
    assert rows[1] == [ada, "20"] and rows[3][1] == "" and len(rows) == 4
    assert code == 1


def test_blackboard_offline_grade_upload(results):
    code, _output, raw = export(results, "blackboard", "--assignment-id", "_1234_1")
    text = raw.decode("utf-8")
    lines = text.split("\r\n")
    # Comma-delimited: every value inside double quotes, numbers and empty grades included.
    assert lines[0] == '"Last Name","First Name","Username","Strings [Total Pts: 20 Score] |_1234_1"'
    assert lines[1] == '"Lovelace","Ada","ada","20"'
    assert lines[3] == '"Hopper","Grace","ghopper",""'
    assert all(cell.startswith('"') and cell.endswith('"') for line in lines if line for cell in line.split(","))
    assert code == 1
    _code, _output, raw = export(results, "blackboard")   # no column id: Blackboard creates the column
    assert raw.decode().startswith('"Last Name","First Name","Username","Strings"\r\n')


def test_a_complete_roster_exits_zero(results):
    (results / "full.csv").write_text(ROSTER.rsplit("\n", 2)[0] + "\n" +
                                      "edsger,Edsger Dijkstra,4024,S1930,edsger,Section 2,e@uni.example,ewd,1930,Dijkstra,Edsger\n")
    code, output, raw = export(results, "blackboard", roster="full.csv")
    assert code == 0, output
    assert '"Dijkstra","Edsger","ewd"' in raw.decode()


@pytest.mark.parametrize("roster, says", [
    ("name,username\nAda,ada\n", "roster.csv:1: the roster has no column 'folder'"),
    ("folder,name\nada,Ada\n", "roster.csv:1: the roster has no column 'username'"),
    ("folder,username\nada,ada\nalan,\n", "roster.csv:3: username: empty"),
    ("folder,username\nada,ada\nada,ada2\n", "roster.csv:3: folder 'ada' is already on line 2"),
    ("folder,username\nada,ada\nalan,ada\n", "roster.csv:3: username 'ada' is already on line 2 (folder 'ada')"),
    ("folder,username\nada,ada,extra\n", "roster.csv:2: more cells than the header has columns"),
])
def test_roster_errors_name_the_file_line_and_column(results, tmp_path, roster, says):
    (tmp_path / "roster.csv").write_text(roster)
    outcome = learn_in_process("gradebook", "export", results / "results", "--lms", "blackboard", "--roster",
                               tmp_path / "roster.csv", "--out", tmp_path / "out.csv", "--assignment", "Strings")
    assert outcome.exit_code == 2 and says in outcome.output, outcome.output
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize("lms, roster, says", [
    ("canvas", "folder,name,id\nada,Ada,1\nalan,B,1\n", "roster.csv:3: id '1' is already on line 2 (folder 'ada')"),
    # Canvas matches on any of its identities: a shared SIS login is one student too, whatever the IDs.
    ("canvas", "folder,id,sis_login_id\nada,1,ada\nalan,2,\ngrace,3,ada\n",
     "roster.csv:4: sis_login_id 'ada' is already on line 2 (folder 'ada')"),
    ("moodle", "folder,email\nada,ada@uni.example\nalan,Ada@Uni.example\n",
     "roster.csv:3: email 'Ada@Uni.example' is already on line 2 (folder 'ada')"),
])
def test_an_lms_identity_given_twice_is_an_error(results, tmp_path, lms, roster, says):
    """Two folders with one identity: the LMS gave both grades to one student (the last one won)."""
    (tmp_path / "roster.csv").write_text(roster)
    outcome = learn_in_process("gradebook", "export", results / "results", "--lms", lms, "--roster",
                               tmp_path / "roster.csv", "--out", tmp_path / "out.csv", "--assignment", "Strings")
    assert outcome.exit_code == 2 and says in outcome.output, outcome.output
    assert not (tmp_path / "out.csv").exists()
