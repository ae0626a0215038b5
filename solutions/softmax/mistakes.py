"""Known wrong answers for the softmax exercise, in the order of exercise.yaml."""

import numpy as np

import softmax as reference
from grader.testing import mistake


@mistake("no-max-subtraction", replaces="softmax")
def no_max_subtraction(x, axis=-1):
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(x)
        return e / np.sum(e, axis=axis, keepdims=True)


@mistake("sums-over-whole-array", replaces="softmax")
def sums_over_whole_array(x, axis=-1):
    shift = np.max(x, axis=axis, keepdims=True)
    e = np.exp(x - np.where(np.isfinite(shift), shift, 0))
    return e / np.sum(e)


@mistake("ignores-axis", replaces="softmax")
def ignores_axis(x, axis=-1):
    return reference.softmax(x)


@mistake("all-neg-inf-gives-nan", replaces="softmax")
def all_neg_inf_gives_nan(x, axis=-1):
    with np.errstate(invalid="ignore"):
        e = np.exp(x - np.max(x, axis=axis, keepdims=True))
        return e / np.sum(e, axis=axis, keepdims=True)


@mistake("log-of-softmax", replaces="log_softmax")
def log_of_softmax(x, axis=-1):
    with np.errstate(divide="ignore"):
        return np.log(reference.softmax(x, axis=axis))


@mistake("log-softmax-no-max-subtraction", replaces="log_softmax")
def log_softmax_no_max_subtraction(x, axis=-1):
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return x - np.log(np.sum(np.exp(x), axis=axis, keepdims=True))


@mistake("log-softmax-all-neg-inf-gives-nan", replaces="log_softmax")
def log_softmax_all_neg_inf_gives_nan(x, axis=-1):
    with np.errstate(invalid="ignore", divide="ignore"):
        shifted = x - np.max(x, axis=axis, keepdims=True)
        return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


@mistake("normalizes-axis-0", replaces="softmax")
def normalizes_axis_0(x, axis=-1):
    # axis=0 written into the reductions: the habit of column-wise statistics.
    return reference.softmax(x, axis=0)


@mistake("max-without-keepdims", replaces="softmax")
def max_without_keepdims(x, axis=-1):
    # For a square matrix the (n,) maximum broadcasts along the wrong axis instead of failing.
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(x - np.max(x, axis=axis))
        return e / np.sum(e, axis=axis, keepdims=True)


@mistake("sum-without-keepdims", replaces="softmax")
def sum_without_keepdims(x, axis=-1):
    shift = np.max(x, axis=axis, keepdims=True)
    e = np.exp(x - np.where(np.isfinite(shift), shift, 0))
    with np.errstate(invalid="ignore", divide="ignore"):
        return e / np.sum(e, axis=axis)


@mistake("all-neg-inf-gives-uniform", replaces="softmax")
def all_neg_inf_gives_uniform(x, axis=-1):
    # -inf replaced by a large negative number (-1e9): a fully masked slice becomes uniform.
    return reference.softmax(np.where(np.isneginf(x), -1e9, x), axis=axis)


@mistake("log-softmax-ignores-axis", replaces="log_softmax")
def log_softmax_ignores_axis(x, axis=-1):
    return reference.log_softmax(x)
