"""grader.stats: the distributions against known values, the thresholds against their promises."""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from grader import stats

# Reference values computed once with scipy (scipy.special.kolmogorov, scipy.stats.norm), which
# the project itself does not depend on.
KOLMOGOROV = [(0.3, 0.9999906941986655), (0.5, 0.9639452436648751), (0.8, 0.544142411574198),
              (1.0, 0.26999967167735456), (1.2, 0.11224966667072496), (2.0, 0.0006709252557796953),
              (3.0, 3.045995948942526e-08)]


@pytest.mark.parametrize("x, expected", KOLMOGOROV)
def test_kolmogorov_sf_matches_known_values(x: float, expected: float) -> None:
    assert stats.kolmogorov_sf(x) == pytest.approx(expected, rel=1e-12)


def test_kolmogorov_sf_is_continuous_where_the_series_switch() -> None:
    assert stats.kolmogorov_sf(1.0 - 1e-12) == pytest.approx(stats.kolmogorov_sf(1.0), abs=1e-10)
    assert stats.kolmogorov_sf(0.0) == 1.0


def test_normal_cdf_and_quantiles() -> None:
    np.testing.assert_allclose(stats.normal_cdf([-1.0, 0.0, 1.0]),
                               [0.15865525393145707, 0.5, 0.8413447460685429], rtol=1e-14)
    np.testing.assert_allclose(stats.normal_cdf(3.0, mean=1.0, std=2.0), 0.8413447460685429, rtol=1e-14)
    assert stats.normal_isf(0.025) == pytest.approx(1.959963984540054, rel=1e-12)
    assert stats.normal_isf(5e-7) == pytest.approx(4.891638475698591, rel=1e-12)
    assert stats.normal_sf(stats.normal_isf(1e-9)) == pytest.approx(1e-9, rel=1e-9)
    with pytest.raises(ValueError):
        stats.normal_isf(0.0)


def test_uniform_cdf_clips_outside_the_support() -> None:
    np.testing.assert_array_equal(stats.uniform_cdf([-3.0, -1.0, 0.0, 0.5, 2.0], -1.0, 1.0),
                                  [0.0, 0.0, 0.5, 0.75, 1.0])


@pytest.mark.parametrize("n, p", [(10, 0.5), (25, 0.3), (7, 0.9)])
def test_binomial_tails_are_exact(n: int, p: float) -> None:
    q = Fraction(p)
    pmf = [math.comb(n, j) * q ** j * (1 - q) ** (n - j) for j in range(n + 1)]
    for k in range(n + 2):
        assert stats.binomial_sf(k, n, p) == pytest.approx(float(sum(pmf[k:])), rel=1e-12, abs=1e-300)
        if k <= n:
            assert stats.binomial_cdf(k, n, p) == pytest.approx(float(sum(pmf[:k + 1])), rel=1e-12)


def test_binomial_interval_is_the_widest_that_keeps_alpha() -> None:
    n, p, alpha = 200, 0.5, 1e-6
    lo, hi = stats.binomial_interval(n, p, alpha)
    assert stats.binomial_cdf(lo - 1, n, p) <= alpha / 2 < stats.binomial_cdf(lo, n, p)
    assert stats.binomial_sf(hi + 1, n, p) <= alpha / 2 < stats.binomial_sf(hi, n, p)
    assert lo + hi == n  # symmetric for p = 1/2


def test_ks_statistic_on_small_samples() -> None:
    d, at = stats.ks_statistic(np.array([0.5]), lambda x: stats.uniform_cdf(x, 0.0, 1.0))
    assert (d, at) == (0.5, 0.5)
    d, _ = stats.ks_statistic(np.array([0.75, 0.25]), lambda x: stats.uniform_cdf(x, 0.0, 1.0))
    assert d == pytest.approx(0.25)


def test_thresholds_keep_their_promise() -> None:
    n, alpha = 5000, 1e-6
    c = stats.ks_critical_value(n, alpha)
    assert 2 * math.exp(-2 * n * c * c) == pytest.approx(alpha)
    # the exact chi-square(1000) quantiles at 5e-7 and 1 - 5e-7 lie inside the interval
    lo, hi = stats.chi2_interval(1000, alpha)
    assert lo < 796.3094873 and 1234.2428882 < hi
    assert stats.hoeffding_halfwidth(n, 2.0, alpha) == pytest.approx(2.0 * math.sqrt(math.log(2 / alpha) / (2 * n)))
    assert stats.ks_pvalue(c, n) <= alpha * 1.01


def test_assert_normal_sample_accepts_and_rejects() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(0.0, 0.3, size=4000)
    stats.assert_normal_sample(x, 0.3)
    stats.assert_normal_sample(x + 2.0, 0.3, mean=2.0)
    with pytest.raises(AssertionError, match="standard deviation is 0.2"):
        stats.assert_normal_sample(x, 0.3 * math.sqrt(2))
    with pytest.raises(AssertionError, match="mean"):
        stats.assert_normal_sample(x + 0.1, 0.3)
    with pytest.raises(AssertionError, match="not N"):
        stats.assert_normal_sample(rng.uniform(-0.3 * math.sqrt(3), 0.3 * math.sqrt(3), size=20000), 0.3)
    with pytest.raises(AssertionError, match="NaN"):
        stats.assert_normal_sample(np.array([0.1, np.nan]), 0.3)


def test_assert_uniform_sample_accepts_and_rejects() -> None:
    rng = np.random.default_rng(1)
    x = rng.uniform(-0.5, 0.5, size=4000)
    stats.assert_uniform_sample(x, 0.5)
    stats.assert_uniform_sample(x.astype(np.float32), 0.5)
    with pytest.raises(AssertionError, match="beyond the bound"):
        stats.assert_uniform_sample(x, 0.45)
    with pytest.raises(AssertionError, match="largest"):
        stats.assert_uniform_sample(x, 0.55)
    # density rising towards the bound: within the support, reaching it, but the wrong shape
    skewed = np.sign(x) * 0.5 * np.sqrt(np.abs(x) / 0.5)
    with pytest.raises(AssertionError, match="not U"):
        stats.assert_uniform_sample(skewed, 0.5)


def test_assert_binomial_count() -> None:
    stats.assert_binomial_count(50, 100, 0.5)
    with pytest.raises(AssertionError, match="100 out of 100"):
        stats.assert_binomial_count(100, 100, 0.5, what="the number of negative signs")


def test_false_failure_rate_is_at_most_alpha() -> None:
    """At alpha = 0.3 the rate is measurable; the rigorous bounds keep it at or below alpha."""
    rng = np.random.default_rng(2)
    failures = 0
    for _ in range(200):
        try:
            stats.assert_normal_sample(rng.normal(0.0, 1.0, size=50), 1.0, alpha=0.3)
        except AssertionError:
            failures += 1
    assert failures / 200 <= 0.3


def test_assert_draws_only_from_rng_tells_the_two_failures_apart():
    from grader.stats import assert_draws_only_from_rng
    rng = np.random.default_rng(0)
    assert_draws_only_from_rng(lambda g: g.standard_normal(4), "f(rng)", rng)
    own = np.random.default_rng(1)
    with pytest.raises(AssertionError, match="different results on two calls"):
        assert_draws_only_from_rng(lambda g: own.standard_normal(4), "f(rng)", rng)
    with pytest.raises(AssertionError, match="same result for the seeds"):
        assert_draws_only_from_rng(lambda g: np.random.default_rng(7).standard_normal(4), "f(rng)", rng)
