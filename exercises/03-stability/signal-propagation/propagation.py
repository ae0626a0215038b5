"""Weight stacks under four initialization schemes, and the signal they let through."""

import numpy as np


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
    raise NotImplementedError("init_stack: write your implementation here")


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
    raise NotImplementedError("forward_second_moments: write your implementation here")
