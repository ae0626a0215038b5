"""Hidden tests for the power-iteration exercise.

Every matrix is built as U·diag(s)·Vᵀ with known singular values, so the expected σ and v come
from the construction, not from the reference. Accuracy is graded only on matrices with a
spectral gap σ₂/σ₁ <= 0.9, at the tolerances the contract promises: 1e-6 relative on σ and
1e-4 on v (a stop on the change of σ leaves v accurate to about √tol = 1e-5, not better).
"""

import numpy as np
import pytest

from grader.testing import assert_close, assert_does_the_work, assert_inputs_unchanged

SIGMA_RTOL = 1e-6
V_ATOL = 1e-4


def _fresh(rng):
    return np.random.default_rng(int(rng.integers(2**63)))


def _orthonormal_columns(rng, n, k):
    q, r = np.linalg.qr(rng.standard_normal((n, k)))
    return q * np.sign(np.diag(r))


def _sign_fixed(v):
    return v * np.sign(v[np.argmax(np.abs(v))])


def _clear_top_entry(v):
    """True when one entry of v is clearly the largest in magnitude: otherwise the sign
    convention would hinge on rounding and a correct answer could come out flipped."""
    top = np.sort(np.abs(v))[::-1]
    return len(v) == 1 or top[0] - top[1] > 0.05


def _positive_first_entry(v1):
    # With v₁[0] > 0 the two sign conventions (largest entry, first entry) agree, so a wrong
    # sign here has one explanation only; test_sign_convention separates them on purpose.
    return v1[0] > 0.05


def _gap_matrix(rng, m, n, ratio, accept=_positive_first_entry):
    """W (m, n) with σ₂ = ratio·σ₁, the other singular values below σ₂. Returns W, σ₁ and
    the top right singular vector with its largest entry positive."""
    k = min(m, n)
    s = np.empty(k)
    s[0] = rng.uniform(1.5, 4.0)
    if k > 1:
        s[1] = ratio * s[0]
        s[2:] = np.sort(rng.uniform(0.0, s[1], k - 2))[::-1]
    while True:
        V = _orthonormal_columns(rng, n, k)
        v1 = _sign_fixed(V[:, 0])
        if _clear_top_entry(v1) and accept(v1):
            break
    W = (_orthonormal_columns(rng, m, k) * s) @ V.T
    return W, s[0], v1


def _check(result, sigma, v1, what, sigma_rtol=SIGMA_RTOL, v_atol=V_ATOL):
    assert isinstance(result, (tuple, list)) and len(result) == 2, \
        f"power_iteration must return a pair (sigma, v), got {type(result).__name__}"
    got_sigma, got_v = result
    assert_close(got_sigma, sigma, rtol=sigma_rtol, atol=0.0, name=f"sigma for {what}")
    assert isinstance(got_v, np.ndarray) and got_v.shape == v1.shape, (
        f"v for {what} must be an array of shape {v1.shape}, got "
        f"{got_v.shape if isinstance(got_v, np.ndarray) else type(got_v).__name__}")
    assert_close(got_v, v1, rtol=0.0, atol=v_atol, name=f"v for {what}")


@pytest.mark.points(2)
@pytest.mark.shrink(8)
def test_power_iteration_random(student, rng, size):
    """σ₁ and the top right singular vector of a tall, a wide and a square matrix, with a
    spectral gap σ₂/σ₁ between 0.3 and 0.9 (exactly 0.9 for the second one): σ within 1e-6
    relative, v of shape (n,) within 1e-4, unit length, largest entry positive."""
    shapes = [(size + 2, size), (size, size + 3), (size, size)]
    ratios = [rng.uniform(0.3, 0.9), 0.9, rng.uniform(0.3, 0.9)]
    for (m, n), ratio in zip(shapes, ratios):
        W, sigma, v1 = _gap_matrix(rng, m, n, ratio)
        result = student.power_iteration(W, rng=_fresh(rng))
        _check(result, sigma, v1, f"a {m}×{n} matrix with σ₂/σ₁ = {ratio:.3g}")
    assert_inputs_unchanged()


@pytest.mark.points(1.5)
def test_sign_convention(student, rng):
    """v and -v are both singular vectors; the contract picks the one whose entry of largest
    magnitude is positive. These matrices are chosen so that the iteration ends on -v unless
    you flip it, and so that looking at v[0] instead of the largest entry gives the wrong sign."""
    seed = int(rng.integers(2**63))
    x = np.random.default_rng(seed).standard_normal(6)  # the start vector the contract prescribes
    cases = [
        # power iteration keeps the sign of x·v₁, which is negative here: v must be flipped
        (lambda v1: x @ v1 < 0 and v1[0] > 0, "a matrix where the iteration ends on -v"),
        # the first entry is negative but the largest one is positive: no flip is needed
        (lambda v1: x @ v1 > 0 and v1[0] < 0, "a matrix whose v has a negative first entry"),
    ]
    for accept, what in cases:
        W, sigma, v1 = _gap_matrix(rng, 8, 6, rng.uniform(0.3, 0.7), accept)
        _check(student.power_iteration(W, rng=np.random.default_rng(seed)), sigma, v1, what)


@pytest.mark.points(1.5)
def test_start_vector_from_rng(student, rng):
    """When all singular values are equal (W = c·Q with orthonormal columns), every unit vector
    is a top singular vector, so power iteration never moves: v is your normalized start
    vector, which must be rng.standard_normal(n), and a fresh np.random.default_rng(0) when
    rng is None (so two calls with rng=None agree exactly)."""
    c = rng.uniform(1.5, 3.0)
    W = c * _orthonormal_columns(rng, 7, 5)
    while True:
        # A start vector whose largest entry is clearly positive, as is that of default_rng(0)'s:
        # this test is about where the iteration starts, the sign convention is graded elsewhere.
        seed = int(rng.integers(2**63))
        x = np.random.default_rng(seed).standard_normal(5)
        if _clear_top_entry(x / np.sqrt(x @ x)) and x[np.argmax(np.abs(x))] > 0 and x[0] > 0:
            break
    for start_rng, given in ((np.random.default_rng(seed), f"rng=default_rng({seed})"), (None, "rng=None")):
        x = (np.random.default_rng(seed) if start_rng is not None else np.random.default_rng(0)).standard_normal(5)
        result = student.power_iteration(W, rng=start_rng)
        _check(result, c, _sign_fixed(x / np.sqrt(x @ x)), f"W = {c:.4g}·Q with {given}",
               v_atol=1e-9)  # the start vector is only normalized: nothing but rounding changes it
    first, again = student.power_iteration(W), student.power_iteration(W)
    assert first[0] == again[0] and np.array_equal(first[1], again[1]), \
        "two calls with rng=None gave different results: use a fresh np.random.default_rng(0) each time"


@pytest.mark.points(1)
@pytest.mark.visibility("hidden")
def test_eigen_equation(student, rng):
    """What power iteration really promises: v is a unit eigenvector of WᵀW with eigenvalue σ²,
    i.e. WᵀW v ≈ σ² v (relative residual below 1e-4), and σ is a singular value (its square
    is the eigenvalue, not σ itself)."""
    for m, n in ((9, 6), (4, 7)):
        W, _, _ = _gap_matrix(rng, m, n, rng.uniform(0.3, 0.9))
        result = student.power_iteration(W, rng=_fresh(rng))
        assert isinstance(result, (tuple, list)) and len(result) == 2 and isinstance(result[1], np.ndarray), \
            "power_iteration must return a pair (sigma, v) with v a numpy array"
        sigma, v = float(result[0]), np.asarray(result[1], dtype=float)
        assert_close(np.sqrt(v @ v), 1.0, rtol=1e-6, name="the length of v")
        residual = W.T @ (W @ v) - sigma ** 2 * v
        assert np.sqrt(residual @ residual) <= 1e-4 * sigma ** 2, (
            f"WᵀW v - σ² v has length {np.sqrt(residual @ residual):.3g} for a {m}×{n} matrix, "
            f"more than 1e-4·σ² = {1e-4 * sigma ** 2:.3g}: (σ, v) is not a singular pair")


@pytest.mark.points(1)
@pytest.mark.parametrize("scale", [1e4, 1e-4], ids=["large", "small"])
def test_large_and_small_matrices(student, rng, scale):
    """A matrix whose σ₁ is about 1e4 (or 1e-4), with a spectral gap of 0.9: the iteration needs
    some fifty steps, and multiplying by WᵀW grows (or shrinks) an unnormalized vector by σ₁²
    per step, so it overflows to inf (or underflows to 0) unless you normalize it at every
    step. The stop is relative: a change of σ below tol in absolute terms is no sign of
    convergence when σ itself is 1e-4."""
    W, sigma, v1 = _gap_matrix(rng, 7, 5, 0.9)
    _check(student.power_iteration(scale * W, rng=_fresh(rng)), scale * sigma, v1,
           f"a 7×5 matrix with σ₁ = {scale * sigma:.3g} and σ₂/σ₁ = 0.9")


@pytest.mark.points(0.5)
def test_all_zero_raises(student, reference, rng):
    """The zero matrix has no largest singular direction (every vector is sent to 0):
    power_iteration and spectral_normalize raise ValueError instead of dividing by zero (while
    a nonzero matrix gets its σ₁ and v₁)."""
    W, sigma, v1 = _gap_matrix(rng, 6, 4, rng.uniform(0.3, 0.9))
    assert_does_the_work(student, reference, "power_iteration", W, rng=_fresh(rng),
                         check=lambda result: _check(result, sigma, v1, "a 6×4 matrix"))
    with pytest.raises(ValueError):
        student.power_iteration(np.zeros((3, 4)))
    with pytest.raises(ValueError):
        student.spectral_normalize(np.zeros((4, 4)))


@pytest.mark.points(1)
def test_float32(student, rng):
    """A float32 matrix works and is graded at float32 tolerance: σ within 1e-4 relative and
    v within 1e-3 (keeping float32 or computing in float64 are both fine)."""
    W, _, _ = _gap_matrix(rng, 7, 5, rng.uniform(0.3, 0.6))
    W = W.astype(np.float32)
    # The exact answer for the float32 matrix itself, not for the float64 one it was rounded from.
    _, s, Vt = np.linalg.svd(W.astype(np.float64))
    v1 = _sign_fixed(Vt[0]).astype(np.float32)
    # In float32 the estimate of σ stops changing once it is exact to float32 precision (~1e-7),
    # which leaves v accurate to about √1e-7 ≈ 3e-4: hence 1e-3 on v, and a gap of at least 0.6.
    _check(student.power_iteration(W, rng=_fresh(rng)), np.float32(s[0]), v1, "a float32 7×5 matrix",
           sigma_rtol=1e-4, v_atol=1e-3)


@pytest.mark.points(1)
def test_spectral_normalize(student, rng):
    """spectral_normalize(W) = W / σ₁: the same shape as W, each entry divided by the largest
    singular value (not by the Frobenius norm), so that the result has spectral norm 1.
    Works with a given rng and with rng=None; W itself is left unchanged."""
    for (m, n), start_rng in (((6, 4), _fresh(rng)), ((3, 5), None)):
        W, sigma, _ = _gap_matrix(rng, m, n, rng.uniform(0.3, 0.9))
        result = student.spectral_normalize(W, rng=start_rng)
        # σ is accurate to 1e-6 relative, hence so is every entry of W / σ.
        assert_close(result, W / sigma, rtol=SIGMA_RTOL, atol=0.0, name=f"spectral_normalize(W) for a {m}×{n} W")
    assert_inputs_unchanged()


@pytest.mark.points(0.5)
def test_zero_entries_and_tiny_scale(student, rng):
    """A matrix with zero entries (a diagonal one) is not the zero matrix, and the stopping
    rule is relative: a matrix scaled by 1e-8 gets σ as accurately as one of order 1."""
    diagonal = np.diag([3.0, 1.0, 0.5])
    _check(student.power_iteration(diagonal, rng=_fresh(rng)), 3.0, np.array([1.0, 0.0, 0.0]),
           "diag(3, 1, 0.5)")
    W, sigma, v1 = _gap_matrix(rng, 6, 5, 0.9)
    _check(student.power_iteration(1e-8 * W, rng=_fresh(rng)), 1e-8 * sigma, v1,
           "a 6×5 matrix of scale 1e-8 with σ₂/σ₁ = 0.9")
