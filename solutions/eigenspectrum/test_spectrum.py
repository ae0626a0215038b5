"""Hidden tests for the eigenspectrum exercise.

Tolerances: grader.compare's defaults (float64 rtol 1e-7, atol 1e-9) for eigenvalues, radii,
singular values and condition numbers of well-conditioned matrices: every correct answer calls
LAPACK (eigvals/eig, svd), whose results agree to ~1e-14 here. The tests of an ill-conditioned
or nearly singular matrix state their own tolerance, from what a backward-stable SVD achieves.
"""

import numpy as np
import pytest

from grader.testing import assert_close, assert_does_the_work, assert_inputs_unchanged, attach_figure

# How far apart two magnitudes may be and still count as sorted: a few ulps of the
# precision the eigenvalues were computed in (conjugate pairs are ties that rounding may split).
SORT_RTOL = {np.dtype(np.float32): 1e-5, np.dtype(np.float64): 1e-10}


def _orthogonal(rng, n):
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))


def _with_known_eigenvalues(rng, scale):
    """A non-normal real matrix S B S⁻¹ whose eigenvalues are, by construction,
    -3, 2, 1 ± 1.5i and 0.5 (times scale): the largest is negative and two are complex."""
    B = np.zeros((5, 5))
    B[0, 0], B[1, 1], B[4, 4] = -3.0, 2.0, 0.5
    B[2:4, 2:4] = [[1.0, -1.5], [1.5, 1.0]]
    # A condition number of S at most 3 keeps the eigenvalues accurate to ~1e-14.
    S = (_orthogonal(rng, 5) * rng.uniform(1.0, 3.0, 5)) @ _orthogonal(rng, 5)
    W = np.linalg.solve(S.T, (S @ (scale * B)).T).T  # S (scale·B) S⁻¹
    eigenvalues = scale * np.array([-3.0, 2.0, 1 + 1.5j, 1 - 1.5j, 0.5])
    return W, eigenvalues


def _matched(actual, expected):
    """ACTUAL reordered so that its i-th entry is the one closest to EXPECTED[i] (greedy).

    Eigenvalues of equal magnitude may come in any order, so values are compared as a
    multiset; the order by magnitude is checked separately."""
    left = list(range(len(actual)))
    order = []
    for value in expected:
        best = min(left, key=lambda i: abs(complex(actual[i]) - complex(value)))
        order.append(best)
        left.remove(best)
    return actual[np.array(order, dtype=int)]


def _assert_spectrum(result, expected, input_dtype):
    expected = np.asarray(expected)
    expected = expected.astype(np.result_type(expected.dtype, np.complex64))
    assert isinstance(result, np.ndarray), \
        f"eigenspectrum must return a numpy array, got {type(result).__name__}"
    assert result.shape == expected.shape, \
        f"eigenspectrum(W) has shape {result.shape}, expected {expected.shape} (one eigenvalue per row of W)"
    assert_close(_matched(result, expected), expected,
                 name="your eigenvalues (matched one to one with the expected ones)")
    magnitudes = np.abs(result)
    rtol = SORT_RTOL.get(np.dtype(input_dtype), 1e-10)
    rising = np.flatnonzero(magnitudes[1:] > magnitudes[:-1] * (1 + rtol))
    assert not len(rising), (
        f"the eigenvalues are right but not sorted by decreasing magnitude: |λ[{rising[0]}]| = "
        f"{magnitudes[rising[0]]:.6g} < |λ[{rising[0] + 1}]| = {magnitudes[rising[0] + 1]:.6g}.\n"
        f"Your magnitudes in order: {np.array2string(magnitudes, precision=4)}")


@pytest.mark.points(2)
@pytest.mark.shrink(8)
def test_eigenspectrum_random(student, reference, rng, size):
    """The eigenvalues of a random (non-symmetric) matrix: the right values, complex ones
    included, sorted by decreasing magnitude |λ|. Eigenvalues of equal magnitude (such as a
    conjugate pair a ± bi) may come in either order."""
    W = rng.standard_normal((size, size)) / np.sqrt(size)
    result = student.eigenspectrum(W)
    expected = reference.eigenspectrum(W)
    if isinstance(result, np.ndarray) and result.ndim == 1:
        attach_figure("complex_plane", "Eigenvalues", values=result, reference=expected)
    _assert_spectrum(result, expected, W.dtype)
    assert_inputs_unchanged()


@pytest.mark.points(1)
def test_eigenspectrum_known_values(student, rng):
    """A matrix built to have the eigenvalues -3, 2, 1 ± 1.5i and 0.5 (times a random scale).
    The largest in magnitude is negative, so sorting by real part or by value (np.sort)
    gives the wrong order: sort by |λ|."""
    scale = rng.uniform(0.5, 2.0)
    W, eigenvalues = _with_known_eigenvalues(rng, scale)
    _assert_spectrum(student.eigenspectrum(W), eigenvalues, W.dtype)


@pytest.mark.points(1)
def test_float32_inputs(student, reference, rng):
    """float32 matrices work and are compared at float32 tolerance (returning float32, float64,
    or a complex dtype with zero imaginary parts, is fine): the eigenvalues and spectral radius
    of a symmetric matrix (all real), and the condition number of a well-conditioned one."""
    A = rng.standard_normal((6, 6))
    W = ((A + A.T) / 2).astype(np.float32)
    _assert_spectrum(student.eigenspectrum(W), reference.eigenspectrum(W), W.dtype)
    # np.float32 expected values: a float32 answer is graded at float32 tolerance.
    assert_close(student.spectral_radius(W), np.float32(reference.spectral_radius(W)),
                 name="spectral_radius(W) for a float32 W")
    # Well conditioned on purpose: float32 leaves σ_min only ~1e-7·σ_max of accuracy.
    W = (3 * np.eye(5) + 0.3 * rng.standard_normal((5, 5))).astype(np.float32)
    assert_close(student.condition_number(W), np.float32(reference.condition_number(W)),
                 name="condition_number(W) for a float32 W")
    assert_inputs_unchanged()


@pytest.mark.points(0.5)
def test_non_square_raises(student, reference, rng):
    """Only a square matrix has eigenvalues: eigenspectrum and spectral_radius raise
    ValueError (numpy.linalg.LinAlgError is one) for a 3×4 matrix (while a symmetric 4×4
    matrix gets its eigenvalues and its spectral radius)."""
    A = rng.standard_normal((4, 4))
    # Symmetric: real, distinct eigenvalues, so the sorted spectrum is unique and comparable
    # entry by entry (a tie in magnitude has probability 0).
    S = A + A.T
    assert_does_the_work(student, reference, "eigenspectrum", S)
    assert_does_the_work(student, reference, "spectral_radius", S)
    W = rng.standard_normal((3, 4))
    with pytest.raises(ValueError):
        student.eigenspectrum(W)
    with pytest.raises(ValueError):
        student.spectral_radius(W)


@pytest.mark.points(1)
def test_spectral_radius(student, reference, rng):
    """spectral_radius(W) is the largest |λ| over the eigenvalues. For a non-normal matrix
    (most matrices) it is strictly smaller than the largest singular value ‖W‖₂: the two are
    different quantities."""
    scale = rng.uniform(0.5, 2.0)
    W, _ = _with_known_eigenvalues(rng, scale)
    assert_close(student.spectral_radius(W), 3.0 * scale, name="spectral_radius(W)")
    W = rng.standard_normal((6, 6))
    assert_close(student.spectral_radius(W), reference.spectral_radius(W), name="spectral_radius(W)")
    assert_inputs_unchanged()


@pytest.mark.points(1.5)
def test_singular_values(student, reference, rng):
    """The singular values, largest first, of a square non-normal matrix, of a tall and a
    wide matrix (min(m, n) values each) and of a float32 matrix (compared at float32
    tolerance)."""
    cases = [rng.standard_normal((5, 5)), rng.standard_normal((6, 3)), rng.standard_normal((2, 5)),
             rng.standard_normal((4, 4)).astype(np.float32)]
    for i, W in enumerate(cases):
        result = student.singular_values(W)
        expected = reference.singular_values(W)
        if i == 0 and isinstance(result, np.ndarray) and result.ndim == 1:
            attach_figure("bars", "Singular values", values=result, reference=expected)
        assert_close(result, expected, name=f"singular_values(W) for W of shape {W.shape}")
    assert_inputs_unchanged()


@pytest.mark.points(1)
def test_singular_values_ill_conditioned(student, rng):
    """The singular values of an ill-conditioned matrix, built with singular values s, s·1e-3,
    s·1e-6 and s·1e-9: each must be accurate to about 1e-14·σ_max, as np.linalg.svd gives
    them. Taking the square roots of the eigenvalues of WᵀW (or W Wᵀ) is not: forming the
    Gram matrix squares the condition number, and every σ below about 1e-8·σ_max is lost in
    its rounding."""
    scale = rng.uniform(0.5, 2.0)
    s = scale * np.array([1.0, 1e-3, 1e-6, 1e-9])
    W = (_orthogonal(rng, 6)[:, :4] * s) @ _orthogonal(rng, 4).T
    # A backward-stable SVD gets every σ to within a few ulps of σ_max, absolutely; building
    # W itself rounds at that level too. 1e-14·σ_max leaves a margin of about 100.
    assert_close(student.singular_values(W), s, rtol=1e-7, atol=1e-14 * s[0],
                 name="singular_values(W) for W with singular values s·[1, 1e-3, 1e-6, 1e-9]")


@pytest.mark.points(1)
def test_condition_number(student, reference, rng):
    """condition_number(W) = σ_max / σ_min for invertible square matrices and for full-rank
    tall and wide ones (σ_min is the smallest of the min(m, n) singular values). The cutoff is
    relative: a well-conditioned matrix scaled by 1e-20 still has a small condition number."""
    cases = [rng.standard_normal((5, 5)), rng.standard_normal((6, 3)), rng.standard_normal((3, 6)),
             1e-20 * (np.eye(4) + 0.3 * rng.standard_normal((4, 4)))]
    for W in cases:
        assert_close(student.condition_number(W), reference.condition_number(W),
                     name=f"condition_number(W) for W of shape {W.shape}")
    assert_inputs_unchanged()


@pytest.mark.points(1)
def test_condition_number_singular(student, rng):
    """A singular matrix has condition number inf: when σ_min is 0 or below σ_max·1e-15
    (rounding turns an exact 0 into ~1e-16·σ_max, never exactly 0), return float('inf') rather
    than a huge finite ratio. A nearly singular matrix (σ_min = 1e-10·σ_max) is still finite."""
    low_rank = rng.standard_normal((5, 2)) @ rng.standard_normal((2, 5))
    wide = rng.standard_normal((3, 2)) @ rng.standard_normal((2, 6))
    for W, what in ((low_rank, "a 5×5 matrix of rank 2"), (wide, "a 3×6 matrix of rank 2"),
                    (np.zeros((3, 3)), "the 3×3 zero matrix")):
        result = student.condition_number(W)
        assert_close(result, np.inf, name=f"condition_number(W) for {what}")
    s = np.array([2.0, 1.0, 2e-10])
    W = (_orthogonal(rng, 3) * s) @ _orthogonal(rng, 3)
    # σ_min = 2e-10 is computed with an absolute error near 1e-16, i.e. ~1e-6 relative.
    assert_close(student.condition_number(W), 1e10, rtol=1e-5,
                 name="condition_number(W) for a matrix with singular values 2, 1, 2e-10")
