"""An infinite loop in Python in every call."""


def dot(q, k):
    while True:
        pass


cosine_similarity = angle = lambda q, k, eps=1e-8: dot(q, k)
