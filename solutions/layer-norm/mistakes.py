"""Known wrong answers for layer-norm, one function per mistake (see docs/authoring.md)."""

import numpy as np

import layer_norm as reference
from grader.testing import mistake


def _affine(y, gamma, beta):
    if gamma is not None:
        y = y * gamma
    if beta is not None:
        y = y + beta
    return y


@mistake("normalizes-batch-axis", replaces="layer_norm")
def normalizes_batch_axis(x, gamma=None, beta=None, eps=1e-5):
    # Batch-norm habit: statistics per feature over the examples instead of per example.
    x = np.asarray(x)
    mean = x.mean(axis=0, keepdims=True)
    var = x.var(axis=0, keepdims=True)
    return _affine((x - mean) / np.sqrt(var + eps), gamma, beta)


@mistake("unbiased-variance", replaces="layer_norm")
def unbiased_variance(x, gamma=None, beta=None, eps=1e-5):
    x = np.asarray(x)
    mean = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, ddof=1, keepdims=True)
    return _affine((x - mean) / np.sqrt(var + eps), gamma, beta)


@mistake("eps-outside-sqrt", replaces="layer_norm")
def eps_outside_sqrt(x, gamma=None, beta=None, eps=1e-5):
    x = np.asarray(x)
    mean = x.mean(axis=-1, keepdims=True)
    std = x.std(axis=-1, keepdims=True)
    return _affine((x - mean) / (std + eps), gamma, beta)


@mistake("gamma-beta-swapped", replaces="layer_norm")
def gamma_beta_swapped(x, gamma=None, beta=None, eps=1e-5):
    return reference.layer_norm(x, beta, gamma, eps)


@mistake("mean-without-keepdims", replaces="layer_norm")
def mean_without_keepdims(x, gamma=None, beta=None, eps=1e-5):
    # For a square x the (n,) statistics broadcast along the wrong axis instead of failing.
    x = np.asarray(x)
    mean = x.mean(axis=-1)
    var = x.var(axis=-1)
    return _affine((x - mean) / np.sqrt(var + eps), gamma, beta)


@mistake("no-eps", replaces="layer_norm")
def no_eps(x, gamma=None, beta=None, eps=1e-5):
    x = np.asarray(x)
    mean = x.mean(axis=-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _affine((x - mean) / x.std(axis=-1, keepdims=True), gamma, beta)


@mistake("statistics-over-whole-array", replaces="layer_norm")
def statistics_over_whole_array(x, gamma=None, beta=None, eps=1e-5):
    # One mean and one variance for the whole batch: every token scaled alike.
    x = np.asarray(x)
    return _affine((x - x.mean()) / np.sqrt(x.var() + eps), gamma, beta)


@mistake("no-sqrt", replaces="layer_norm")
def no_sqrt(x, gamma=None, beta=None, eps=1e-5):
    # Divided by the variance (plus eps), not by its square root.
    x = np.asarray(x)
    mean = x.mean(axis=-1, keepdims=True)
    return _affine((x - mean) / (x.var(axis=-1, keepdims=True) + eps), gamma, beta)
