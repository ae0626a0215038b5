"""Known wrong answers for kaiming-init, in the order of exercise.yaml."""
import math

import numpy as np

import kaiming as reference
from grader.testing import mistake


@mistake("leaky-slope-ignored", replaces="calculate_gain")
def leaky_slope_ignored(nonlinearity, param=None):
    if nonlinearity == "leaky_relu":
        return math.sqrt(2.0 / (1.0 + 0.01 ** 2))
    return reference.calculate_gain(nonlinearity, param)


@mistake("zero-slope-as-default", replaces="calculate_gain")
def zero_slope_as_default(nonlinearity, param=None):
    if nonlinearity == "leaky_relu":
        slope = param or 0.01
        return math.sqrt(2.0 / (1.0 + slope ** 2))
    return reference.calculate_gain(nonlinearity, param)


def _fan(fan_in, fan_out, mode):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"unknown mode {mode!r}")
    return fan_in if mode == "fan_in" else fan_out


@mistake("variance-as-std", replaces="kaiming_normal")
def variance_as_std(fan_in, fan_out, rng, mode="fan_in", nonlinearity="relu", a=0.0):
    gain = reference.calculate_gain(nonlinearity, a)
    std = gain ** 2 / _fan(fan_in, fan_out, mode)
    return rng.normal(0.0, std, size=(fan_in, fan_out))


@mistake("nonlinearity-ignored", replaces="kaiming_normal")
def nonlinearity_ignored(fan_in, fan_out, rng, mode="fan_in", nonlinearity="relu", a=0.0):
    reference.calculate_gain(nonlinearity, a)  # still rejects unknown names
    std = np.sqrt(2.0 / _fan(fan_in, fan_out, mode))
    return rng.normal(0.0, std, size=(fan_in, fan_out))


@mistake("fan-swapped", replaces="kaiming_uniform")
def fan_swapped(fan_in, fan_out, rng, mode="fan_in", nonlinearity="relu", a=0.0):
    gain = reference.calculate_gain(nonlinearity, a)
    _fan(fan_in, fan_out, mode)
    fan = fan_out if mode == "fan_in" else fan_in  # the student's swap: (out, in) habits
    bound = gain * np.sqrt(3.0 / fan)
    return rng.uniform(-bound, bound, size=(fan_in, fan_out))


@mistake("std-as-bound", replaces="kaiming_uniform")
def std_as_bound(fan_in, fan_out, rng, mode="fan_in", nonlinearity="relu", a=0.0):
    gain = reference.calculate_gain(nonlinearity, a)
    bound = gain / np.sqrt(_fan(fan_in, fan_out, mode))
    return rng.uniform(-bound, bound, size=(fan_in, fan_out))


@mistake("relu-gain-is-2", replaces="calculate_gain")
def relu_gain_is_2(nonlinearity, param=None):
    # 2 is the factor on the VARIANCE (Var = 2 / fan); the gain on the std is its square root.
    if nonlinearity == "relu":
        return 2.0
    return reference.calculate_gain(nonlinearity, param)


@mistake("leaky-gain-without-sqrt", replaces="calculate_gain")
def leaky_gain_without_sqrt(nonlinearity, param=None):
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        return 2.0 / (1.0 + slope ** 2)
    return reference.calculate_gain(nonlinearity, param)


@mistake("normal-fan-swapped", replaces="kaiming_normal")
def normal_fan_swapped(fan_in, fan_out, rng, mode="fan_in", nonlinearity="relu", a=0.0):
    gain = reference.calculate_gain(nonlinearity, a)
    _fan(fan_in, fan_out, mode)
    fan = fan_out if mode == "fan_in" else fan_in
    return rng.normal(0.0, gain / np.sqrt(fan), size=(fan_in, fan_out))


@mistake("uniform-bound-ignores-gain", replaces="kaiming_uniform")
def uniform_bound_ignores_gain(fan_in, fan_out, rng, mode="fan_in", nonlinearity="relu", a=0.0):
    # √(6 / fan) is the ReLU bound, written in for every nonlinearity.
    reference.calculate_gain(nonlinearity, a)
    bound = np.sqrt(6.0 / _fan(fan_in, fan_out, mode))
    return rng.uniform(-bound, bound, size=(fan_in, fan_out))


@mistake("gain-applied-twice", replaces="kaiming_normal")
def gain_applied_twice(fan_in, fan_out, rng, mode="fan_in", nonlinearity="relu", a=0.0):
    # gain·√(2 / fan): the ReLU factor 2 written in on top of the gain that already holds it.
    std = reference.calculate_gain(nonlinearity, a) * np.sqrt(2.0 / _fan(fan_in, fan_out, mode))
    return rng.normal(0.0, std, size=(fan_in, fan_out))
