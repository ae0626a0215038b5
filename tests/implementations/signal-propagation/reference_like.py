"""Signal propagation: a draw per scheme and a plain loop over the layers."""
import numpy as np


def _draw(width, rng, scheme):
    if scheme == "naive":
        return rng.standard_normal((width, width))
    if scheme == "xavier":
        return rng.normal(0.0, np.sqrt(2.0 / (2 * width)), (width, width))
    if scheme == "kaiming":
        return rng.normal(0.0, np.sqrt(2.0 / width), (width, width))
    q, r = np.linalg.qr(rng.standard_normal((width, width)))
    return q * np.sign(np.diag(r))


def init_stack(depth, width, rng, scheme):
    if scheme not in ("naive", "xavier", "kaiming", "orthogonal"):
        raise ValueError(f"unknown scheme {scheme!r}")
    return [_draw(width, rng, scheme) for _ in range(depth)]


def forward_second_moments(x, weights, activation="relu"):
    act = {"relu": lambda z: np.maximum(z, 0.0), "tanh": np.tanh, "linear": lambda z: z}
    if activation not in act:
        raise ValueError(f"unknown activation {activation!r}")
    h, out = x, []
    for W in weights:
        z = h @ W
        out.append(np.mean(z * z))
        h = act[activation](z)
    return np.array(out)
