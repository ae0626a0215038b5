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


@mistake("uniform-std-as-bound", replaces="xavier_uniform")
def uniform_std_as_bound(fan_in, fan_out, rng, gain=1.0):
    # The normal initializer's σ used as the uniform bound: the spread is √3 too small.
    bound = gain * np.sqrt(2.0 / (fan_in + fan_out))
    return rng.uniform(-bound, bound, size=(fan_in, fan_out))


@mistake("uniform-not-centred", replaces="xavier_uniform")
def uniform_not_centred(fan_in, fan_out, rng, gain=1.0):
    bound = gain * np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(0.0, bound, size=(fan_in, fan_out))


@mistake("uniform-gain-ignored", replaces="xavier_uniform")
def uniform_gain_ignored(fan_in, fan_out, rng, gain=1.0):
    bound = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-bound, bound, size=(fan_in, fan_out))


@mistake("normal-std-from-uniform-bound", replaces="xavier_normal")
def normal_std_from_uniform_bound(fan_in, fan_out, rng, gain=1.0):
    # √(6 / (fan_in + fan_out)) is the uniform bound a; the normal σ is a / √3.
    std = gain * np.sqrt(6.0 / (fan_in + fan_out))
    return rng.normal(0.0, std, size=(fan_in, fan_out))


@mistake("normal-pytorch-layout", replaces="xavier_normal")
def normal_pytorch_layout(fan_in, fan_out, rng, gain=1.0):
    std = gain * np.sqrt(2.0 / (fan_in + fan_out))
    return rng.normal(0.0, std, size=(fan_out, fan_in))
