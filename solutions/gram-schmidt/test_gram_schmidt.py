"""Hidden tests for the Gram-Schmidt exercise.

Given the rules (columns left to right, the drop threshold, a positive dot product
with the source column), the basis is unique: for full column rank it is the Q of
the thin QR factorization with a positive diagonal in R. So on well-conditioned
input every correct algorithm (modified GS, GS with a second pass, ...) agrees with
the reference to about cond(A) * 1e-16, and comparing entries at the default
tolerance is fair there. On ill-conditioned input the entries themselves are only
determined to about cond(A) * 1e-16 ~ 1e-10, so those tests check the invariants
instead: orthonormal columns, the same column space, positive dot products.
"""
import numpy as np
import pytest

from grader.testing import assert_close, assert_inputs_unchanged


def _check_basis(Q, A, kept, *, orth_tol=1e-8, span_tol=1e-8, note=""):
    """Q must be an orthonormal basis built from the columns `kept` of A (the others dropped)."""
    Q = np.asarray(Q)
    m = A.shape[0]
    assert Q.ndim == 2 and Q.shape == (m, len(kept)), (
        f"expected Q of shape {(m, len(kept))}: column(s) {kept} of the {A.shape[0]}x{A.shape[1]} A "
        f"should give basis vectors and the other columns should be dropped; got shape {Q.shape}"
    )
    assert np.all(np.isfinite(Q)), "Q contains NaN or inf"
    error = np.linalg.norm(Q.T @ Q - np.eye(Q.shape[1]))
    assert error < orth_tol, (
        f"the columns of Q are not orthonormal: ‖QᵀQ − I‖_F = {error:.3g} (must be below {orth_tol:g}){note}"
    )
    # r orthonormal columns that contain the r kept columns span exactly their space.
    K = A[:, kept]
    residual = np.linalg.norm(K - Q @ (Q.T @ K))
    assert residual <= span_tol * max(1.0, np.linalg.norm(K)), (
        f"the kept columns of A are not in the span of Q: ‖A_kept − Q Qᵀ A_kept‖_F = {residual:.3g}"
    )
    dots = np.einsum("ij,ij->j", Q, K)
    assert np.all(dots > 0), (
        f"basis vector(s) {np.flatnonzero(dots <= 0).tolist()} have a negative dot product with the "
        "column they came from; each must point to the same side as its source column"
    )


def _hilbert(n):
    i = np.arange(n)
    return 1.0 / (i[:, None] + i[None, :] + 1.0)


@pytest.mark.points(2)
@pytest.mark.shrink(6)
def test_random_full_rank(student, reference, rng, size):
    """A random tall matrix of full column rank: Q has orthonormal columns, spans the
    same space as A, and matches the unique Gram-Schmidt basis."""
    A = rng.standard_normal((size + 3, size))
    Q = student.gram_schmidt(A)
    _check_basis(Q, A, list(range(size)))
    assert_close(Q, reference.gram_schmidt(A), name="Q")
    assert_inputs_unchanged()


@pytest.mark.points(1)
def test_square_and_float32(student, reference, rng):
    """A square matrix, and a float32 matrix (compared at float32 precision)."""
    A = rng.standard_normal((5, 5)) + 2.0 * np.eye(5)
    Q = student.gram_schmidt(A)
    _check_basis(Q, A, list(range(5)))
    assert_close(Q, reference.gram_schmidt(A), name="Q")
    A32 = rng.standard_normal((8, 4)).astype(np.float32)
    Q32 = student.gram_schmidt(A32)
    # float32 rounding (about 1e-7 per entry) limits how orthonormal Q can be.
    _check_basis(Q32, A32.astype(np.float64), list(range(4)), orth_tol=1e-4, span_tol=1e-4)
    assert_close(Q32, reference.gram_schmidt(A32), name="Q (float32 input)")
    assert_inputs_unchanged()


@pytest.mark.points(2)
def test_ill_conditioned_stays_orthonormal(student, rng):
    """The 12x12 Hilbert matrix plus 1e-6·I (condition number about 2e6), as given and
    rotated by a random orthogonal matrix: Q must stay orthonormal to 1e-8.
    Classical Gram-Schmidt loses orthogonality here; modified Gram-Schmidt does not."""
    A = _hilbert(12) + 1e-6 * np.eye(12)
    U = np.linalg.qr(rng.standard_normal((12, 12)))[0]
    note = ("\nIf your basis is orthonormal on well-conditioned matrices, this is the signature of "
            "classical Gram-Schmidt: compute each coefficient from the current, already reduced "
            "vector (v -= (q·v) q), not from the original column.")
    for M in (A, U @ A):
        _check_basis(student.gram_schmidt(M), M, list(range(12)), note=note)
    assert_inputs_unchanged()


@pytest.mark.points(1.5)
def test_dependent_columns_are_dropped(student, reference, rng):
    """Columns that are combinations of earlier columns, and a zero column, add no new
    direction and are dropped: Q has rank(A) columns."""
    m = 7
    a0, a1, a3, a6 = (rng.standard_normal(m) for _ in range(4))
    c = rng.uniform(0.5, 2.0, size=5) * rng.choice([-1.0, 1.0], size=5)
    A = np.column_stack([
        a0,
        a1,
        c[0] * a0 + c[1] * a1,
        a3,
        np.zeros(m),
        c[2] * a0 + c[3] * a1 + c[4] * a3,
        a6,
    ])
    Q = student.gram_schmidt(A)
    _check_basis(Q, A, [0, 1, 3, 6])
    assert_close(Q, reference.gram_schmidt(A), name="Q")
    assert_inputs_unchanged()


@pytest.mark.points(1.5)
@pytest.mark.visibility("hidden")
def test_drop_threshold_is_tol_times_max_1_norm(student, reference, rng):
    """The drop threshold is tol · max(1, ‖a_j‖): relative to the column's length for
    long columns (a dependent column of length 1e8 still leaves rounding noise of
    about 1e-8, and must be dropped) and absolute for short ones (a column of length
    1e-12 is numerically zero, and must be dropped too)."""
    m = 6
    a0, a1, a3 = (1e8 * rng.standard_normal(m) for _ in range(3))
    c = rng.uniform(0.5, 2.0, size=2)
    tiny = 1e-12 * rng.standard_normal(m)
    A = np.column_stack([a0, a1, c[0] * a0 - c[1] * a1, tiny, a3])
    Q = student.gram_schmidt(A)
    _check_basis(Q, A, [0, 1, 4])
    assert_close(Q, reference.gram_schmidt(A), name="Q")


@pytest.mark.points(1)
def test_wide_and_zero_matrices(student, reference, rng):
    """A wide (3x5) random matrix has rank 3, so only its first three columns give
    basis vectors; an all-zero matrix gives an empty basis of shape (m, 0)."""
    for A, kept in [(rng.standard_normal((3, 5)), [0, 1, 2]), (np.zeros((4, 3)), [])]:
        Q = student.gram_schmidt(A)
        _check_basis(Q, A, kept)
        assert_close(Q, reference.gram_schmidt(A), name=f"Q of a {A.shape[0]}x{A.shape[1]} matrix")
    assert_inputs_unchanged()


@pytest.mark.points(1)
def test_output_type_and_tol_argument(student, rng):
    """gram_schmidt returns a numpy float array of shape (m, r), and honours `tol`: a
    column that differs from an earlier one by about 0.1% of its length is kept with
    the default tol=1e-10 but dropped with tol=1e-2."""
    a0, a2 = rng.standard_normal(6), rng.standard_normal(6)
    d = rng.standard_normal(6)
    a1 = a0 + 1e-3 * np.linalg.norm(a0) * d / np.linalg.norm(d)
    A = np.column_stack([a0, a1, a2])
    Q = student.gram_schmidt(A)
    assert isinstance(Q, np.ndarray) and Q.dtype.kind == "f", (
        f"gram_schmidt must return a float numpy array, got {type(Q).__name__}"
        + (f" of dtype {Q.dtype}" if isinstance(Q, np.ndarray) else "")
    )
    _check_basis(Q, A, [0, 1, 2])
    _check_basis(student.gram_schmidt(A, tol=1e-2), A, [0, 2])
    assert_inputs_unchanged()
