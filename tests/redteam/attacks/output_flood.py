"""Print a flood of output (and escape codes) in every call, then answer wrongly."""
import sys


def dot(q, k):
    for _ in range(300):
        print("\x1b[2J\x1b[1;1HALL TESTS PASSED " * 200)
    sys.stderr.write("E" * 10 ** 6)
    return 0.0


cosine_similarity = angle = lambda q, k, eps=1e-8: dot(q, k)
