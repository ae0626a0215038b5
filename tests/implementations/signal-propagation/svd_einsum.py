"""Signal propagation: a dispatch table of initializers (orthogonal from an SVD's polar
factor) and einsum for the layers."""
import numpy as np


def _orthogonal(width, rng):
    U, _, Vt = np.linalg.svd(rng.standard_normal((width, width)))
    return U @ Vt


INITIALIZERS = {
    "naive": lambda width, rng: rng.normal(size=(width, width)),
    "xavier": lambda width, rng: rng.standard_normal((width, width)) * np.sqrt(1.0 / width),
    "kaiming": lambda width, rng: rng.standard_normal((width, width)) * np.sqrt(2.0 / width),
    "orthogonal": _orthogonal,
}


def init_stack(depth, width, rng, scheme):
    try:
        draw = INITIALIZERS[scheme]
    except (KeyError, TypeError):
        raise ValueError(f"scheme must be one of {sorted(INITIALIZERS)}") from None
    return [draw(width, rng) for _ in range(depth)]


def forward_second_moments(x, weights, activation="relu"):
    if activation == "relu":
        act = lambda z: z * (z > 0)  # noqa: E731
    elif activation == "tanh":
        act = np.tanh
    elif activation == "linear":
        act = lambda z: z  # noqa: E731
    else:
        raise ValueError("activation must be relu, tanh or linear")
    moments = np.empty(len(weights))
    h = x
    for layer, W in enumerate(weights):
        z = np.einsum("bi,ij->bj", h, W)
        moments[layer] = np.einsum("bj,bj->", z, z) / z.size
        h = act(z)
    return moments
