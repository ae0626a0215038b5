import pytest

from grader.testing import assert_close


@pytest.mark.parametrize("text, expected", [("Queue", 4), ("rhythm", 0), ("", 0), ("AEIOU aeiou", 10)])
def test_examples(student, text, expected):
    """Vowels of either case are counted, nothing else."""
    assert_close(student.count_vowels(text), expected)
