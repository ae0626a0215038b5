"""Kaiming with a table of gains and rng.normal / rng.uniform."""
import math

GAINS = {"linear": 1.0, "sigmoid": 1.0, "tanh": 5 / 3, "relu": math.sqrt(2)}


def calculate_gain(nonlinearity, param=None):
    if nonlinearity in GAINS:
        return GAINS[nonlinearity]
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        return math.sqrt(2 / (1 + slope ** 2))
    raise ValueError(f"unsupported nonlinearity {nonlinearity}")


def _std(fan_in, fan_out, mode, nonlinearity, a):
    if mode == "fan_in":
        fan = fan_in
    elif mode == "fan_out":
        fan = fan_out
    else:
        raise ValueError(f"mode must be fan_in or fan_out, not {mode}")
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_normal(fan_in, fan_out, rng, mode="fan_in", nonlinearity="relu", a=0.0):
    return rng.normal(0.0, _std(fan_in, fan_out, mode, nonlinearity, a), size=(fan_in, fan_out))


def kaiming_uniform(fan_in, fan_out, rng, mode="fan_in", nonlinearity="relu", a=0.0):
    bound = math.sqrt(3.0) * _std(fan_in, fan_out, mode, nonlinearity, a)
    return rng.uniform(-bound, bound, size=(fan_in, fan_out))
