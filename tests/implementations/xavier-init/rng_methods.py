"""Xavier with rng.uniform and rng.normal, as the formulas read."""
import math


def xavier_uniform(fan_in, fan_out, rng, gain=1.0):
    a = gain * math.sqrt(6 / (fan_in + fan_out))
    return rng.uniform(-a, a, size=(fan_in, fan_out))


def xavier_normal(fan_in, fan_out, rng, gain=1.0):
    sigma = gain * math.sqrt(2 / (fan_in + fan_out))
    return rng.normal(loc=0.0, scale=sigma, size=(fan_in, fan_out))
