"""Weight stacks under four initialization schemes, and the signal they let through."""

import numpy as np

SCHEMES = ("naive", "xavier", "kaiming", "orthogonal")
ACTIVATIONS = ("relu", "tanh", "linear")


def init_stack(depth, width, rng, scheme):
    """``depth`` independent ``(width, width)`` weight matrices drawn from ``rng`` by ``scheme``.

    Schemes (``fan_in = fan_out = width``):

    - ``"naive"``: standard normal entries, ``N(0, 1)``.
    - ``"xavier"``: Xavier (Glorot) normal, ``N(0, 2 / (fan_in + fan_out))``.
    - ``"kaiming"``: Kaiming (He) normal for ReLU in ``fan_in`` mode, ``N(0, 2 / fan_in)``.
    - ``"orthogonal"``: a random orthogonal matrix (gain 1).

    Args:
        depth: the number of matrices.
        width: the size of each matrix.
        rng: a ``numpy.random.Generator``, the only source of randomness.
        scheme: one of ``"naive"``, ``"xavier"``, ``"kaiming"``, ``"orthogonal"``.

    Returns:
        A list of ``depth`` arrays of shape ``(width, width)``.

    Raises:
        ValueError: for an unknown ``scheme``.
    """
    if scheme not in SCHEMES:
        raise ValueError(f"unknown scheme {scheme!r}: expected one of {', '.join(SCHEMES)}")
    return [_draw(width, rng, scheme) for _ in range(depth)]


def _draw(width, rng, scheme):
    if scheme == "naive":
        return rng.standard_normal((width, width))
    if scheme == "xavier":
        return rng.normal(0.0, np.sqrt(2.0 / (width + width)), size=(width, width))
    if scheme == "kaiming":
        return rng.normal(0.0, np.sqrt(2.0) / np.sqrt(width), size=(width, width))
    q, r = np.linalg.qr(rng.standard_normal((width, width)))
    # Flipping each column by the sign of diag(R) makes the distribution uniform (Haar).
    return q * np.where(np.diag(r) < 0, -1.0, 1.0)


def forward_second_moments(x, weights, activation="relu"):
    """The mean of ``z²`` at every layer of a plain feed-forward stack.

    Runs ``h_0 = x``, ``z_l = h_{l-1} @ W_l``, ``h_l = act(z_l)`` for each matrix in ``weights``
    and records ``mean(z_l²)`` over the whole batch and all units: the second moment of the
    pre-activations, not of the activations ``h_l``.

    Args:
        x: array of shape ``(batch, width)``.
        weights: a sequence of matrices; ``W_l`` has shape ``(d_{l-1}, d_l)``.
        activation: ``"relu"``, ``"tanh"`` or ``"linear"``.

    Returns:
        A float array of shape ``(len(weights),)``.

    Raises:
        ValueError: for an unknown ``activation``.
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}: expected one of {', '.join(ACTIVATIONS)}")
    h = np.asarray(x)
    moments = []
    for W in weights:
        z = h @ W
        moments.append(np.mean(z ** 2))
        h = _activate(z, activation)
    return np.array(moments)


def _activate(z, activation):
    if activation == "relu":
        return np.maximum(z, 0)
    if activation == "tanh":
        return np.tanh(z)
    return z
