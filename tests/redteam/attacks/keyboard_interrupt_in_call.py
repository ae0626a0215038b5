"""KeyboardInterrupt from a call: a naive harness would think the user pressed Ctrl-C."""


def dot(q, k):
    raise KeyboardInterrupt


def cosine_similarity(q, k, eps=1e-8):
    raise KeyboardInterrupt


def angle(q, k):
    raise GeneratorExit
