def count_vowels(text):
    """How many characters of TEXT are vowels (aeiou, either case)."""
    raise NotImplementedError("count_vowels is not written yet")
