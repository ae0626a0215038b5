"""projection with explicit loops over the entries."""


def _dot(a, b):
    if a.ndim != 1 or a.shape != b.shape:
        raise ValueError(f"v and u must have the same length, got {a.shape} and {b.shape}")
    total = 0.0
    for x, y in zip(a.tolist(), b.tolist()):
        total += x * y
    return total


def _squared_length(v, u):
    _dot(v, u)  # the length check
    if not any(u.tolist()):
        raise ValueError("u is the zero vector")
    return _dot(u, u)


def scalar_projection(v, u):
    uu = _squared_length(v, u)
    return _dot(v, u) / uu ** 0.5


def vector_projection(v, u):
    uu = _squared_length(v, u)
    return u * (_dot(v, u) / uu)


def rejection(v, u):
    return v - vector_projection(v, u)
