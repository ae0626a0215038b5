"""An honest-wrong file; the workspace around it carries conftest.py, pytest.ini, sitecustomize.py."""


def dot(q, k):
    return 0.0


def cosine_similarity(q, k, eps=1e-8):
    return 0.0


def angle(q, k):
    return 0.0
