"""Hidden tests for subspace-projection.

Tolerances: grader.compare's defaults (float64 rtol 1e-7, atol 1e-9) for projectors and
projections: the bases are well conditioned (condition numbers of a few tens, below 200 in
20000 draws), so the normal equations (which square it), an explicit inverse and a QR all give
P to ~1e-11 at worst. PCA_ATOL for principal directions
(see there); float32 defaults for float32 inputs.
"""

import numpy as np
import pytest

from grader.testing import assert_close, assert_does_the_work, assert_inputs_unchanged


def _basis(rng, d, k, spread=0.7):
    """A well-conditioned basis of a random k-dimensional subspace that is far from
    orthonormal: columns of different lengths, correlated with each other."""
    Q, _ = np.linalg.qr(rng.standard_normal((d, k)))
    R = np.triu(rng.normal(0.0, spread, (k, k)), 1) + np.diag(rng.uniform(0.5, 3.0, k))
    return Q @ R


def _cloud(rng, n, d, offset=10.0):
    """n samples in R^d with clearly separated variances along random orthogonal axes, and
    a mean far from the origin (so that forgetting to centre shows)."""
    axes, _ = np.linalg.qr(rng.standard_normal((d, d)))
    stds = 6.0 * 0.6 ** np.arange(d)
    mean = offset * rng.standard_normal(d)
    return mean + (rng.standard_normal((n, d)) * stds) @ axes.T


def _unsigned_match(W, reference_W):
    """|cos| between each column and the same column of the reference: 1 when the two
    columns span the same line, whatever their signs."""
    return np.abs(np.sum(W * reference_W, axis=0))


# ----------------------------------------------------------------------------- projection_matrix

@pytest.mark.points(1.5)
@pytest.mark.shrink(16)
def test_projection_matrix_of_a_non_orthonormal_basis(student, reference, rng, size):
    """`projection_matrix(B)` for a basis `B (d, k)` whose columns are neither unit length
    nor orthogonal: the `(d, d)` matrix `B (BᵀB)⁻¹ Bᵀ`."""
    d, k = size + 2, (size + 1) // 2
    B = _basis(rng, d, k)
    assert_close(student.projection_matrix(B), reference.projection_matrix(B))


@pytest.mark.points(1.5)
def test_projection_matrix_is_an_orthogonal_projector(student, rng):
    """What makes P an orthogonal projector onto span(B): `P @ P == P` (projecting twice
    changes nothing), `P.T == P` (the error is orthogonal), `P @ B == B` (the subspace is
    left alone) and `trace(P) == k` (its rank). A basis of the whole space gives `P == I`."""
    d, k = 7, 3
    B = _basis(rng, d, k)
    P = student.projection_matrix(B)
    assert isinstance(P, np.ndarray) and P.shape == (d, d), \
        f"projection_matrix(B) for B of shape {B.shape} must be a ({d}, {d}) array"
    assert_close(P @ P, P, name="P @ P (should equal P)")
    assert_close(P.T, P, name="P.T (should equal P)")
    assert_close(P @ B, B, name="P @ B (should equal B)")
    assert_close(np.trace(P), float(k), name="trace(P) (should be k)")
    square = _basis(rng, 4, 4, spread=0.3)
    assert_close(student.projection_matrix(square), np.eye(4),
                 name="projection_matrix(B) for an invertible 4x4 B (should be I)")


# ------------------------------------------------------------------- project_onto_subspace, decompose

@pytest.mark.points(1)
def test_project_every_row(student, reference, rng):
    """`project_onto_subspace(X, B)` projects each row of `X (n, d)` onto span(B): an
    `(n, d)` array of points in the subspace (not their `k` coordinates in the basis)."""
    n, d, k = 10, 6, 2
    X = rng.standard_normal((n, d))
    B = _basis(rng, d, k)
    assert_close(student.project_onto_subspace(X, B), reference.project_onto_subspace(X, B))


@pytest.mark.points(1)
@pytest.mark.visibility("hidden")
def test_decompose_into_parallel_and_orthogonal(student, reference, rng):
    """`decompose(x, B)` returns `(parallel, orthogonal)`: they add up to `x`, `parallel` is
    the projection of `x` onto span(B) and `orthogonal` is perpendicular to every column of
    `B`. A vector already in the subspace is all parallel."""
    d, k = 6, 3
    B = _basis(rng, d, k)
    x = rng.standard_normal(d)
    result = student.decompose(x, B)
    assert isinstance(result, (tuple, list)) and len(result) == 2, \
        "decompose must return a tuple (parallel, orthogonal)"
    parallel, orthogonal = (np.asarray(part) for part in result)
    assert_close(parallel + orthogonal, x, name="parallel + orthogonal (should equal x)")
    # Bᵀ orthogonal is a sum of products of O(1) numbers: allow rounding at that scale.
    assert_close(B.T @ orthogonal, np.zeros(k), atol=1e-9 * np.abs(B).max() * np.abs(x).sum(),
                 name="B.T @ orthogonal (should be 0)")
    assert_close(parallel, reference.decompose(x, B)[0], name="parallel")
    inside = B @ rng.standard_normal(k)
    assert_close(student.decompose(inside, B), (inside, np.zeros(d)),
                 name="decompose(x, B) for x in span(B)")


# ---------------------------------------------------------------------------- principal_subspace

# Principal directions from an SVD of the data and from eigh of the covariance agree to about
# machine epsilon times the ratio of the largest variance to the gap between variances; the
# variances of these clouds are well separated, and 1e-8 leaves room for either method.
PCA_ATOL = 1e-8


@pytest.mark.points(1)
def test_principal_directions_and_their_order(student, reference, rng):
    """`principal_subspace(X, k)` for data with a large mean: orthonormal columns, shape
    `(d, k)`, and column `j` along the direction of the `j`-th largest variance of the
    centred data (checked up to sign here; the sign convention has its own test)."""
    n, d, k = 200, 6, 3
    X = _cloud(rng, n, d)
    W = student.principal_subspace(X, k)
    assert isinstance(W, np.ndarray) and W.shape == (d, k), \
        f"principal_subspace(X, {k}) for X of shape {X.shape} must be a ({d}, {k}) array"
    assert_close(W.T @ W, np.eye(k), atol=PCA_ATOL, name="W.T @ W (columns orthonormal)")
    assert_close(_unsigned_match(W, reference.principal_subspace(X, k)), np.ones(k), atol=PCA_ATOL,
                 name="|cos| between your column j and the j-th principal direction")


@pytest.mark.points(1)
def test_principal_directions_sign_convention(student, reference, rng):
    """Several data sets and values of `k` (including `k == d`): each returned column has its
    entry of largest magnitude positive, so the result is unique and equals the expected
    directions entry by entry."""
    for n, d, k in ((150, 6, 6), (120, 8, 5), (100, 5, 3), (200, 10, 6)):
        X = _cloud(rng, n, d)
        W = student.principal_subspace(X, k)
        expected = reference.principal_subspace(X, k)
        if isinstance(W, np.ndarray) and W.shape == expected.shape:
            largest = W[np.argmax(np.abs(W), axis=0), np.arange(k)]
            assert (largest > 0).all(), (
                f"for X of shape {X.shape} and k={k}, column(s) {np.flatnonzero(largest <= 0).tolist()} "
                "have a negative entry of largest magnitude: flip their sign")
        assert_close(W, expected, atol=PCA_ATOL, name=f"principal_subspace(X, {k}) for X of shape {X.shape}")


# --------------------------------------------------------------------------------- float32, errors

@pytest.mark.points(1)
def test_float32_inputs(student, reference, rng):
    """float32 inputs to all four functions, compared at float32 tolerance (float32 or
    float64 results are both fine)."""
    def as32(a):
        return np.asarray(a, dtype=np.float32)

    # Expected values are computed in float64 from the same float32 numbers, then rounded to
    # float32 (which selects float32 tolerance): any float32-accurate method passes.
    B = as32(_basis(rng, 6, 2, spread=0.3))
    X = as32(rng.standard_normal((5, 6)))
    B64, X64 = B.astype(np.float64), X.astype(np.float64)
    assert_close(student.projection_matrix(B), as32(reference.projection_matrix(B64)),
                 name="projection_matrix(B)")
    assert_close(student.project_onto_subspace(X, B), as32(reference.project_onto_subspace(X64, B64)),
                 name="project_onto_subspace(X, B)")
    assert_close(student.decompose(X[0], B), tuple(as32(p) for p in reference.decompose(X64[0], B64)),
                 name="decompose(x, B)")
    cloud = as32(_cloud(rng, 100, 4, offset=3.0))
    W = student.principal_subspace(cloud, 2)
    assert isinstance(W, np.ndarray) and W.shape == (4, 2), \
        "principal_subspace(X, 2) for X of shape (100, 4) must be a (4, 2) array"
    expected = reference.principal_subspace(cloud.astype(np.float64), 2)
    # Up to sign: the sign convention is graded in float64 only, where it is unambiguous.
    assert_close(_unsigned_match(W.astype(np.float64), expected).astype(np.float32), np.ones(2, np.float32),
                 name="|cos| between your column j and the j-th principal direction")


@pytest.mark.points(0.5)
def test_mismatched_shapes_raise(student, reference, rng):
    """A ValueError when `B (d, k)` has more columns than rows (`k > d`: the columns cannot be
    independent), or when `X` or `x` does not have `d` features (while matching shapes give the
    right projection)."""
    # An orthonormal B for the call that must work: there B Bᵀ is right, so a projection
    # mistake already graded elsewhere is not named again here.
    Q, _ = np.linalg.qr(rng.standard_normal((6, 2)))
    assert_does_the_work(student, reference, "project_onto_subspace", rng.standard_normal((4, 6)), Q)
    B = _basis(rng, 6, 2)
    with pytest.raises(ValueError):
        student.projection_matrix(rng.standard_normal((3, 5)))
    with pytest.raises(ValueError):
        student.project_onto_subspace(rng.standard_normal((4, 5)), B)
    with pytest.raises(ValueError):
        student.decompose(rng.standard_normal(5), B)


@pytest.mark.points(0.5)
def test_principal_subspace_rejects_bad_k(student, reference, rng):
    """`principal_subspace(X, k)` needs `1 <= k <= d`: `k = d + 1` and `k = 0` raise
    ValueError (while `k = d` gives the right directions)."""
    X = _cloud(rng, 50, 4)
    assert_does_the_work(student, reference, "principal_subspace", X - X.mean(axis=0), 4, atol=PCA_ATOL)
    with pytest.raises(ValueError):
        student.principal_subspace(X, 5)
    with pytest.raises(ValueError):
        student.principal_subspace(X, 0)


@pytest.mark.points(0.5)
def test_inputs_are_not_modified(student, reference, rng):
    """None of the four functions modifies its arguments (centring `X` in place, for example,
    would change the caller's data), and each returns the right result."""
    B = _basis(rng, 5, 2)
    X = _cloud(rng, 30, 5)
    assert_does_the_work(student, reference, "projection_matrix", B)
    assert_does_the_work(student, reference, "project_onto_subspace", X, B)
    assert_does_the_work(student, reference, "decompose", X[0], B)
    assert_does_the_work(student, reference, "principal_subspace", X, 2, atol=PCA_ATOL)
    assert_inputs_unchanged()


@pytest.mark.points(0.5)
def test_one_direction_and_what_is_not_a_vector_or_matrix(student, reference, rng):
    """`k = 1` works: the single direction of largest variance. And what the docstrings rule
    out raises ValueError: `decompose` with a column `(d, 1)` instead of a vector `(d,)`, and
    `principal_subspace` with one-dimensional data instead of a matrix `(n, d)`."""
    X = _cloud(rng, 60, 4)
    top = student.principal_subspace(X, 1)
    assert isinstance(top, np.ndarray) and top.shape == (4, 1), \
        "principal_subspace(X, 1) for X of shape (60, 4) must return a (4, 1) array"
    assert_close(_unsigned_match(top, reference.principal_subspace(X, 1)), np.ones(1), atol=PCA_ATOL,
                 name="|cos| between your direction and the first principal direction")
    B = _basis(rng, 4, 2)
    with pytest.raises(ValueError):
        student.decompose(rng.standard_normal((4, 1)), B)
    with pytest.raises(ValueError):
        student.principal_subspace(rng.standard_normal(8), 1)
