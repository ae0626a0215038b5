import pytest

from grader.testing import assert_close, assert_does_the_work


@pytest.mark.parametrize("text, expected", [("Queue", 4), ("rhythm", 0), ("", 0), ("AEIOU aeiou", 10)])
def test_examples(student, reference, text, expected):
    """Vowels of either case are counted, nothing else."""
    if expected == 0:  # what a function that returns a constant gives: the points need a real count too
        assert_does_the_work(student, reference, "count_vowels", "education")
    assert_close(student.count_vowels(text), expected)
