from grader.testing import mistake


@mistake("reversed-characters", replaces="reverse_words")
def reversed_characters(text):
    return text.strip()[::-1]


@mistake("split-on-single-space", replaces="reverse_words")
def split_on_single_space(text):
    return " ".join(text.strip().split(" ")[::-1])
