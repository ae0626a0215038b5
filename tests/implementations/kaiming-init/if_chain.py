"""Kaiming with an if-chain for the gain and standard draws rescaled by hand."""
import numpy as np


def calculate_gain(nonlinearity, param=None):
    if nonlinearity == "linear" or nonlinearity == "sigmoid":
        return 1.0
    elif nonlinearity == "tanh":
        return 5.0 / 3.0
    elif nonlinearity == "relu":
        return np.sqrt(2.0)
    elif nonlinearity == "leaky_relu":
        if param is None:
            param = 0.01
        return np.sqrt(2.0 / (1.0 + param * param))
    else:
        raise ValueError("unknown nonlinearity: " + str(nonlinearity))


def _fan(fan_in, fan_out, mode):
    fans = {"fan_in": fan_in, "fan_out": fan_out}
    if mode not in fans:
        raise ValueError("mode must be 'fan_in' or 'fan_out'")
    return fans[mode]


def kaiming_normal(fan_in, fan_out, rng, mode="fan_in", nonlinearity="relu", a=0.0):
    fan = _fan(fan_in, fan_out, mode)
    std = calculate_gain(nonlinearity, a) / np.sqrt(fan)
    return std * rng.standard_normal(size=(fan_in, fan_out))


def kaiming_uniform(fan_in, fan_out, rng, mode="fan_in", nonlinearity="relu", a=0.0):
    fan = _fan(fan_in, fan_out, mode)
    bound = calculate_gain(nonlinearity, a) * np.sqrt(3.0 / fan)
    return bound * (2.0 * rng.random(size=(fan_in, fan_out)) - 1.0)
