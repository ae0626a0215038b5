"""Known wrong answers for the signal-propagation exercise, in the order of exercise.yaml."""

import numpy as np

import propagation as reference
from grader.testing import mistake


def _check_scheme(scheme):
    if scheme not in reference.SCHEMES:
        raise ValueError(f"unknown scheme {scheme!r}")


@mistake("xavier-uniform-instead-of-normal", replaces="init_stack")
def xavier_uniform_instead_of_normal(depth, width, rng, scheme):
    _check_scheme(scheme)
    if scheme != "xavier":
        return reference.init_stack(depth, width, rng, scheme)
    bound = np.sqrt(6.0 / (width + width))
    return [rng.uniform(-bound, bound, size=(width, width)) for _ in range(depth)]


@mistake("kaiming-without-relu-gain", replaces="init_stack")
def kaiming_without_relu_gain(depth, width, rng, scheme):
    _check_scheme(scheme)
    if scheme != "kaiming":
        return reference.init_stack(depth, width, rng, scheme)
    return [rng.normal(0.0, 1.0 / np.sqrt(width), size=(width, width)) for _ in range(depth)]


@mistake("kaiming-variance-as-std", replaces="init_stack")
def kaiming_variance_as_std(depth, width, rng, scheme):
    _check_scheme(scheme)
    if scheme != "kaiming":
        return reference.init_stack(depth, width, rng, scheme)
    return [rng.normal(0.0, 2.0 / width, size=(width, width)) for _ in range(depth)]


@mistake("orthogonal-with-relu-gain", replaces="init_stack")
def orthogonal_with_relu_gain(depth, width, rng, scheme):
    stack = reference.init_stack(depth, width, rng, scheme)
    return [np.sqrt(2.0) * W for W in stack] if scheme == "orthogonal" else stack


@mistake("same-matrix-every-layer", replaces="init_stack")
def same_matrix_every_layer(depth, width, rng, scheme):
    return reference.init_stack(1, width, rng, scheme) * depth


def _record(x, weights, activation, statistic=lambda z: np.mean(z ** 2), of_activations=False):
    """The forward pass of the reference, recording STATISTIC of z (or of h) at every layer."""
    if activation not in reference.ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}")
    h, moments = np.asarray(x), []
    for W in weights:
        z = h @ W
        h = reference._activate(z, activation)
        moments.append(statistic(h if of_activations else z))
    return np.array(moments)


@mistake("moments-of-activations", replaces="forward_second_moments")
def moments_of_activations(x, weights, activation="relu"):
    return _record(x, weights, activation, of_activations=True)


@mistake("variance-instead-of-second-moment", replaces="forward_second_moments")
def variance_instead_of_second_moment(x, weights, activation="relu"):
    return _record(x, weights, activation, statistic=np.var)


@mistake("activation-before-matmul", replaces="forward_second_moments")
def activation_before_matmul(x, weights, activation="relu"):
    if activation not in reference.ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}")
    h, moments = np.asarray(x), []
    for W in weights:
        z = reference._activate(h, activation) @ W
        moments.append(np.mean(z ** 2))
        h = z
    return np.array(moments)


@mistake("includes-input-moment", replaces="forward_second_moments")
def includes_input_moment(x, weights, activation="relu"):
    first = np.mean(np.asarray(x) ** 2)
    return np.concatenate([[first], reference.forward_second_moments(x, weights, activation)])


@mistake("orthogonal-no-sign-fix", replaces="init_stack")
def orthogonal_no_sign_fix(depth, width, rng, scheme):
    _check_scheme(scheme)
    if scheme != "orthogonal":
        return reference.init_stack(depth, width, rng, scheme)
    return [np.linalg.qr(rng.standard_normal((width, width)))[0] for _ in range(depth)]


@mistake("naive-uniform-draws", replaces="init_stack")
def naive_uniform_draws(depth, width, rng, scheme):
    # rng.random is U(0, 1), not the standard normal N(0, 1).
    _check_scheme(scheme)
    if scheme != "naive":
        return reference.init_stack(depth, width, rng, scheme)
    return [rng.random((width, width)) for _ in range(depth)]


@mistake("sum-instead-of-mean", replaces="forward_second_moments")
def sum_instead_of_mean(x, weights, activation="relu"):
    return _record(x, weights, activation, statistic=lambda z: np.sum(z ** 2))
