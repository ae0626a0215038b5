"""Statistical checks for grading random initializers, with numpy and the standard library only.

A random initializer cannot be graded by comparing its draws with the reference's: any correct
implementation may consume the generator differently. Hidden tests therefore check the
*distribution* of what the student returns, and every check here is built so that a correct
implementation fails it with probability at most ``alpha`` (default ``ALPHA = 1e-6``). The
bounds are rigorous where that is cheap, never asymptotic guesses:

- the mean of normal draws is exactly normal (z-test);
- the sum of squares of normal draws is chi-square; the Laurent-Massart (2000) inequalities
  bound both tails for every ``n``;
- the mean of bounded draws obeys Hoeffding's inequality;
- the Kolmogorov-Smirnov distance obeys the Dvoretzky-Kiefer-Wolfowitz inequality with
  Massart's (1990) constant, ``P(D_n > c) <= 2 exp(-2 n c^2)`` for every ``n``;
- counts are binomial, with exact tails.

A composite check (``assert_normal_sample``, ``assert_uniform_sample``) splits its ``alpha``
over its parts (union bound), so the whole check keeps the stated rate.

The primitives (CDFs, quantiles, the Kolmogorov distribution) are exported for tests that
need their own statistic; ``tests/test_stats.py`` checks them against known values.
"""
from __future__ import annotations

import functools
import math
from typing import Any, Callable

import numpy as np

ALPHA = 1e-6
"""Default probability that a correct implementation fails one check."""

_SQRT2 = math.sqrt(2.0)


# -- distributions -------------------------------------------------------------------------

def normal_cdf(x: np.ndarray | float, mean: float = 0.0, std: float = 1.0) -> np.ndarray:
    """``P(X <= x)`` for ``X ~ N(mean, std²)``, elementwise (float64 array)."""
    z = (np.asarray(x, dtype=np.float64) - mean) / (std * _SQRT2)
    # math.erfc mapped over a list: the same values as np.vectorize(math.erfc), 20x faster (a 4x64x64
    # sample of init_stack took 15 ms through np.vectorize)
    erfc = np.fromiter(map(math.erfc, (-z).ravel().tolist()), dtype=np.float64, count=z.size)
    return 0.5 * erfc.reshape(z.shape)


def normal_sf(z: float) -> float:
    """``P(Z > z)`` for a standard normal ``Z``, accurate far into the tail (via ``erfc``)."""
    return 0.5 * math.erfc(z / _SQRT2)


def normal_isf(p: float) -> float:
    """The ``z`` with ``P(Z > z) = p`` for a standard normal ``Z`` (``0 < p < 1``)."""
    if not 0.0 < p < 1.0:
        raise ValueError(f"p must be in (0, 1), got {p}")
    lo, hi = -40.0, 40.0
    for _ in range(200):  # bisection: normal_sf is monotone; 200 halvings reach float precision
        mid = 0.5 * (lo + hi)
        if normal_sf(mid) > p:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def uniform_cdf(x: np.ndarray | float, low: float, high: float) -> np.ndarray:
    """``P(X <= x)`` for ``X ~ U(low, high)``, elementwise (float64 array)."""
    x = np.asarray(x, dtype=np.float64)
    return np.clip((x - low) / (high - low), 0.0, 1.0)


def kolmogorov_sf(x: float) -> float:
    """``P(K > x)`` for the Kolmogorov distribution, the limit of ``√n · D_n``.

    Two series, each used where it converges fast: ``2 Σ (-1)^(k-1) exp(-2k²x²)`` for large
    ``x``, and ``1 - √(2π)/x Σ exp(-(2k-1)²π²/(8x²))`` for small ``x``.
    """
    if x <= 0.0:
        return 1.0
    if x < 1.0:
        s = sum(math.exp(-((2 * k - 1) ** 2) * math.pi ** 2 / (8 * x * x)) for k in range(1, 20))
        return 1.0 - math.sqrt(2 * math.pi) / x * s
    s = sum((-1) ** (k - 1) * math.exp(-2 * k * k * x * x) for k in range(1, 101))
    return min(1.0, 2.0 * s)


def binomial_sf(k: int, n: int, p: float) -> float:
    """``P(X >= k)`` for ``X ~ Binomial(n, p)``, summed exactly term by term (log space)."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    if p <= 0.0 or p >= 1.0:
        return float(p >= 1.0)
    log_p, log_q = math.log(p), math.log1p(-p)
    logs = [math.lgamma(n + 1) - math.lgamma(j + 1) - math.lgamma(n - j + 1)
            + j * log_p + (n - j) * log_q for j in range(k, n + 1)]
    top = max(logs)
    return min(1.0, math.exp(top) * math.fsum(math.exp(v - top) for v in logs))


def binomial_cdf(k: int, n: int, p: float) -> float:
    """``P(X <= k)`` for ``X ~ Binomial(n, p)``."""
    return binomial_sf(n - k, n, 1.0 - p)


# -- thresholds ----------------------------------------------------------------------------

def ks_statistic(sample: np.ndarray, cdf: Callable[[np.ndarray], np.ndarray]) -> tuple[float, float]:
    """The Kolmogorov-Smirnov distance ``sup |F_n - F|`` and the ``x`` where it is reached."""
    x = np.sort(np.asarray(sample, dtype=np.float64).ravel())
    n = x.size
    f = np.asarray(cdf(x), dtype=np.float64)
    above = np.arange(1, n + 1) / n - f
    below = f - np.arange(0, n) / n
    i, j = int(np.argmax(above)), int(np.argmax(below))
    return (float(above[i]), float(x[i])) if above[i] >= below[j] else (float(below[j]), float(x[j]))


def ks_pvalue(d: float, n: int) -> float:
    """Approximate p-value of a KS distance ``d`` on ``n`` draws (Stephens' finite-n correction)."""
    root = math.sqrt(n)
    return kolmogorov_sf((root + 0.12 + 0.11 / root) * d)


def ks_critical_value(n: int, alpha: float = ALPHA) -> float:
    """A distance ``c`` with ``P(D_n > c) <= alpha`` for every ``n`` (DKW with Massart's constant)."""
    return math.sqrt(math.log(2.0 / alpha) / (2.0 * n))


def chi2_interval(n: int, alpha: float = ALPHA) -> tuple[float, float]:
    """``(lo, hi)`` with ``P(X < lo) + P(X > hi) <= alpha`` for ``X ~ χ²(n)`` (Laurent-Massart)."""
    x = math.log(2.0 / alpha)
    return n - 2.0 * math.sqrt(n * x), n + 2.0 * math.sqrt(n * x) + 2.0 * x


def hoeffding_halfwidth(n: int, width: float, alpha: float = ALPHA) -> float:
    """``t`` with ``P(|mean - E| >= t) <= alpha`` for ``n`` i.i.d. draws in an interval of ``width``."""
    return width * math.sqrt(math.log(2.0 / alpha) / (2.0 * n))


@functools.lru_cache(maxsize=256)  # pure, and tests ask for the same few intervals again and again
def binomial_interval(n: int, p: float, alpha: float = ALPHA) -> tuple[int, int]:
    """The widest ``(lo, hi)`` with ``P(X < lo) + P(X > hi) <= alpha`` for ``X ~ Binomial(n, p)``,
    each tail getting ``alpha / 2``."""
    lo = 0
    while binomial_cdf(lo, n, p) <= alpha / 2:
        lo += 1
    hi = n
    while binomial_sf(hi, n, p) <= alpha / 2:
        hi -= 1
    return lo, hi


# -- checks that a test asserts ------------------------------------------------------------

def _fmt(x: float) -> str:
    return f"{x:.4g}"


def assert_normal_sample(sample: np.ndarray, std: float, *, mean: float = 0.0,
                         alpha: float = ALPHA, what: str = "the entries") -> None:
    """Fail unless ``sample`` looks like i.i.d. draws of ``N(mean, std²)``.

    Three checks sharing ``alpha``: the sample mean (exact z-test), the mean square about
    ``mean`` (chi-square, Laurent-Massart) and the KS distance to the normal CDF (DKW).
    The AssertionError's message is written for the student.
    """
    x = np.asarray(sample, dtype=np.float64).ravel()
    n, part = x.size, alpha / 3
    problems = _finite(x, what)
    if not problems:
        m = float(x.mean())
        z = normal_isf(part / 2)
        if abs(m - mean) > z * std / math.sqrt(n):
            problems.append(f"their mean is {_fmt(m)}, but {n} draws of N({_fmt(mean)}, "
                            f"{_fmt(std)}²) have a mean within {_fmt(z * std / math.sqrt(n))} of {_fmt(mean)}")
        lo, hi = chi2_interval(n, part)
        rms = math.sqrt(float(np.mean((x - mean) ** 2)))
        if not lo <= n * rms ** 2 / std ** 2 <= hi:
            problems.append(f"their standard deviation is {_fmt(rms)} (root mean square about "
                            f"{_fmt(mean)}), expected {_fmt(std)}: ratio {_fmt(rms / std)}")
        d, at = ks_statistic(x, lambda t: normal_cdf(t, mean, std))
        c = ks_critical_value(n, part)
        if d > c:
            problems.append(f"their distribution is not N({_fmt(mean)}, {_fmt(std)}²): the empirical "
                            f"CDF is {_fmt(d)} away from it at x = {_fmt(at)} (allowed: {_fmt(c)})")
    _raise(problems, what, n, alpha)


def assert_uniform_sample(sample: np.ndarray, bound: float, *, alpha: float = ALPHA,
                          what: str = "the entries") -> None:
    """Fail unless ``sample`` looks like i.i.d. draws of ``U(-bound, bound)``.

    Checks sharing ``alpha``: no value outside ``[-bound, bound]`` (up to rounding), the largest
    ``|x|`` close to ``bound`` (``P(max|x| < (1-δ)·bound) = (1-δ)^n``), the mean and the mean
    square (Hoeffding), and the KS distance to the uniform CDF (DKW).
    """
    x = np.asarray(sample, dtype=np.float64).ravel()
    n, part = x.size, alpha / 4
    problems = _finite(x, what)
    if not problems:
        top = float(np.max(np.abs(x)))
        # float32 rounding can push a draw just past the bound
        if top > bound * (1 + 1e-6):
            problems.append(f"some have |x| = {_fmt(top)}, beyond the bound {_fmt(bound)}")
        elif top < bound * part ** (1.0 / n):
            problems.append(f"the largest |x| is {_fmt(top)}, but {n} draws of U(-{_fmt(bound)}, "
                            f"{_fmt(bound)}) come within {_fmt(bound * (1 - part ** (1.0 / n)))} of the bound")
        m = float(x.mean())
        t = hoeffding_halfwidth(n, 2 * bound, part)
        if abs(m) > t:
            problems.append(f"their mean is {_fmt(m)}, expected 0 (within {_fmt(t)})")
        ms = float(np.mean(x ** 2))
        t2 = hoeffding_halfwidth(n, bound ** 2, part)
        if abs(ms - bound ** 2 / 3) > t2:
            problems.append(f"their standard deviation is {_fmt(math.sqrt(ms))}, expected "
                            f"bound/√3 = {_fmt(bound / math.sqrt(3))}")
        d, at = ks_statistic(x, lambda v: uniform_cdf(v, -bound, bound))
        c = ks_critical_value(n, part)
        if d > c:
            problems.append(f"their distribution is not U(-{_fmt(bound)}, {_fmt(bound)}): the "
                            f"empirical CDF is {_fmt(d)} away from it at x = {_fmt(at)} (allowed: {_fmt(c)})")
    _raise(problems, what, n, alpha)


def assert_binomial_count(count: int, n: int, p: float, *, alpha: float = ALPHA,
                          what: str = "the count") -> None:
    """Fail unless ``count`` is a plausible draw of ``Binomial(n, p)`` (both tails, exact)."""
    lo, hi = binomial_interval(n, p, alpha)
    if not lo <= count <= hi:
        raise AssertionError(f"{what} is {count} out of {n}; a correct implementation gives between "
                             f"{lo} and {hi} (expected about {_fmt(n * p)}) except with probability "
                             f"below {alpha:g}")


def _finite(x: np.ndarray, what: str) -> list[str]:
    if x.size == 0:
        return [f"{what} are empty"]
    bad = int(np.count_nonzero(~np.isfinite(x)))
    return [f"{bad} of them are NaN or infinite"] if bad else []


def _raise(problems: list[str], what: str, n: int, alpha: float) -> None:
    if problems:
        lines = "\n".join(f"- {p}" for p in problems)
        raise AssertionError(f"{what} ({n} values) do not have the expected distribution:\n{lines}\n"
                             f"(a correct implementation fails this check with probability below {alpha:g})")


def assert_draws_only_from_rng(draw: Callable[[np.random.Generator], Any], call: str,
                               rng: np.random.Generator) -> None:
    """Same generator state, same draw; another seed, another draw.

    DRAW(generator) calls the student's initializer (CALL names it in messages, e.g.
    ``xavier_uniform(6, 4, rng)``); a seed for the check is taken from RNG. An initializer that
    uses np.random.* or a generator of its own fails one of the two halves. The second half
    (two seeds giving identical continuous draws) fails a correct answer with probability 0.
    """
    seed = int(rng.integers(2**62))
    first = draw(np.random.default_rng(seed))
    again = draw(np.random.default_rng(seed))
    other = draw(np.random.default_rng(seed + 1))
    if not np.array_equal(first, again):
        raise AssertionError(
            f"{call} with default_rng({seed}) gave different results on two calls: the result must "
            "depend only on the generator you are given (np.random.* or a generator of your own breaks that)")
    if np.array_equal(first, other):
        raise AssertionError(
            f"{call} gave the same result for the seeds {seed} and {seed + 1}: draw from the `rng` "
            "argument, not from a generator of your own")
