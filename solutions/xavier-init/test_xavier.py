"""Hidden tests for the xavier-init exercise.

Random initializers are graded by the distribution of what they return, never by comparing
draws with the reference's (any correct implementation may consume the generator differently).
Every student call gets its own fresh generator seeded from the test's `rng`, so the tests hold
whatever the student does with the generator's state.
"""

import math

import numpy as np
import pytest

from grader.stats import assert_normal_sample, assert_uniform_sample, assert_draws_only_from_rng
from grader.testing import assert_does_the_work

FUNCTIONS = ["xavier_uniform", "xavier_normal"]


def _fresh(rng):
    return np.random.default_rng(int(rng.integers(2**63)))


def _fans(kind, size):
    return {"tall": (2 * size, size // 2 + 1), "wide": (size // 2 + 1, 3 * size),
            "square": (size, size)}[kind]


def _check_matrix(W, fan_in, fan_out, function):
    assert isinstance(W, np.ndarray), f"{function} must return a numpy array, got {type(W).__name__}"
    if W.shape == (fan_out, fan_in) and fan_in != fan_out:
        raise AssertionError(f"{function}({fan_in}, {fan_out}, rng) returned shape {W.shape}: that is "
                             f"PyTorch's (out, in) layout. Here weights act on row vectors, y = x @ W, "
                             f"so W has shape (fan_in, fan_out) = ({fan_in}, {fan_out}).")
    assert W.shape == (fan_in, fan_out), (f"{function}({fan_in}, {fan_out}, rng) must have shape "
                                          f"(fan_in, fan_out) = ({fan_in}, {fan_out}), got {W.shape}")
    assert W.dtype.kind == "f", f"{function} must return floating-point numbers, got dtype {W.dtype}"


def _assert_draws_right(student, reference, rng, function):
    """The work behind every side property below: FUNCTION(64, 32, rng, gain=1.5) is a (64, 32)
    matrix of draws from the right distribution. A correct initializer fails this check with
    probability below 1e-6 (grader.stats); None, zeros, noise or a ValueError fail it always."""
    fan_in, fan_out, gain = 64, 32, 1.5

    def check(W):
        _check_matrix(W, fan_in, fan_out, function)
        what = f"the entries of {function}(64, 32, rng, gain=1.5)"
        if function == "xavier_uniform":
            assert_uniform_sample(W, gain * math.sqrt(6.0 / (fan_in + fan_out)), what=what)
        else:
            assert_normal_sample(W, gain * math.sqrt(2.0 / (fan_in + fan_out)), what=what)
    assert_does_the_work(student, reference, function, fan_in, fan_out, _fresh(rng), gain=gain, check=check)


@pytest.mark.statistical
@pytest.mark.points(1)
@pytest.mark.parametrize("function", FUNCTIONS)
def test_shape_and_dtype(student, reference, rng, function):
    """The weight matrix has shape (fan_in, fan_out), one row per input and one column per
    output (y = x @ W), and holds finite floating-point numbers; tall, wide and square. The
    points go to an initializer that draws from the right distribution too: a correct one
    fails this test with probability below 1e-6."""
    _assert_draws_right(student, reference, rng, function)
    for fan_in, fan_out in [(5, 3), (3, 5), (4, 4), (16, 1), (1, 9)]:
        W = getattr(student, function)(fan_in, fan_out, _fresh(rng))
        _check_matrix(W, fan_in, fan_out, function)
        assert np.all(np.isfinite(W)), f"{function}({fan_in}, {fan_out}, rng) contains NaN or inf"


# Why these numbers (default size 64; n entries per case: tall 128x33 = 4224, wide 33x192 = 6336,
# square 64x64 = 4096). assert_uniform_sample splits alpha = 1e-6 over its checks with rigorous
# bounds (exact max law, Hoeffding, DKW), so a correct answer fails a case with probability
# <= 1e-6. Every catalogued mistake for xavier_uniform draws from U(-a', a') with a' > a:
# fan_in only gives a'/a = sqrt((fan_in+fan_out)/fan_in) >= sqrt(161/128) = 1.12, the precedence
# error a' = gain*sqrt(6/fan_in + fan_out) is far larger; all n draws stay inside [-a, a] with
# probability (a/a')^n <= (1/1.12)^4096 < 1e-200, so the "beyond the bound" check catches them
# with probability above 1 - 1e-200. The (out, in) layout fails the shape check on tall/wide.
@pytest.mark.statistical
@pytest.mark.points(3)
@pytest.mark.shrink(64)
@pytest.mark.parametrize("kind, gain", [
    pytest.param("tall", 1.0, id="tall-gain1"),
    pytest.param("wide", 2.0, id="wide-gain2"),
    pytest.param("square", math.sqrt(2), id="square-gain_sqrt2"),
])
def test_uniform_distribution(student, rng, size, kind, gain):
    """xavier_uniform draws every entry from U(-a, a) with a = gain·√(6 / (fan_in + fan_out)):
    no entry beyond a, the largest close to a, mean 0, standard deviation a/√3 and a flat
    histogram (Kolmogorov–Smirnov). Statistical test: a correct initializer fails it with
    probability below 1e-6; each known mistake is caught with probability above 1 − 1e-6."""
    fan_in, fan_out = _fans(kind, size)
    W = student.xavier_uniform(fan_in, fan_out, _fresh(rng), gain=gain)
    _check_matrix(W, fan_in, fan_out, "xavier_uniform")
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    assert_uniform_sample(W, bound, what=f"the entries of xavier_uniform({fan_in}, {fan_out}, rng, gain={gain:.4g})")


# Same sizes as above; assert_normal_sample: exact z-test on the mean, Laurent-Massart chi-square
# bounds on the mean square, DKW on the histogram, alpha = 1e-6 in total. Mistakes for
# xavier_normal scale the standard deviation by r: without the square root r = sqrt(2/(fan_in +
# fan_out)) <= 0.13; gain ignored r = 1/gain = 0.6 (wide) or 2 (square). For n = 4096 draws the
# chi-square check accepts only 0.88 < (measured/expected)^2 < 1.13; sum(x^2)/sigma^2 ~ r^2 chi2(n)
# lands there for r = 0.6 or 2 with probability below exp(-500) (Laurent-Massart tail bounds).
@pytest.mark.statistical
@pytest.mark.points(3)
@pytest.mark.shrink(64)
@pytest.mark.parametrize("kind, gain", [
    pytest.param("tall", 1.0, id="tall-gain1"),
    pytest.param("wide", 5 / 3, id="wide-gain5_3"),
    pytest.param("square", 0.5, id="square-gain0.5"),
])
def test_normal_distribution(student, rng, size, kind, gain):
    """xavier_normal draws every entry from N(0, σ²) with σ = gain·√(2 / (fan_in + fan_out)):
    mean 0, standard deviation σ and a Gaussian histogram (Kolmogorov–Smirnov). Statistical test:
    a correct initializer fails it with probability below 1e-6; each known mistake is caught
    with probability above 1 − 1e-6."""
    fan_in, fan_out = _fans(kind, size)
    W = student.xavier_normal(fan_in, fan_out, _fresh(rng), gain=gain)
    _check_matrix(W, fan_in, fan_out, "xavier_normal")
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    assert_normal_sample(W, std, what=f"the entries of xavier_normal({fan_in}, {fan_out}, rng, gain={gain:.4g})")


@pytest.mark.statistical
@pytest.mark.points(1.5)
@pytest.mark.parametrize("function", FUNCTIONS)
def test_draws_only_from_the_given_rng(student, reference, rng, function):
    """Same generator state, same matrix: two generators made with the same seed give identical
    weights, and a different seed gives different weights. Draw only from the `rng` argument,
    not from np.random.* or from a generator of your own. The points go to an initializer that
    draws from the right distribution too: a correct one fails with probability below 1e-6."""
    _assert_draws_right(student, reference, rng, function)
    assert_draws_only_from_rng(lambda g: getattr(student, function)(6, 4, g), f"{function}(6, 4, rng)", rng)


@pytest.mark.statistical
@pytest.mark.points(1.5)
@pytest.mark.visibility("hidden")
def test_degenerate_sizes_and_zero_gain(student, reference, rng):
    """A single weight (1×1), a single row or column, and gain 0: the entries stay within the
    bound a (uniform), are finite (normal), and gain = 0 gives an all-zero matrix, from
    initializers that draw from the right distributions on an ordinary size too (a correct
    pair fails this test with probability below 2e-6)."""
    for function in FUNCTIONS:
        _assert_draws_right(student, reference, rng, function)
    for fan_in, fan_out in [(1, 1), (1, 6), (6, 1)]:
        bound = math.sqrt(6.0 / (fan_in + fan_out))
        U = student.xavier_uniform(fan_in, fan_out, _fresh(rng))
        _check_matrix(U, fan_in, fan_out, "xavier_uniform")
        assert np.all(np.abs(U) <= bound * (1 + 1e-6)), (
            f"xavier_uniform({fan_in}, {fan_out}, rng) has an entry {np.max(np.abs(U)):.4g} beyond "
            f"a = √(6 / (fan_in + fan_out)) = {bound:.4g}")
        N = student.xavier_normal(fan_in, fan_out, _fresh(rng))
        _check_matrix(N, fan_in, fan_out, "xavier_normal")
        assert np.all(np.isfinite(N)), f"xavier_normal({fan_in}, {fan_out}, rng) contains NaN or inf"
    for function in FUNCTIONS:
        Z = getattr(student, function)(3, 5, _fresh(rng), gain=0.0)
        _check_matrix(Z, 3, 5, function)
        assert np.all(Z == 0), f"{function}(3, 5, rng, gain=0.0) must be all zeros (a and σ are 0)"
