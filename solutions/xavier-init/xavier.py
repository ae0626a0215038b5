"""Xavier (Glorot) initialization: keep the variance of signals and gradients balanced."""
import numpy as np


def xavier_uniform(fan_in, fan_out, rng, gain=1.0):
    """Draw a ``(fan_in, fan_out)`` weight matrix from ``U(-a, a)``.

    ``a = gain * sqrt(6 / (fan_in + fan_out))``, so that the variance ``a² / 3`` equals
    ``gain² * 2 / (fan_in + fan_out)``. Draws only from ``rng`` (a ``numpy.random.Generator``).
    """
    bound = gain * np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-bound, bound, size=(fan_in, fan_out))


def xavier_normal(fan_in, fan_out, rng, gain=1.0):
    """Draw a ``(fan_in, fan_out)`` weight matrix from ``N(0, σ²)``.

    ``σ = gain * sqrt(2 / (fan_in + fan_out))``. Draws only from ``rng``
    (a ``numpy.random.Generator``).
    """
    std = gain * np.sqrt(2.0 / (fan_in + fan_out))
    return rng.normal(0.0, std, size=(fan_in, fan_out))
