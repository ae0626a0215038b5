def reverse_words(text):
    """The words of TEXT in reverse order, joined by single spaces."""
    raise NotImplementedError("reverse_words is not written yet")
