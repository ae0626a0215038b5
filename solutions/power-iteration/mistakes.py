"""Known wrong answers for the power-iteration exercise, in the order of exercise.yaml."""

import numpy as np

from grader.testing import mistake


def _iterate(W, v, num_iters, tol, *, renormalize=True, relative=True):
    """Plain power iteration on WᵀW from the unit vector v: returns (σ, v) without a sign fix.

    The switches are two slips: RENORMALIZE=False multiplies the unnormalized vector again and
    again (normalizing only to read σ), RELATIVE=False stops on an absolute change of σ.
    """
    W = np.asarray(W)
    x = v
    sigma = np.sqrt((W @ v) @ (W @ v))
    with np.errstate(over="ignore", invalid="ignore", under="ignore", divide="ignore"):
        for _ in range(num_iters):
            x = W.T @ (W @ (v if renormalize else x))
            v = x / np.sqrt(x @ x)
            previous, sigma = sigma, np.sqrt((W @ v) @ (W @ v))
            if abs(sigma - previous) < (tol * sigma if relative else tol):
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


@mistake("no-normalization-in-loop", replaces="power_iteration")
def no_normalization_in_loop(W, num_iters=200, rng=None, tol=1e-10):
    # x = WᵀW x over and over: x grows like σ₁^(2k) and overflows (or underflows).
    sigma, v = _iterate(W, _start(W, rng), num_iters, tol, renormalize=False)
    return float(sigma), _fix_sign(v)


@mistake("absolute-tolerance", replaces="power_iteration")
def absolute_tolerance(W, num_iters=200, rng=None, tol=1e-10):
    # |σ - σ_previous| < tol: meaningless when σ is 1e-4 or 1e4.
    sigma, v = _iterate(W, _start(W, rng), num_iters, tol, relative=False)
    return float(sigma), _fix_sign(v)


@mistake("left-singular-vector", replaces="power_iteration")
def left_singular_vector(W, num_iters=200, rng=None, tol=1e-10):
    # Power iteration on W Wᵀ: converges to σ₁ and the LEFT singular vector u (length m).
    W = np.asarray(W)
    _start(W, rng)
    u = (np.random.default_rng(0) if rng is None else rng).standard_normal(W.shape[0])
    u = u / np.sqrt(u @ u)
    sigma, u = _iterate(W.T, u, num_iters, tol)
    return float(sigma), _fix_sign(u)
