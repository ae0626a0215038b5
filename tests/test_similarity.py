"""`learn similarity` and the similarity section of the class summary, through the real CLI.

The test class (tests/similarity_class.py) holds four independent implementations of each of
two exercises, in different styles, and disguised copies of some of them: every copy pair must
be flagged and no independent pair, which is the precision the documentation quotes.
"""
from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import similarity_class
from classroom_fixtures import REPO, make_course
from conftest import EXAMPLE_COURSE, learn_in_process


def write_class(root: Path, students: dict[str, dict[str, str]], files: dict[str, str]) -> Path:
    for student, exercises in students.items():
        for exercise, source in exercises.items():
            path = root / student / exercise / files[exercise]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(source)
    return root


@pytest.fixture(scope="module")
def test_class(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    root = tmp_path_factory.mktemp("similarity")
    course = make_course(root / "course")
    students, copies = similarity_class.build()
    return course, write_class(root / "submissions", students, similarity_class.FILES), copies


def similarity(submissions: Path, out: Path, course: Path) -> dict:
    outcome = learn_in_process("similarity", submissions, "--out", out, "--course", course)
    assert outcome.exit_code == 0, outcome.output
    return json.loads((out / "pairs.json").read_text())


def grade_all(submissions: Path, out: Path, course: Path) -> None:
    """The real `learn grade-all`, in its own process (its grading processes fork from it)."""
    proc = subprocess.run([sys.executable, "-m", "grader", "grade-all", str(submissions), "--out", str(out),
                           "--course", str(course), "--jobs", "2"], cwd=REPO, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr


def test_every_disguised_copy_is_found_and_no_independent_pair_is_flagged(test_class, tmp_path):
    course, submissions, copies = test_class
    data = similarity(submissions, tmp_path / "out", course)
    flagged = {(p["exercise"], frozenset((p["a"], p["b"]))) for p in data["pairs"] if p["flagged"]}
    expected = {(exercise, pair) for exercise, pairs in copies.items() for pair in pairs}
    assert flagged == expected
    assert len(expected) == 10
    # The copied work and its two copies form one cluster of three; every other copy a pair.
    clusters = {e["id"]: e["clusters"] for e in data["exercises"]}
    for exercise, found in clusters.items():
        assert sorted(map(len, found)) == [2, 2, 3], found
    # Independent implementations are not even close: nothing between them is listed.
    assert len(data["pairs"]) == 10   # no other pair even scores enough to be listed


def test_the_table_and_the_pair_pages(test_class, tmp_path):
    course, submissions, _copies = test_class
    hostile = tmp_path / "submissions"
    students, _ = similarity_class.build()
    hostile_name = '=HYPERLINK("x")<script>'
    students[hostile_name] = {"softmax": students["author-1-0"]["softmax"] + "# </td><script>alert(1)</script>\n"}
    write_class(hostile, students, similarity_class.FILES)
    # A named pipe where a file should be must be reported, not read (a read would block forever),
    # and a link is not followed.
    (hostile / "piped" / "softmax").mkdir(parents=True)
    os.mkfifo(hostile / "piped" / "softmax" / "softmax.py")
    (hostile / "piped" / "softmax" / "helper.py").write_text("HELPER = 1\n")  # so the folder is a student's
    (hostile / "linked" / "softmax").mkdir(parents=True)
    (hostile / "linked" / "softmax" / "softmax.py").symlink_to(course / "solutions" / "softmax" / "softmax.py")
    # A linked exercise folder, to an honest student's: she must not be flagged as a copy of it
    # (and one to the reference's folder would put the reference in a pair page).
    (hostile / "folder-linked").mkdir()
    (hostile / "folder-linked" / "notes.py").write_text("NOTES = 1\n")  # so the folder is a student's
    (hostile / "folder-linked" / "softmax").symlink_to(hostile / "author-1-0" / "softmax")
    out = tmp_path / "out"
    data = similarity(hostile, out, course)
    skipped = dict(next(e for e in data["exercises"] if e["id"] == "softmax")["skipped"])
    assert skipped == {"piped": "not a regular file", "linked": "a symbolic link, not compared",
                       "folder-linked": "in a linked folder (softmax), not compared"}
    assert [p for p in data["pairs"] if "author-1-0" in (p["a"], p["b"])]  # she is listed with her real partner
    assert not [p for p in data["pairs"] if "folder-linked" in (p["a"], p["b"])]
    with open(out / "pairs.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["rank", "exercise", "student_a", "student_b", "score", "shared_fingerprints",
                             "flagged", "page"]
    assert [int(r["rank"]) for r in rows] == list(range(1, len(rows) + 1))
    assert [float(r["score"]) for r in rows] == sorted((float(r["score"]) for r in rows), reverse=True)
    cells = [c for r in rows for c in (r["student_a"], r["student_b"])]
    assert "'" + hostile_name in cells and hostile_name not in cells   # never a live formula
    row = next(r for r in rows if "'" + hostile_name in (r["student_a"], r["student_b"]))
    page = (out / row["page"]).read_text()
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert page.count('class="m0"') >= 2          # the first matching region, in both files
    # Side by side: each student's own lines, numbered, the matched ones marked with their region.
    assert '<td class="n">1</td><td class="r">' in page
    index = (out / "index.html").read_text()
    assert "<script>" not in index and f'href="{row["page"]}"' in index
    assert data["schema"] == "learn.similarity/1"


def test_code_every_student_writes_alike_and_the_stub_are_not_flagged(tmp_path):
    """Twelve students, one obvious line each: shared by everyone, it weighs nothing. The stub's
    docstrings and signatures are the same in every file too; an untouched stub is not compared."""
    one_liner = 'def reverse_words(text):\n    """The words of TEXT in reverse order, joined by single spaces."""\n' \
                '    return " ".join(text.split()[::-1])\n'
    stub = (EXAMPLE_COURSE / "exercises" / "01-strings" / "reverse-words" / "words.py").read_text()
    students = {f"s{i:02d}": {"reverse-words": one_liner} for i in range(12)}
    students |= {f"t{i}": {"reverse-words": stub} for i in range(3)}
    submissions = write_class(tmp_path / "subs", students, {"reverse-words": "words.py"})
    data = similarity(submissions, tmp_path / "out", EXAMPLE_COURSE)
    assert data["pairs"] == []
    assert {e["id"]: e["submissions"] for e in data["exercises"]}["reverse-words"] == 12


COMMON_LOOP = """def reverse_words(text):
    words = []
    current = ""
    for ch in text:
        if ch.isspace():
            if current:
                words.append(current)
            current = ""
        else:
            current += ch
    if current:
        words.append(current)
    result = []
    while words:
        result.append(words.pop())
    return " ".join(result)
"""


def test_a_solution_many_students_share_is_an_idiom_not_a_ring(tmp_path):
    """Eleven students hand in the same 16-line loop (more than 10 of them: MOSS's -m), two share a
    rarer one: only the two are flagged."""
    rare = ("def reverse_words(text):\n    pieces = text.replace('\\t', ' ').split(' ')\n"
            "    kept = [p for p in pieces if p]\n    n = len(kept)\n    out = [None] * n\n"
            "    for i in range(n):\n        out[n - 1 - i] = kept[i].strip()\n"
            "    joined = ''\n    for i, w in enumerate(out):\n        joined += (' ' if i else '') + w\n"
            "    return joined\n")
    students = {f"s{i:02d}": {"reverse-words": COMMON_LOOP} for i in range(11)}
    students |= {"pair-a": {"reverse-words": rare.replace("kept", "good")}, "pair-b": {"reverse-words": rare}}
    data = similarity(write_class(tmp_path / "subs", students, {"reverse-words": "words.py"}), tmp_path / "out",
                      EXAMPLE_COURSE)
    assert [(p["a"], p["b"], p["flagged"]) for p in data["pairs"]] == [("pair-a", "pair-b", True)]


def test_two_submissions_cannot_be_weighed_and_the_command_says_so(tmp_path):
    """With two submissions everything they share is in all of them: rarity weighs it 0, so even a
    byte-identical pair cannot be flagged. A new user read "0 flagged pair(s)" as "no copying";
    the command now says why nothing could be flagged. A third student makes the copy rare."""
    subs = write_class(tmp_path / "subs", {"ann": {"reverse-words": COMMON_LOOP}, "bob": {"reverse-words": COMMON_LOOP}},
                       {"reverse-words": "words.py"})
    two = learn_in_process("similarity", subs, "--out", tmp_path / "two", "--course", EXAMPLE_COURSE)
    assert two.exit_code == 0
    assert "Only 2 submissions of reverse-words" in two.output and "0 flagged pair(s)" in two.output
    write_class(subs, {"cy": {"reverse-words": "def reverse_words(text):\n    return ' '.join(text.split()[::-1])\n"}},
                {"reverse-words": "words.py"})
    three = learn_in_process("similarity", subs, "--out", tmp_path / "three", "--course", EXAMPLE_COURSE)
    assert "Only 2 submissions" not in three.output and "1 flagged pair(s)" in three.output


def test_usage_errors_are_clear(tmp_path):
    (tmp_path / "subs").mkdir()
    outcome = learn_in_process("similarity", tmp_path / "subs", "--course", EXAMPLE_COURSE)
    assert outcome.exit_code == 2 and "pass --out DIR" in outcome.output


@pytest.mark.slow
def test_grade_all_adds_a_similarity_section_and_the_results_folder_knows_its_class(test_class, tmp_path):
    course, submissions, _copies = test_class
    results = tmp_path / "results"
    grade_all(submissions, results, course)
    summary = (results / "summary.md").read_text()
    assert "### Similar submissions" in summary and "10 pairs of submissions share unusual code" in summary
    assert "`similarity/pairs/0001.html`" in summary
    assert 'href="similarity/pairs/0001.html"' in (results / "summary.html").read_text()
    first = json.loads((results / "similarity" / "pairs.json").read_text())
    # `learn similarity RESULTS` finds the submissions through run.json and writes beside them.
    (results / "similarity" / "pairs.json").unlink()
    outcome = learn_in_process("similarity", results, "--course", course)
    assert outcome.exit_code == 0 and "10 flagged pair(s)" in outcome.output, outcome.output
    assert json.loads((results / "similarity" / "pairs.json").read_text()) == first


def test_flagged_students_names_cannot_write_markdown_into_the_summary(tmp_path):
    """Two colluding students named their folders with Markdown and HTML: the flagged pair's row of
    summary.md (also the GitHub job summary) printed them raw, a link, an image and a <details> that
    hid the rest. Names are code spans there, as in every other section (found by an attacker's review)."""
    course = make_course(tmp_path / "course")
    dot = (course / "solutions" / "dot-product" / "similarity.py").read_text()
    copied = dot.replace("    return np.sum(q * k)\n", "    total = 0.0\n    for a, b in zip(q, k):\n"
                         "        total += a * b\n    if total != total:\n        raise ValueError('nan')\n"
                         "    return total\n", 1)
    assert copied != dot
    names = ["[CLICK](https:\\\\evil.example) <img src=x onerror=alert(1)> **b** <details>", "=cmd <b>B"]
    subs = write_class(tmp_path / "subs", {names[0]: {"dot-product": copied}, names[1]: {"dot-product": copied},
                                           "honest": {"dot-product": dot}, "other": {"dot-product": dot.replace(
                                               "np.sum(q * k)", "float((q * k).sum())")}},
                       {"dot-product": "similarity.py"})
    results = tmp_path / "results"
    grade_all(subs, results, course)
    summary = (results / "summary.md").read_text()
    section = summary.split("### Similar submissions", 1)[1]
    (row,) = [line for line in section.splitlines() if "similarity/pairs/" in line]
    assert f"`{names[0]}`" in row and f"`{names[1]}`" in row, row
    outside = re.sub(r"`[^`]*`", "", summary)  # what Markdown renders as markup, not as code
    assert "<img" not in outside and "](https:" not in outside
    assert outside.count("<details>") == outside.count("<details><summary>")  # the summary's own, not a name's


def stdlib_normalize(source: str) -> list[tuple[str, int]]:
    """The same normalization written on the standard library's tokenize, as the reference for
    learn's own (faster) tokenizer."""
    import io
    import token as tok
    import tokenize
    from grader.classroom.similarity.tokens import KEEP
    out: list[tuple[str, int]] = []
    statement = 0
    for t in tokenize.generate_tokens(io.StringIO(source).readline):
        if t.type in (tok.COMMENT, tok.NL, tok.ENCODING, tok.ENDMARKER):
            continue
        if t.type == tok.NEWLINE:
            if all(text == "S" for text, _ in out[statement:]):
                del out[statement:]
            else:
                out.append((";", t.start[0]))
            statement = len(out)
            continue
        if t.type in (tok.INDENT, tok.DEDENT):
            out.append(("{" if t.type == tok.INDENT else "}", t.start[0]))
            statement = len(out)
            continue
        text = {tok.STRING: "S", tok.NUMBER: "N"}.get(t.type, t.string)
        if t.type == tok.NAME and t.string not in KEEP and not (out and out[-1][0] == "."):
            text = "V"
        out.append((text, t.start[0]))
    return out


def test_the_tokenizer_agrees_with_pythons_on_every_file_of_the_course_and_the_grader():
    from grader.classroom.similarity.tokens import normalize
    files = [*(REPO / "solutions").rglob("*.py"), *(REPO / "exercises").rglob("*.py"), *(REPO / "grader").rglob("*.py")]
    assert len(files) > 100
    for path in files:
        source = path.read_text(encoding="utf-8")
        assert normalize(source)[0] == stdlib_normalize(source), path


@pytest.mark.parametrize("bomb", ["'" + "\\'" * 126_000, '"""x' + '\\"' * 126_000], ids=["open-quotes", "escaped-in-triple"])
def test_a_file_of_unclosed_quotes_is_tokenized_in_linear_time(tmp_path, bomb):
    """An attacker's 250 KB line of \\' (just under the 256 kB a file may have) rescanned the rest of
    the line from every quote: `learn grade-all` graded the class in 0.1 s, then spent 6 min 39 s
    comparing before it wrote any gradebook (a CI timeout would have left none). A string left
    open now ends at its line's end. Deadline, not a timing: the old tokenizer needs minutes."""
    assert len(bomb.encode()) < 256_000
    honest = COMMON_LOOP.replace("result", "reversed_words")
    other = "def reverse_words(text):\n    return ' '.join(text.split()[::-1])\n"
    subs = write_class(tmp_path / "subs", {"bomb": {"reverse-words": bomb}, "ann": {"reverse-words": honest},
                                           "bob": {"reverse-words": honest}, "cy": {"reverse-words": other}},
                       {"reverse-words": "words.py"})
    run = subprocess.run([sys.executable, "-m", "grader", "similarity", str(subs), "--out", str(tmp_path / "out"),
                          "--course", str(EXAMPLE_COURSE)], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(REPO)})
    assert run.returncode == 0, run.stderr
    assert "1 flagged pair(s)" in run.stdout


def test_a_class_compared_against_another_course_is_an_error_not_zero_pairs(test_class, tmp_path):
    """Without --course the built-in course was used for a class of another course: nothing was
    compared and "0 flagged pair(s)" read as "nobody copied" (an instructor's review)."""
    _course, submissions, _copies = test_class
    outcome = learn_in_process("similarity", submissions, "--out", tmp_path / "out", "--course", EXAMPLE_COURSE)
    assert outcome.exit_code == 2, outcome.output
    assert "holds a file of the course" in outcome.output and "pass the course they worked on" in outcome.output
    assert not (tmp_path / "out").exists()
