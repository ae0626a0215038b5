"""Kaiming (He) initialization: compensate for what the nonlinearity does to the signal."""
import numpy as np


def calculate_gain(nonlinearity, param=None):
    """The recommended gain for a nonlinearity.

    ``linear`` and ``sigmoid``: 1; ``tanh``: 5/3; ``relu``: √2; ``leaky_relu``:
    ``√(2 / (1 + slope²))`` with ``slope = param``, or 0.01 when ``param`` is None (a slope of 0
    is a slope of 0). Raises ValueError for any other nonlinearity.
    """
    raise NotImplementedError("calculate_gain: return the gain of the nonlinearity, or raise ValueError")


def kaiming_normal(fan_in, fan_out, rng, mode="fan_in", nonlinearity="relu", a=0.0):
    """Draw a ``(fan_in, fan_out)`` weight matrix from ``N(0, σ²)``.

    ``σ = gain / √fan`` with ``fan`` = ``fan_in`` or ``fan_out`` as ``mode`` says and
    ``gain = calculate_gain(nonlinearity, a)``. Raises ValueError for an unknown ``mode`` or
    ``nonlinearity``. Draws only from ``rng`` (a ``numpy.random.Generator``).
    """
    raise NotImplementedError("kaiming_normal: draw a (fan_in, fan_out) matrix from N(0, σ²) with σ = gain / √fan")


def kaiming_uniform(fan_in, fan_out, rng, mode="fan_in", nonlinearity="relu", a=0.0):
    """Draw a ``(fan_in, fan_out)`` weight matrix from ``U(-b, b)``.

    ``b = gain · √(3 / fan)``, so that the standard deviation is ``gain / √fan`` as in
    ``kaiming_normal`` (same ``fan``, ``gain`` and ValueError cases). Draws only from ``rng``.
    """
    raise NotImplementedError("kaiming_uniform: draw a (fan_in, fan_out) matrix from U(-b, b) with b = gain·√(3 / fan)")
