"""Kaiming (He) initialization: compensate for what the nonlinearity does to the signal."""
import math

import numpy as np

_FIXED_GAINS = {"linear": 1.0, "sigmoid": 1.0, "tanh": 5.0 / 3.0, "relu": math.sqrt(2.0)}


def calculate_gain(nonlinearity, param=None):
    """The recommended gain for a nonlinearity.

    ``linear`` and ``sigmoid``: 1; ``tanh``: 5/3; ``relu``: √2; ``leaky_relu``:
    ``√(2 / (1 + slope²))`` with ``slope = param``, or 0.01 when ``param`` is None (a slope of 0
    is a slope of 0). Raises ValueError for any other nonlinearity.
    """
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else float(param)
        return math.sqrt(2.0 / (1.0 + slope * slope))
    if isinstance(nonlinearity, str) and nonlinearity in _FIXED_GAINS:
        return _FIXED_GAINS[nonlinearity]
    raise ValueError(f"unknown nonlinearity {nonlinearity!r}; expected one of "
                     "linear, sigmoid, tanh, relu, leaky_relu")


def _std(fan_in, fan_out, mode, nonlinearity, a):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan = fan_in if mode == "fan_in" else fan_out
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_normal(fan_in, fan_out, rng, mode="fan_in", nonlinearity="relu", a=0.0):
    """Draw a ``(fan_in, fan_out)`` weight matrix from ``N(0, σ²)``.

    ``σ = gain / √fan`` with ``fan`` = ``fan_in`` or ``fan_out`` as ``mode`` says and
    ``gain = calculate_gain(nonlinearity, a)``. Raises ValueError for an unknown ``mode`` or
    ``nonlinearity``. Draws only from ``rng`` (a ``numpy.random.Generator``).
    """
    std = _std(fan_in, fan_out, mode, nonlinearity, a)
    return rng.normal(0.0, std, size=(fan_in, fan_out))


def kaiming_uniform(fan_in, fan_out, rng, mode="fan_in", nonlinearity="relu", a=0.0):
    """Draw a ``(fan_in, fan_out)`` weight matrix from ``U(-b, b)``.

    ``b = gain · √(3 / fan)``, so that the standard deviation is ``gain / √fan`` as in
    ``kaiming_normal`` (same ``fan``, ``gain`` and ValueError cases). Draws only from ``rng``.
    """
    bound = math.sqrt(3.0) * _std(fan_in, fan_out, mode, nonlinearity, a)
    return rng.uniform(-bound, bound, size=(fan_in, fan_out))
