"""Xavier (Glorot) initialization: keep the variance of signals and gradients balanced."""
import numpy as np


def xavier_uniform(fan_in, fan_out, rng, gain=1.0):
    """Draw a ``(fan_in, fan_out)`` weight matrix from ``U(-a, a)``.

    ``a = gain * sqrt(6 / (fan_in + fan_out))``, so that the variance ``a² / 3`` equals
    ``gain² * 2 / (fan_in + fan_out)``. Draws only from ``rng`` (a ``numpy.random.Generator``).
    """
    raise NotImplementedError("xavier_uniform: draw a (fan_in, fan_out) matrix from U(-a, a) with rng")


def xavier_normal(fan_in, fan_out, rng, gain=1.0):
    """Draw a ``(fan_in, fan_out)`` weight matrix from ``N(0, σ²)``.

    ``σ = gain * sqrt(2 / (fan_in + fan_out))``. Draws only from ``rng``
    (a ``numpy.random.Generator``).
    """
    raise NotImplementedError("xavier_normal: draw a (fan_in, fan_out) matrix from N(0, σ²) with rng")
