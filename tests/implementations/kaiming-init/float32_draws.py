"""Kaiming drawn directly in float32, with the gain's match statement."""
import math

import numpy as np


def calculate_gain(nonlinearity, param=None):
    match nonlinearity:
        case "linear" | "sigmoid":
            return 1.0
        case "tanh":
            return 5.0 / 3
        case "relu":
            return math.sqrt(2.0)
        case "leaky_relu":
            slope = 0.01 if param is None else float(param)
            return math.sqrt(2.0 / (1.0 + slope ** 2))
    raise ValueError(f"no gain for {nonlinearity!r}")


def _fan(fan_in, fan_out, mode):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"unknown mode {mode!r}")
    return fan_in if mode == "fan_in" else fan_out


def kaiming_normal(fan_in, fan_out, rng, mode="fan_in", nonlinearity="relu", a=0.0):
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(fan_in, fan_out, mode))
    return rng.standard_normal((fan_in, fan_out), dtype=np.float32) * np.float32(std)


def kaiming_uniform(fan_in, fan_out, rng, mode="fan_in", nonlinearity="relu", a=0.0):
    bound = calculate_gain(nonlinearity, a) * math.sqrt(3.0 / _fan(fan_in, fan_out, mode))
    return np.float32(bound) * (2 * rng.random((fan_in, fan_out), dtype=np.float32) - 1)
