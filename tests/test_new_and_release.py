"""`learn new`, `learn release`, grading in a student bundle, and visibility: through the real
CLI, on throwaway copies of the example course."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import learn_in_process as learn, write_student


# -- learn new ------------------------------------------------------------------------------

def fill_in(course: Path, module: str) -> None:
    """What an author does with a scaffold of `double-it`: replace every TODO."""
    yaml = course / f"exercises/{module}/double-it/exercise.yaml"
    text = yaml.read_text()
    text = re.sub(r"TODO ?:? ?", "", text).replace("todo-first-mistake", "squares")
    yaml.write_text(text)
    doc = '"""Return twice X."""'
    for path in (course / f"exercises/{module}/double-it/double_it.py", course / "solutions/double-it/double_it.py"):
        source = re.sub(r'"""TODO.*?"""', doc, path.read_text(), flags=re.S)
        path.write_text(source)
    reference = course / "solutions/double-it/double_it.py"
    reference.write_text(re.sub(r"raise NotImplementedError\(.*\)", "return 2 * x", reference.read_text()))
    mistakes = course / "solutions/double-it/mistakes.py"
    mistakes.write_text(mistakes.read_text().replace("todo-first-mistake", "squares")
                        .replace('raise NotImplementedError("TODO: write the mistake")', "return x * x"))
    tests = course / "solutions/double-it/test_double_it.py"
    tests.write_text(tests.read_text().replace('"""TODO: ', '"""'))


def test_new_scaffolds_an_exercise_that_fails_validation_until_filled_in(course):
    made = learn("new", "double-it", "--module", "02-numbers", "--course", course)
    assert made.exit_code == 0, made.output
    for path in ("exercises/02-numbers/double-it/exercise.yaml", "exercises/02-numbers/double-it/double_it.py",
                 "solutions/double-it/double_it.py", "solutions/double-it/test_double_it.py",
                 "solutions/double-it/mistakes.py"):
        assert (course / path).is_file(), path
    assert "exercises: [reverse-words, count-vowels, double-it]" in (course / "exercises/course.yaml").read_text()
    listed = learn("list", "--course", course, "--workspace", course.parent / "ws")
    assert "double-it" in listed.output

    fresh = learn("validate", "double-it", "--course", course, "--jobs", "1")
    assert fresh.exit_code == 1, fresh.output
    assert "FAIL double-it" in fresh.output
    assert "the reference scores 0/10" in fresh.output
    assert "error: NotImplementedError: TODO: write the reference solution of double_it;" in fresh.output
    assert "still holds a TODO placeholder" in fresh.output

    fill_in(course, "02-numbers")
    done = learn("validate", "double-it", "--course", course, "--jobs", "1")
    assert done.exit_code == 0, done.output


def test_new_refuses_an_existing_or_malformed_id_and_keeps_block_lists(course):
    assert "already exists" in learn("new", "count-vowels", "--course", course).output
    bad = learn("new", "Count_Vowels", "--course", course)
    assert bad.exit_code == 2 and "not a valid exercise id" in bad.output
    index = course / "exercises/course.yaml"
    index.write_text("format_version: 1\ntitle: Strings\nexercises:\n  - reverse-words  # first\n"
                     "  - count-vowels\n# the end\n")
    assert learn("new", "shout", "--course", course).exit_code == 0
    assert index.read_text() == ("format_version: 1\ntitle: Strings\nexercises:\n  - reverse-words  # first\n"
                                 "  - count-vowels\n  - shout\n# the end\n")
    assert (course / "exercises/01-strings/shout/exercise.yaml").is_file()  # the last module by default


def snapshot(course: Path) -> dict[str, bytes | None]:
    """Every file and folder of COURSE with its bytes: what a failed command must leave as it was."""
    return {p.relative_to(course).as_posix(): p.read_bytes() if p.is_file() else None for p in course.rglob("*")}


@pytest.mark.parametrize("exercise_id, expected", [
    ("2d-norm", "'2d-norm' cannot name an exercise: its file and function would be 2d_norm.py and 2d_norm(), "
                "and a Python name cannot start with a digit; start the id with a letter, like norm-2d"),
    ("class", "its function would be class(), and that is a Python keyword"),
    ("mistakes", "its file mistakes.py would be taken for instructor material"),
    ("test-norm", "its file test_norm.py would be taken for instructor material"),
])
def test_new_refuses_an_id_that_names_no_usable_file_and_writes_nothing(course, tmp_path, exercise_id, expected):
    """The id rule accepted 2d-norm, the loader then refused 2d_norm.py: every later command failed."""
    before = snapshot(course)
    made = learn("new", exercise_id, "--module", "02-numbers", "--course", course)
    assert made.exit_code == 2, made.output
    assert expected in made.output and "Traceback" not in made.output
    assert snapshot(course) == before
    assert learn("list", "--course", course, "--workspace", tmp_path / "ws").exit_code == 0


def test_a_new_that_fails_after_writing_leaves_the_course_as_it_was(course, tmp_path):
    index = course / "exercises/course.yaml"
    # broken before `new` ran: the files and the course.yaml edit are made, then the reload fails
    index.write_text("format_version: 1\ntitle: Strings  # mine\nexercises: [reverse-words, count-vowels]\n"
                     "due_date: next friday\n")
    before = snapshot(course)
    made = learn("new", "shout", "--module", "03-new", "--course", course)
    assert made.exit_code == 2, made.output
    assert "exercises/course.yaml:4: due_date: expected a date" in made.output
    assert snapshot(course) == before  # no 03-new/, no solutions/shout/, course.yaml byte for byte
    index.write_text(index.read_text().replace("due_date: next friday\n", ""))
    assert learn("list", "--course", course, "--workspace", tmp_path / "ws").exit_code == 0
    # a list `new` cannot edit is refused before any file is written
    index.write_text("title: Strings\nexercises:  # in order\n  - reverse-words\n  - count-vowels\n")
    before = snapshot(course)
    refused = learn("new", "shout", "--course", course)
    assert refused.exit_code == 2 and "cannot find the `exercises:` list" in refused.output
    assert snapshot(course) == before
    assert learn("list", "--course", course, "--workspace", tmp_path / "ws").exit_code == 0
    assert learn("new", "shout", "--module", "03-new", "--course", course).exit_code == 2  # and again
    index.write_text("title: Strings\nexercises: [reverse-words, count-vowels]\n")
    assert learn("new", "shout", "--module", "03-new", "--course", course).exit_code == 0


def test_new_lands_beside_its_module_names_a_new_module_and_suggests_a_command_that_works(
        course, monkeypatch, tmp_path):
    index = course / "exercises/course.yaml"
    assert learn("new", "negate", "--module", "02-numbers", "--course", course).exit_code == 0  # a second module
    index.write_text("format_version: 1\ntitle: Strings\nexercises:\n  # strings\n  - reverse-words\n"
                     "  - count-vowels\n  # numbers\n  - negate\n")
    assert learn("list", "--course", course, "--workspace", tmp_path / "ws").exit_code == 0
    monkeypatch.chdir(course)  # an author inside the course folder, without --course
    made = learn("new", "shout", "--module", "01-strings")
    assert made.exit_code == 0, made.output
    assert "New module" not in made.output
    # students meet it with its module, not after the next module's exercises
    assert index.read_text() == ("format_version: 1\ntitle: Strings\nexercises:\n  # strings\n  - reverse-words\n"
                                 "  - count-vowels\n  - shout\n  # numbers\n  - negate\n")
    suggested = made.output.strip().splitlines()[-1]
    assert suggested == "Replace every TODO, then run: learn validate shout"  # validate finds the course it runs in
    run = learn(*suggested.split("run: learn ")[1].split())
    assert "FAIL shout" in run.output and "no exercise named" not in run.output
    # the scaffold's reference raises NotImplementedError: that is what is wrong, not a tolerance
    assert "NotImplementedError" in run.output and "units in the last place" not in run.output
    # A typo of an existing module is refused before anything is written (an author's review: it
    # made a module of its own, and said so only in passing); a new name is a new module.
    typo = learn("new", "double-it", "--module", "02-nmbers")
    assert typo.exit_code == 2 and "--module 02-nmbers: the course has no such module; did you mean 02-numbers?" \
        in typo.output
    assert not (course / "exercises" / "02-nmbers").exists() and "double-it" not in index.read_text()
    other = learn("new", "double-it", "--module", "03-vectors")
    assert other.exit_code == 0 and "New module 03-vectors: the course had 01-strings, 02-numbers" in other.output
    # The next of a numbered series is not a typo (an attacker's review: week-02 beside week-01 was refused).
    series = learn("new", "triple-it", "--module", "03-numbers")
    assert series.exit_code == 0 and "New module 03-numbers" in series.output, series.output


# -- learn release --------------------------------------------------------------------------

def test_release_writes_a_bundle_without_instructor_material(course, tmp_path):
    out = tmp_path / "bundle"
    run = learn("release", "--out", out, "--course", course)
    assert run.exit_code == 0, run.output
    assert "none found" in run.output
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert files == ["exercises/01-strings/count-vowels/exercise.yaml", "exercises/01-strings/count-vowels/vowels.py",
                     "exercises/01-strings/reverse-words/exercise.yaml", "exercises/01-strings/reverse-words/words.py",
                     "exercises/course.yaml"]
    # independently of the release's own check: no instructor file, nor any line of code of one
    bundle_text = "\n".join((out / f).read_text() for f in files)
    for secret in (course / "solutions").rglob("*.py"):
        for line in secret.read_text().splitlines():
            code = line.strip()
            if len(code) > 20 and not code.startswith(('"""', "def ", "import", "from")):
                assert code not in bundle_text, (secret, code)
    refused = learn("release", "--out", out, "--course", course)
    assert refused.exit_code == 2 and "not empty" in refused.output
    assert "no `examples:`" not in run.output  # both exercises have examples


def test_release_notes_an_exercise_whose_bundle_cannot_check_answers(course, tmp_path):
    """A new user's review: without `examples:` a bundle marks any answer ✓ 0/0 with exit 0."""
    yaml_file = course / "exercises/01-strings/count-vowels/exercise.yaml"
    text = yaml_file.read_text()
    yaml_file.write_text(text[:text.index("examples:")] + text[text.index("mistakes:"):])
    run = learn("release", "--out", tmp_path / "bundle", "--course", course)
    assert run.exit_code == 0, run.output
    assert ("Note: count-vowels has no `examples:`, so the bundle checks only the signatures and rules of a "
            "student's answer there, never its values") in run.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle", "course"]  # no staging folder left


@pytest.mark.parametrize("plant, expected", [
    (lambda c: shutil.copy(c / "solutions/count-vowels/vowels.py", c / "exercises/01-strings/count-vowels/vowels.py"),
     "exercises/01-strings/count-vowels/vowels.py: is a copy of solutions/count-vowels/vowels.py"),
    (lambda c: (c / "exercises/01-strings/reverse-words/mistakes.py").write_text("# examples\n"),
     "exercises/01-strings/reverse-words/mistakes.py: is named like instructor material"),
    (lambda c: (c / "exercises/01-strings/reverse-words/notes.md").write_text(
        "Notes\n" + (c / "solutions/reverse-words/mistakes.py").read_text()),
     "exercises/01-strings/reverse-words/notes.md: contains the whole file from solutions/reverse-words/mistakes.py"),
    (lambda c: (c / "exercises/01-strings/reverse-words/exercise.yaml").write_text(
        (c / "exercises/01-strings/reverse-words/exercise.yaml").read_text()
        + "# the answer:\n#     return \" \".join(text.split()[::-1])\n"),
     "exercises/01-strings/reverse-words/exercise.yaml: contains the body of reverse_words() from "
     "solutions/reverse-words/words.py"),
    (lambda c: (c / "exercises/01-strings/count-vowels/data.txt").write_text(
        'def case_sensitive(text):\n    return sum(c in "aeiou" for c in text)\n'),
     "exercises/01-strings/count-vowels/data.txt: contains the body of case_sensitive() from "
     "solutions/count-vowels/mistakes.py"),
])
def test_release_fails_loudly_on_a_leak(course, tmp_path, plant, expected):
    plant(course)
    run = learn("release", "--out", tmp_path / "dist/bundle", "--course", course)
    assert run.exit_code == 1, run.output
    assert "LEAK" in run.output and "No bundle was written" in run.output and "Wrote" not in run.output
    assert expected in run.output
    # the leaking bundle is not left where it could be handed out, nor its staging copy
    assert sorted(p.name for p in tmp_path.iterdir()) == ["course"]


def test_release_refuses_a_course_whose_texts_still_hold_learn_news_placeholders(course, tmp_path):
    """An author's review: an untouched `learn new` scaffold was released with exit 0, its TODOs
    in every student's instructions and stub. What students read must be finished first; a
    `# TODO` comment in a stub is for the student and does not count."""
    assert learn("new", "col-norms", "--course", course).exit_code == 0
    run = learn("release", "--out", tmp_path / "dist", "--course", course)
    assert run.exit_code == 1, run.output
    assert ("col-norms: TODO placeholders in instructions, hints[0], hints[1], hints[2], mistake "
            "'todo-first-mistake' message, title, the docstring of col_norms() in col_norms.py") in run.output
    assert "count-vowels" not in run.output and not (tmp_path / "dist").exists()
    stub = course / "exercises/01-strings/count-vowels/vowels.py"
    stub.write_text(stub.read_text() + "    # TODO: your code here\n")  # for the student: fine
    shutil.rmtree(course / "exercises" / "01-strings" / "col-norms")
    shutil.rmtree(course / "solutions" / "col-norms")
    index = course / "exercises" / "course.yaml"
    index.write_text(index.read_text().replace(", col-norms]", "]"))
    released = learn("release", "--out", tmp_path / "dist", "--course", course)
    assert released.exit_code == 0, released.output


def test_a_failed_release_keeps_the_empty_folder_it_was_given(course, tmp_path):
    out = tmp_path / "bundle"
    out.mkdir()
    stub = course / "exercises/01-strings/count-vowels/vowels.py"
    honest = stub.read_text()
    shutil.copy(course / "solutions/count-vowels/vowels.py", stub)
    assert learn("release", "--out", out, "--course", course).exit_code == 1
    assert out.is_dir() and not any(out.iterdir())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle", "course"]
    stub.write_text(honest)
    fixed = learn("release", "--out", out, "--course", course)
    assert fixed.exit_code == 0, fixed.output
    assert (out / "exercises/01-strings/count-vowels/vowels.py").read_text() == honest


def test_a_student_uses_the_bundle(course, tmp_path):
    out = tmp_path / "bundle"
    assert learn("release", "--out", out, "--course", course).exit_code == 0
    ws = tmp_path / "ws"
    started = learn("start", "reverse-words", "--workspace", ws, "--course", out)
    assert started.exit_code == 0, started.output
    assert "Reverse the words" in started.output
    assert json.loads((ws / ".learn/state.json").read_text())["course"] == str(out.resolve())

    untouched = learn("grade", "--workspace", ws, "--format", "json")
    assert untouched.exit_code == 1, untouched.output  # nothing started has passed
    assert json.loads(untouched.output)["partial"] is True

    write_student(ws, "reverse-words", "words.py", "def reverse_words(text, sep):\n    return list(reversed(text))\n")
    graded = learn("grade", "--workspace", ws, "--format", "json")
    assert graded.exit_code == 1
    result = json.loads(graded.output)
    assert result["partial"] is True and result["max_score"] == 0
    exercise = result["exercises"][0]
    tests = {t["name"]: t for t in exercise["tests"]}
    assert tests["signatures"]["status"] == "failed"
    assert "reverse_words(text, sep) should be reverse_words(text)" in tests["signatures"]["message"]
    assert tests["forbidden_calls"]["status"] == "error" and "reversed" in tests["forbidden_calls"]["message"]

    # Too deep to parse: the student's error, as full grading says (a reviewer found exit 3 here).
    write_student(ws, "reverse-words", "words.py", "def reverse_words(text):\n    return text\nx = " + "1 + " * 5000 + "1\n")
    deep = learn("grade", "reverse-words", "--workspace", ws, "--format", "json")
    assert deep.exit_code == 1, deep.output
    (exercise,) = json.loads(deep.output)["exercises"]
    assert exercise["status"] == "error" and "nested too deeply" in exercise["error"]
    write_student(ws, "reverse-words", "words.py", "def reverse_words(text):\n    return \" \".join(text.split()[::-1])\n")
    terminal = learn("grade", "reverse-words", "--workspace", ws)
    assert terminal.exit_code == 0, terminal.output
    assert "student-only install" in terminal.output and "instructor's CI" in terminal.output


# -- visibility -----------------------------------------------------------------------------

SECRET_TESTS = '''

@pytest.mark.points(0)
@pytest.mark.visibility("hidden")
def test_secret(student):
    """A sentence about animals."""
    from grader.testing import attach_figure
    attach_figure("bars", "secret", values=[1.0, 2.0], reference=[31337.0, 27182.0])
    assert_close(student.reverse_words("zebra quokka narwhal"), "narwhal quokka zebra")


@pytest.mark.points(0)
@pytest.mark.visibility("after_due_date")
def test_late(student):
    """A sentence about letters."""
    assert_close(student.reverse_words("alpha beta gamma"), "gamma beta alpha")
'''


@pytest.fixture
def secret_course(course: Path) -> Path:
    tests = course / "solutions/reverse-words/test_words.py"
    tests.write_text(tests.read_text() + SECRET_TESTS)
    return course


def grade_wrong(course: Path, ws: Path, *args: str,
                formats: tuple[str, ...] = ("terminal", "json", "markdown", "html")) -> dict[str, str]:
    write_student(ws, "reverse-words", "words.py", "def reverse_words(text):\n    return text[::-1]\n")
    return {fmt: learn("grade", "reverse-words", "--workspace", ws, "--course", course, "--seed", "7",
                       "--format", fmt, *args).output for fmt in formats}


def test_no_report_prints_the_reference_output_of_a_hidden_test(secret_course, tmp_path):
    reports = grade_wrong(secret_course, tmp_path / "ws")
    for fmt, text in reports.items():
        assert "test_secret" in text, fmt
        for secret in ("narwhal quokka zebra", "zebra quokka narwhal", "31337", "gamma beta alpha"):
            assert secret not in text, (fmt, secret)
    tests = {t["name"]: t for t in json.loads(reports["json"])["exercises"][0]["tests"]}
    assert tests["test_secret"]["status"] == "failed" and "hidden" in tests["test_secret"]["message"]
    assert "after the due date" in tests["test_late"]["message"]
    assert tests["test_secret"]["diagnoses"][0]["id"] == "reversed-characters"  # the diagnosis still shows
    # a visible failure of the same student does show its expected value, so the above means something
    assert "world hello" in reports["terminal"]


def test_after_due_date_tests_show_after_the_due_date(secret_course, tmp_path):
    flagged = grade_wrong(secret_course, tmp_path / "ws", "--after-due-date", formats=("json",))
    assert "gamma beta alpha" in flagged["json"] and "narwhal quokka zebra" not in flagged["json"]

    index = secret_course / "exercises/course.yaml"
    index.write_text(index.read_text() + "due_date: 2000-01-31\n")
    past = grade_wrong(secret_course, tmp_path / "ws", formats=("json",))
    assert "gamma beta alpha" in past["json"] and "narwhal quokka zebra" not in past["json"]

    index.write_text(index.read_text().replace("2000-01-31", "2999-01-31T18:00:00+01:00"))
    future = grade_wrong(secret_course, tmp_path / "ws", formats=("json",))
    assert "gamma beta alpha" not in future["json"]

    index.write_text(index.read_text().replace("2999-01-31T18:00:00+01:00", "next friday"))
    broken = learn("grade", "--workspace", tmp_path / "ws", "--course", secret_course)
    assert broken.exit_code == 2 and "course.yaml:4: due_date: expected a date" in broken.output


def test_an_output_path_that_cannot_be_written_is_the_users_error_not_the_graders(course, tmp_path):
    """A release, a class's results or a merged gradebook aimed under a file (or, for a user
    without root, into a folder they may not write) was "Internal error ... a bug in the grader"
    with exit 3 (an instructor's review). It is exit 2, naming the path."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    run = learn("release", "--out", blocker / "bundle", "--course", course)
    assert run.exit_code == 2 and f"cannot write {blocker / 'bundle'}: Not a directory" in run.output, run.output
    subs = tmp_path / "subs"
    (subs / "ann" / "reverse-words").mkdir(parents=True)
    (subs / "ann" / "reverse-words" / "words.py").write_text("def reverse_words(text):\n    return text\n")
    run = learn("grade-all", subs, "--out", blocker / "results", "--course", course)
    assert run.exit_code == 2 and "Not a directory" in run.output and "Internal error" not in run.output, run.output
    run = learn("grade", "reverse-words", "--workspace", subs / "ann", "--course", course, "--format", "json",
                "--output", blocker / "report.json")
    assert run.exit_code == 2 and f"cannot use {blocker}" in run.output and ".tmp" not in run.output, run.output


def test_instructor_commands_use_the_course_they_run_in_and_say_which(course, tmp_path):
    """validate and release in the author's own course used the built-in one and said nothing (a new
    instructor's review): they take the course they run in, or above it, and name it."""
    from conftest import run_learn
    inside = course / "exercises" / "01-strings"
    run = run_learn("validate", "count-vowels", "--jobs", "1", cwd=inside)
    assert run.code == 0, run.stdout + run.stderr
    assert f"Using the course in {course} (Strings (an example course outside linear algebra)); --course chooses " \
        "another." in run.stderr
    assert "ok   count-vowels" in run.stdout
    released = run_learn("release", "--out", str(tmp_path / "bundle"), cwd=course)
    assert released.code == 0, released.stderr
    assert sorted(p.name for p in (tmp_path / "bundle" / "exercises" / "01-strings").iterdir()) == \
        ["count-vowels", "reverse-words"]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    builtin = run_learn("validate", "count-vowels", cwd=elsewhere)
    assert builtin.code == 2 and "no exercise named 'count-vowels'" in builtin.stderr
    assert "Using the built-in course (" in builtin.stderr
    assert "): no course in this folder or above it; --course chooses another." in builtin.stderr
    given = run_learn("validate", "count-vowels", "--jobs", "1", "--course", str(course), cwd=elsewhere)
    assert given.code == 0 and "Using" not in given.stderr  # named by the author: nothing to say


def test_a_course_starts_from_an_empty_exercises_folder_and_learn_new_says_so(tmp_path):
    """A new instructor's review: `learn new` in an empty folder said "not a course" and no doc
    said how to start one."""
    from conftest import run_learn
    empty = tmp_path / "my-course"
    empty.mkdir()
    refused = run_learn("new", "matrix-trace", "--module", "01-matrices", cwd=empty)
    assert refused.code == 2 and "or start a new course here with `mkdir exercises`" in refused.stderr
    (empty / "exercises").mkdir()
    made = run_learn("new", "matrix-trace", "--module", "01-matrices", cwd=empty)
    assert made.code == 0 and made.stdout.strip().endswith("Replace every TODO, then run: learn validate matrix-trace")
    checked = run_learn("validate", "matrix-trace", "--jobs", "1", cwd=empty / "exercises")
    assert checked.code == 1 and "FAIL matrix-trace" in checked.stdout and "TODO placeholder" in checked.stdout
