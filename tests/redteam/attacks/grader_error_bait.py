"""Return values that make the hidden tests' own code raise (a complex number where a float is
compared, a ragged list where an array is built): once recorded as the grader's failure, which
now costs the class a non-final grade and exit status 3. A test that breaks on the student's
answers but passes on the reference's is the student's failure, never a grader error."""


def dot(q, k):
    return [[1.0], [2.0, 3.0]]


def cosine_similarity(q, k, eps=1e-8):
    return [[1.0], [2.0, 3.0]]


def angle(q, k):
    return 1 + 1j
