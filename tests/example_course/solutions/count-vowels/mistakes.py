from grader.testing import mistake


@mistake("case-sensitive", replaces="count_vowels")
def case_sensitive(text):
    return sum(c in "aeiou" for c in text)
