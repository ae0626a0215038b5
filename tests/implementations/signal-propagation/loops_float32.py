"""Signal propagation with Gram-Schmidt for the orthogonal scheme and the input's precision
kept through the forward pass (float32 in, float32 moments out)."""
import numpy as np


def _orthogonal(width, rng):
    Q = rng.standard_normal((width, width))
    for j in range(width):
        for i in range(j):
            Q[:, j] -= (Q[:, i] @ Q[:, j]) * Q[:, i]
        Q[:, j] /= np.sqrt(Q[:, j] @ Q[:, j])
    return Q


def init_stack(depth, width, rng, scheme):
    stack = []
    for _ in range(depth):
        if scheme == "naive":
            stack.append(rng.standard_normal((width, width)))
        elif scheme == "xavier":
            stack.append(rng.normal(0, (2 / (width + width)) ** 0.5, size=(width, width)))
        elif scheme == "kaiming":
            stack.append(rng.normal(0, (2 / width) ** 0.5, size=(width, width)))
        elif scheme == "orthogonal":
            stack.append(_orthogonal(width, rng))
        else:
            raise ValueError(f"no such scheme: {scheme}")
    return stack


def forward_second_moments(x, weights, activation="relu"):
    if activation not in ("relu", "tanh", "linear"):
        raise ValueError(f"no such activation: {activation}")
    h = x
    moments = []
    for W in weights:
        z = h @ W
        moments.append((z ** 2).sum() / z.size)
        if activation == "relu":
            h = np.where(z > 0, z, 0).astype(z.dtype)
        elif activation == "tanh":
            h = np.tanh(z)
        else:
            h = z
    return np.array(moments, dtype=np.result_type(x, *weights))
