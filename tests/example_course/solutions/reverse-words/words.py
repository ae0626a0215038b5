def reverse_words(text):
    """The words of TEXT in reverse order, joined by single spaces."""
    return " ".join(text.split()[::-1])
