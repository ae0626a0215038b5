"""Hidden tests for the kaiming-init exercise.

calculate_gain is deterministic and compared exactly (float64 tolerance). The two initializers
are graded by the distribution of what they return (see grader.stats); every call gets its own
fresh generator seeded from the test's `rng`.
"""

import math

import numpy as np
import pytest

from grader.stats import assert_normal_sample, assert_uniform_sample, assert_draws_only_from_rng
from grader.testing import assert_close, assert_does_the_work

INITIALIZERS = ["kaiming_normal", "kaiming_uniform"]


def _fresh(rng):
    return np.random.default_rng(int(rng.integers(2**63)))


def _fans(kind, size):
    return {"tall": (2 * size, size // 2 + 1), "wide": (size // 2 + 1, 3 * size)}[kind]


def _gain(student, nonlinearity, *param):
    value = student.calculate_gain(nonlinearity, *param)
    shown = ", ".join(repr(v) for v in (nonlinearity, *param))
    assert isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)), (
        f"calculate_gain({shown}) must return a number, got {type(value).__name__}")
    return value


def _check_matrix(W, fan_in, fan_out, function):
    assert isinstance(W, np.ndarray), f"{function} must return a numpy array, got {type(W).__name__}"
    assert W.shape == (fan_in, fan_out), (f"{function}({fan_in}, {fan_out}, rng, ...) must have shape "
                                          f"(fan_in, fan_out) = ({fan_in}, {fan_out}), got {W.shape}")
    assert W.dtype.kind == "f", f"{function} must return floating-point numbers, got dtype {W.dtype}"


@pytest.mark.points(1.5)
def test_gain_of_each_nonlinearity(student):
    """calculate_gain gives 1 for linear and sigmoid, 5/3 for tanh and √2 for relu."""
    for name, expected in [("linear", 1.0), ("sigmoid", 1.0), ("tanh", 5.0 / 3.0), ("relu", math.sqrt(2.0))]:
        assert_close(_gain(student, name), expected, name=f"calculate_gain({name!r})")


@pytest.mark.points(1)
@pytest.mark.parametrize("param", [None, 0.2, 1.0, -0.5, 3.0])
def test_leaky_relu_gain(student, reference, param):
    """calculate_gain('leaky_relu', param) is √(2 / (1 + slope²)) with slope = param, and the
    default slope 0.01 when param is None."""
    # A slope of 1 gives a gain of exactly 1, what a constant gives: a generic slope first.
    assert_does_the_work(student, reference, "calculate_gain", "leaky_relu", 0.3)
    slope = 0.01 if param is None else param
    assert_close(_gain(student, "leaky_relu", param), math.sqrt(2.0 / (1.0 + slope ** 2)),
                 name=f"calculate_gain('leaky_relu', {param!r})")


@pytest.mark.points(0.5)
@pytest.mark.visibility("hidden")
def test_leaky_relu_zero_slope(student):
    """A leaky ReLU with slope 0 is a plain ReLU: calculate_gain('leaky_relu', 0) is √2, not the
    gain of the default slope 0.01 (only None means "use the default")."""
    params = (0, 0.0, 0.5)
    # every call before the first assertion, so that the diagnosis sees the slope 0.5 too (it
    # separates "slope ignored" from "0 taken for None")
    gains = [_gain(student, "leaky_relu", param) for param in params]
    for param, gain in zip(params, gains):
        assert_close(gain, math.sqrt(2.0 / (1.0 + param ** 2)), name=f"calculate_gain('leaky_relu', {param!r})")


@pytest.mark.points(0.5)
def test_unknown_nonlinearity(student, reference):
    """calculate_gain raises ValueError for a nonlinearity it does not know (names are exact:
    'linear', 'sigmoid', 'tanh', 'relu', 'leaky_relu'), while the ones it knows get their gain."""
    for known in ("tanh", "relu"):
        assert_does_the_work(student, reference, "calculate_gain", known)
    for name in ["gelu", "softplus", "", "leaky-relu"]:
        with pytest.raises(ValueError):
            student.calculate_gain(name)


def _assert_draws_right(student, reference, rng, function):
    """The work behind every side property below: FUNCTION(64, 32, rng) (ReLU, fan_in) is a
    (64, 32) matrix of draws from the right distribution, σ = √2 / 8. A correct initializer
    fails this check with probability below 1e-6 (grader.stats); None, zeros, noise or a
    ValueError fail it always."""
    std = _expected_std(64, 32, "fan_in", "relu", 0.0)

    def check(W):
        _check_matrix(W, 64, 32, function)
        what = f"the entries of {function}(64, 32, rng)"
        if function == "kaiming_uniform":
            assert_uniform_sample(W, math.sqrt(3.0) * std, what=what)
        else:
            assert_normal_sample(W, std, what=what)
    assert_does_the_work(student, reference, function, 64, 32, _fresh(rng), check=check)


@pytest.mark.statistical
@pytest.mark.points(1)
@pytest.mark.parametrize("function", INITIALIZERS)
def test_shape_and_dtype(student, reference, rng, function):
    """The weight matrix has shape (fan_in, fan_out), whatever the mode, and holds finite
    floating-point numbers. The points go to an initializer that draws from the right
    distribution too: a correct one fails this test with probability below 1e-6."""
    _assert_draws_right(student, reference, rng, function)
    for fan_in, fan_out, mode in [(5, 3, "fan_in"), (3, 5, "fan_out"), (1, 4, "fan_in"), (6, 1, "fan_out")]:
        W = getattr(student, function)(fan_in, fan_out, _fresh(rng), mode=mode)
        _check_matrix(W, fan_in, fan_out, function)
        assert np.all(np.isfinite(W)), f"{function}({fan_in}, {fan_out}, rng, mode={mode!r}) contains NaN or inf"


CASES = [
    pytest.param("tall", "fan_in", "relu", 0.0, id="relu-fan_in"),
    pytest.param("wide", "fan_out", "tanh", 0.0, id="tanh-fan_out"),
    pytest.param("tall", "fan_out", "leaky_relu", 0.2, id="leaky0.2-fan_out"),
    pytest.param("wide", "fan_in", "linear", 0.0, id="linear-fan_in"),
]


def _expected_std(fan_in, fan_out, mode, nonlinearity, a):
    gain = {"relu": math.sqrt(2.0), "tanh": 5.0 / 3.0, "linear": 1.0,
            "leaky_relu": math.sqrt(2.0 / (1.0 + a * a))}[nonlinearity]
    return gain / math.sqrt(fan_in if mode == "fan_in" else fan_out)


# Default size 64: tall = 128x33 (n = 4224), wide = 33x192 (n = 6336); fan_in != fan_out by a
# factor of 4 or more, so every (mode, nonlinearity) pair has its own sigma. assert_normal_sample
# (exact z-test, Laurent-Massart chi-square bounds, DKW) fails a correct answer with probability
# <= 1e-6. Its chi-square part accepts (measured/expected std)^2 only within 1 -/+ 0.1 at these
# n. Mistakes scale the std by r: variance as std, r = gain/sqrt(fan) <= 0.13 in every case;
# nonlinearity ignored, r = sqrt(2)/gain = 0.85 (tanh) or 1.41 (linear), so sum(x^2)/sigma^2 ~
# r^2 chi2(6336) would have to move by more than 1500 from its expectation: probability below
# exp(-300) by the Laurent-Massart tail bounds. (With leaky 0.2, r = 1.02: that case cannot tell
# it, the tanh and linear cases do.)
@pytest.mark.statistical
@pytest.mark.points(2)
@pytest.mark.shrink(64)
@pytest.mark.parametrize("kind, mode, nonlinearity, a", CASES)
def test_normal_distribution(student, rng, size, kind, mode, nonlinearity, a):
    """kaiming_normal draws every entry from N(0, σ²) with σ = gain / √fan, where fan is fan_in
    or fan_out as `mode` says and gain = calculate_gain(nonlinearity, a): mean 0, standard
    deviation σ and a Gaussian histogram (Kolmogorov–Smirnov). Statistical test: a correct
    initializer fails it with probability below 1e-6; each known mistake is caught with
    probability above 1 − 1e-6."""
    fan_in, fan_out = _fans(kind, size)
    W = student.kaiming_normal(fan_in, fan_out, _fresh(rng), mode=mode, nonlinearity=nonlinearity, a=a)
    _check_matrix(W, fan_in, fan_out, "kaiming_normal")
    assert_normal_sample(W, _expected_std(fan_in, fan_out, mode, nonlinearity, a),
                         what=f"the entries of kaiming_normal({fan_in}, {fan_out}, rng, mode={mode!r}, "
                              f"nonlinearity={nonlinearity!r}, a={a})")


# Same cases. assert_uniform_sample: exact law of the maximum, Hoeffding, DKW; alpha = 1e-6.
# Mistakes draw from U(-b', b'): the std used as the bound, b' = b/sqrt(3), so no draw comes near
# b (caught with certainty); fan_in and fan_out swapped, b'/b = sqrt(fan/other) >= 1.97 or <= 0.51 at
# the default size: all n >= 4224 draws stay inside [-b, b] with probability 0.51^4224 < 1e-1000,
# or none comes within b*(1 - 0.51) of b (certain).
@pytest.mark.statistical
@pytest.mark.points(2)
@pytest.mark.shrink(64)
@pytest.mark.parametrize("kind, mode, nonlinearity, a", CASES)
def test_uniform_distribution(student, rng, size, kind, mode, nonlinearity, a):
    """kaiming_uniform draws every entry from U(-b, b) with b = gain·√(3 / fan), the bound whose
    standard deviation is gain / √fan: no entry beyond b, the largest close to b, mean 0,
    standard deviation b/√3 and a flat histogram (Kolmogorov–Smirnov). Statistical test: a
    correct initializer fails it with probability below 1e-6; each known mistake is caught with
    probability above 1 − 1e-6."""
    fan_in, fan_out = _fans(kind, size)
    W = student.kaiming_uniform(fan_in, fan_out, _fresh(rng), mode=mode, nonlinearity=nonlinearity, a=a)
    _check_matrix(W, fan_in, fan_out, "kaiming_uniform")
    assert_uniform_sample(W, math.sqrt(3.0) * _expected_std(fan_in, fan_out, mode, nonlinearity, a),
                          what=f"the entries of kaiming_uniform({fan_in}, {fan_out}, rng, mode={mode!r}, "
                               f"nonlinearity={nonlinearity!r}, a={a})")


@pytest.mark.statistical
@pytest.mark.points(0.5)
@pytest.mark.parametrize("function", INITIALIZERS)
def test_unknown_mode_or_nonlinearity(student, reference, rng, function):
    """An unknown mode (only 'fan_in' and 'fan_out' exist) or an unknown nonlinearity raises
    ValueError, from an initializer that draws from the right distribution for the known ones
    (a correct one fails this test with probability below 1e-6)."""
    _assert_draws_right(student, reference, rng, function)
    init = getattr(student, function)
    for kwargs in [{"mode": "fan_avg"}, {"mode": "in"}, {"nonlinearity": "gelu"}]:
        with pytest.raises(ValueError):
            init(4, 3, _fresh(rng), **kwargs)


@pytest.mark.statistical
@pytest.mark.points(0.5)
@pytest.mark.parametrize("function", INITIALIZERS)
def test_draws_only_from_the_given_rng(student, reference, rng, function):
    """Same generator state, same matrix: two generators made with the same seed give identical
    weights, and a different seed gives different weights. Draw only from the `rng` argument,
    not from np.random.* or from a generator of your own. The points go to an initializer that
    draws from the right distribution too: a correct one fails with probability below 1e-6."""
    _assert_draws_right(student, reference, rng, function)
    assert_draws_only_from_rng(lambda g: getattr(student, function)(6, 4, g), f"{function}(6, 4, rng)", rng)


# 128x33 = 4224 draws. Correct answers fail with probability below 1e-6 (as above). The
# mistake: a default slope a other than 0, e.g. 1 (gain 1 instead of √2), scales the std by
# r <= 0.71, far beyond the chi-square bound's 1 -/+ 0.1 (probability below exp(-300)).
@pytest.mark.statistical
@pytest.mark.points(0.5)
@pytest.mark.parametrize("function", INITIALIZERS)
def test_leaky_relu_default_slope_is_zero(student, rng, function):
    """nonlinearity='leaky_relu' without `a` uses the default a = 0.0, a slope of 0: the gain is
    √2, as for a plain ReLU. Statistical test: a correct initializer fails it with probability
    below 1e-6."""
    fan_in, fan_out = 128, 33
    W = getattr(student, function)(fan_in, fan_out, _fresh(rng), nonlinearity="leaky_relu")
    _check_matrix(W, fan_in, fan_out, function)
    std = math.sqrt(2.0) / math.sqrt(fan_in)
    what = f"the entries of {function}({fan_in}, {fan_out}, rng, nonlinearity='leaky_relu')"
    if function == "kaiming_normal":
        assert_normal_sample(W, std, what=what)
    else:
        assert_uniform_sample(W, math.sqrt(3.0) * std, what=what)
