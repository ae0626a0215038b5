import pytest

from grader.testing import assert_close, assert_does_the_work


@pytest.mark.points(4)
@pytest.mark.parametrize("text, expected", [("hello world", "world hello"), ("a", "a"), ("", "")])
def test_examples(student, reference, text, expected):
    """Simple sentences come back with their words in reverse order."""
    if expected == text:  # what a function that returns its input gives: the points need a real reversal too
        assert_does_the_work(student, reference, "reverse_words", "one two three")
    assert_close(student.reverse_words(text), expected)


@pytest.mark.points(3)
def test_runs_of_whitespace(student):
    """Runs of spaces and tabs separate words too; the result has single spaces."""
    assert_close(student.reverse_words("  to be \t or  not "), "not or be to")


@pytest.mark.points(3)
@pytest.mark.visibility("hidden")
def test_random_sentence(student, rng):
    """A random sentence of random words."""
    words = ["".join(rng.choice(list("abcdefgh"), size=int(rng.integers(1, 6)))) for _ in range(8)]
    text = "  ".join(words)
    assert_close(student.reverse_words(text), " ".join(words[::-1]))
