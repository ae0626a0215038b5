def count_vowels(text):
    """How many characters of TEXT are vowels (aeiou, either case)."""
    return sum(c in "aeiou" for c in text.lower())
