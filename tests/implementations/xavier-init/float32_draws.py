"""Xavier drawn directly in float32, the precision networks are trained in."""
import numpy as np


def xavier_uniform(fan_in, fan_out, rng, gain=1.0):
    a = np.float32(gain * np.sqrt(6.0 / (fan_in + fan_out)))
    return (rng.random((fan_in, fan_out), dtype=np.float32) * 2 - 1) * a


def xavier_normal(fan_in, fan_out, rng, gain=1.0):
    std = np.float32(gain * np.sqrt(2.0 / (fan_in + fan_out)))
    return rng.standard_normal((fan_in, fan_out), dtype=np.float32) * std
