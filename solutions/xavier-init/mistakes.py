"""Known wrong answers for xavier-init, each drawing from the generator the way students do."""
import numpy as np

from grader.testing import mistake


@mistake("fan-in-only", replaces="xavier_uniform")
def fan_in_only(fan_in, fan_out, rng, gain=1.0):
    bound = gain * np.sqrt(6.0 / fan_in)
    return rng.uniform(-bound, bound, size=(fan_in, fan_out))


@mistake("bound-precedence", replaces="xavier_uniform")
def bound_precedence(fan_in, fan_out, rng, gain=1.0):
    bound = gain * np.sqrt(6.0 / fan_in + fan_out)
    return rng.uniform(-bound, bound, size=(fan_in, fan_out))


@mistake("pytorch-layout", replaces="xavier_uniform")
def pytorch_layout(fan_in, fan_out, rng, gain=1.0):
    bound = gain * np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-bound, bound, size=(fan_out, fan_in))


@mistake("variance-as-std", replaces="xavier_normal")
def variance_as_std(fan_in, fan_out, rng, gain=1.0):
    std = gain * 2.0 / (fan_in + fan_out)
    return rng.normal(0.0, std, size=(fan_in, fan_out))


@mistake("gain-ignored", replaces="xavier_normal")
def gain_ignored(fan_in, fan_out, rng, gain=1.0):
    std = np.sqrt(2.0 / (fan_in + fan_out))
    return rng.normal(0.0, std, size=(fan_in, fan_out))
