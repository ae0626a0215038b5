"""Student commands run from the wrong folder: a course is never taken for a workspace, a folder
that is no workspace is said to be none, and nothing is written where the student did not mean."""
from __future__ import annotations

from conftest import run_learn as learn

CORRECT = "def reverse_words(text):\n    return ' '.join(text.split()[::-1])\n"


def test_a_course_is_not_a_workspace(course):
    """A student who forgot to `cd` into their workspace, in the course's checkout: learn grade told
    them to move solutions/<id>/words.py into place, and learn start would write into the course."""
    before = sorted(p.relative_to(course) for p in course.rglob("*"))
    for command in (("grade", "reverse-words"), ("grade",), ("start", "reverse-words"), ("hint", "reverse-words"),
                    ("list",)):
        run = learn(*command, cwd=course / "exercises")
        assert run.code == 2, (command, run.stdout, run.stderr)
        assert run.stderr == (f"Error: {course} is a course (the exercises and solutions learn grades with), not a "
                              "workspace: cd into your workspace (the folder `learn start --workspace` made), or "
                              "pass --workspace\n"), command
        assert "solutions/" not in run.stdout
    assert sorted(p.relative_to(course) for p in course.rglob("*")) == before  # nothing written into the course
    shown = learn("show", "reverse-words", cwd=course)  # an author reads their instructions there
    assert shown.code == 0 and "Reverse the words" in shown.stdout


def test_a_workspace_made_inside_a_courses_checkout_is_a_workspace(course):
    """An attacker's review: the README's Jupyter steps (`mkdir linalg && cd linalg && learn start`,
    in the clone) were refused, since the folder lay under a course. Only the course itself, its
    exercises/ and its solutions/ are refused."""
    linalg = course / "linalg"
    linalg.mkdir()
    started = learn("start", "reverse-words", "--course", str(course), cwd=linalg)
    assert started.code == 0, started.stderr
    assert (linalg / "reverse-words" / "words.py").is_file()
    refused = learn("grade", "--course", str(course), cwd=course / "solutions" / "reverse-words")
    assert refused.code == 2 and "is a course" in refused.stderr


def test_grade_outside_any_workspace_says_so_and_a_hand_made_one_grades_quietly(course, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run = learn("grade", "reverse-words", "--course", str(course), cwd=elsewhere)
    assert run.code == 1 and "not started" in run.stdout
    assert f"(No workspace here: neither {elsewhere} nor a folder above it has a .learn folder." in run.stderr
    # DESIGN.md's workspace without .learn/ (a repository cloned in CI): graded, with nothing to say
    (elsewhere / "reverse-words").mkdir()
    (elsewhere / "reverse-words" / "words.py").write_text(CORRECT)
    run = learn("grade", "reverse-words", "--course", str(course), cwd=elsewhere)
    assert run.code == 0 and run.stderr == "", run.stderr
    assert not (elsewhere / ".learn").exists()


def test_hint_outside_any_workspace_is_refused_and_leaves_no_learn_folder(course, tmp_path):
    """It made the folder a workspace of its own, silently, to count the hints seen."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run = learn("hint", "reverse-words", "--course", str(course), cwd=elsewhere)
    assert run.code == 2 and run.stderr.startswith(f"Error: No workspace here: neither {elsewhere} nor a folder")
    assert "cd into it, or pass --workspace" in run.stderr and list(elsewhere.iterdir()) == []
    (elsewhere / "reverse-words").mkdir()  # a workspace made by hand: hints are counted there
    run = learn("hint", "reverse-words", "--course", str(course), cwd=elsewhere)
    assert run.code == 0 and "Hint 1/3 for reverse-words" in run.stdout


def test_hint_without_an_exercise_takes_the_folder_you_are_in_else_the_one_started_last(course, tmp_path):
    """A new user's review: `learn hint` failed inside the exercise's folder, where `%learn hint`
    knows which exercise is meant."""
    workspace = tmp_path / "ws"
    assert learn("start", "count-vowels", "--workspace", str(workspace), "--course", str(course)).code == 0
    assert learn("start", "reverse-words", "--workspace", str(workspace), "--course", str(course)).code == 0
    inside = learn("hint", cwd=workspace / "count-vowels")
    assert inside.code == 0 and "Hint 1/3 for count-vowels" in inside.stdout, inside.stderr
    at_the_top = learn("hint", cwd=workspace)
    assert at_the_top.code == 0 and "Hint 1/3 for reverse-words" in at_the_top.stdout
    (tmp_path / "hand-made" / "count-vowels").mkdir(parents=True)  # no .learn/: nothing started last
    nowhere = learn("hint", "--course", str(course), cwd=tmp_path / "hand-made")
    assert nowhere.code == 2 and "name the exercise: learn hint EXERCISE (learn list shows them)" in nowhere.stderr
