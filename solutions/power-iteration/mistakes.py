"""Known wrong answers for the power-iteration exercise, in the order of exercise.yaml."""

import numpy as np

from grader.testing import mistake


def _iterate(W, v, num_iters, tol):
    """Plain power iteration on WᵀW from the unit vector v: returns (σ, v) without a sign fix."""
    W = np.asarray(W)
    sigma = np.sqrt((W @ v) @ (W @ v))
    for _ in range(num_iters):
        v = W.T @ (W @ v)
        v = v / np.sqrt(v @ v)
        previous, sigma = sigma, np.sqrt((W @ v) @ (W @ v))
        if abs(sigma - previous) < tol * sigma:
            break
    return sigma, v


def _start(W, rng):
    if not np.any(W):
        raise ValueError("W is all zeros")
    v = (np.random.default_rng(0) if rng is None else rng).standard_normal(np.shape(W)[1])
    return v / np.sqrt(v @ v)


def _fix_sign(v):
    return v * np.sign(v[np.argmax(np.abs(v))])


@mistake("returns-sigma-squared", replaces="power_iteration")
def returns_sigma_squared(W, num_iters=200, rng=None, tol=1e-10):
    # The Rayleigh quotient vᵀWᵀWv is the eigenvalue of WᵀW, which is σ², not σ.
    sigma, v = _iterate(W, _start(W, rng), num_iters, tol)
    return float(sigma ** 2), _fix_sign(v)


@mistake("start-from-ones", replaces="power_iteration")
def start_from_ones(W, num_iters=200, rng=None, tol=1e-10):
    _start(W, rng)
    n = np.shape(W)[1]
    sigma, v = _iterate(W, np.ones(n) / np.sqrt(n), num_iters, tol)
    return float(sigma), _fix_sign(v)


@mistake("no-sign-fix", replaces="power_iteration")
def no_sign_fix(W, num_iters=200, rng=None, tol=1e-10):
    sigma, v = _iterate(W, _start(W, rng), num_iters, tol)
    return float(sigma), v


@mistake("sign-from-first-entry", replaces="power_iteration")
def sign_from_first_entry(W, num_iters=200, rng=None, tol=1e-10):
    sigma, v = _iterate(W, _start(W, rng), num_iters, tol)
    return float(sigma), v * np.sign(v[0])


@mistake("divides-by-frobenius-norm", replaces="spectral_normalize")
def divides_by_frobenius_norm(W, num_iters=200, rng=None):
    W = np.asarray(W)
    if not np.any(W):
        raise ValueError("W is all zeros")
    return W / np.sqrt(np.sum(W ** 2))
