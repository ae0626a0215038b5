"""Hidden tests for subspace-angles.

Tolerances: ANGLE_ATOL for angles (arccos amplifies rounding, see below), 1e-6 where the angle is
0 (arccos(1 − δ) ≈ √(2δ)), 1e-12 for overlaps of 0 or 1, the defaults for other overlaps (means
of squared cosines, a few ulps), float32 defaults for float32 bases.
"""

import numpy as np
import pytest

from grader.testing import assert_close, assert_does_the_work, assert_inputs_unchanged, attach_figure

# Angles come from arccos, which turns a rounding error δ in a cosine into about δ / sin θ in
# the angle: 1e-8 accepts any stable way of orthonormalizing (QR, SVD, Gram-Schmidt) on
# these well-conditioned bases.
ANGLE_ATOL = 1e-8


def _mix(rng, Q, scale=1.0):
    """Another basis of span(Q): columns of different lengths, correlated with each other."""
    k = Q.shape[1]
    R = np.triu(rng.normal(0.0, 0.7, (k, k)), 1) + np.diag(rng.uniform(0.5, 3.0, k))
    return scale * (Q @ R)


def _rotation(rng, d):
    Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    return Q


def _pair_with_angles(rng, d, thetas, extra=0):
    """Non-orthonormal bases A (d, p) and B (d, p + extra) whose principal angles are exactly
    `thetas`: B tilts each direction of A by its own angle, into its own fresh direction, and
    adds `extra` directions orthogonal to A."""
    p = len(thetas)
    U = _rotation(rng, d)
    tilted = np.cos(thetas) * U[:, :p] + np.sin(thetas) * U[:, p:2 * p]
    B = np.hstack([tilted, U[:, 2 * p:2 * p + extra]])
    return _mix(rng, U[:, :p]), _mix(rng, B)


def _check_angles(result, expected, name, atol=ANGLE_ATOL):
    assert isinstance(result, np.ndarray) and result.ndim == 1, \
        f"{name} must be a 1-D numpy array of angles"
    assert_close(result, expected, atol=atol, name=name)


@pytest.mark.points(1.5)
@pytest.mark.shrink(8)
def test_random_subspaces(student, reference, rng, size):
    """Two random subspaces given by non-orthonormal bases `A (d, p)` and `B (d, q)` with
    p != q: `min(p, q)` angles in radians, in ascending order."""
    p, q = max(1, size // 2), size // 2 + 1
    d = p + q + 3
    A = rng.standard_normal((d, p)) * rng.uniform(0.5, 3.0, p)
    B = rng.standard_normal((d, q)) * rng.uniform(0.5, 3.0, q)
    result = student.principal_angles(A, B)
    expected = reference.principal_angles(A, B)
    if isinstance(result, np.ndarray) and result.shape == expected.shape:
        attach_figure("bars", "Cosines of the principal angles",
                      values=np.cos(result.astype(float)), reference=np.cos(expected))
    _check_angles(result, expected, f"principal_angles(A, B) for A {A.shape}, B {B.shape}")


@pytest.mark.points(1.5)
def test_known_angles_from_non_orthonormal_bases(student, rng):
    """Subspaces built to be at chosen angles (between 0.15 and 1.45 rad), each given by a
    basis whose columns are neither unit length nor orthogonal: the angles depend only on
    the subspaces. Swapping the arguments gives the same angles."""
    thetas = rng.uniform(0.15, 1.45, 3)
    A, B = _pair_with_angles(rng, 9, thetas, extra=1)
    _check_angles(student.principal_angles(A, B), np.sort(thetas), "principal_angles(A, B)")
    _check_angles(student.principal_angles(B, A), np.sort(thetas), "principal_angles(B, A)")


@pytest.mark.points(1.5)
def test_identical_subspaces_give_zero_never_nan(student, reference, rng):
    """Sixteen pairs of different bases of the same subspace (some with short columns): every
    angle is 0 up to rounding. Rounding can push a computed cosine just above 1, where
    `arccos` gives NaN, so the cosines must be clipped to [0, 1] first. (And two random
    subspaces get their right angles: zeros alone score nothing.)"""
    for i in range(16):
        p = 1 + i % 4
        d = p + 2 + i % 3
        A = rng.standard_normal((d, p)) * (0.1 if i % 2 else 1.0)
        B = _mix(rng, A)
        # An angle of 0 comes out as arccos(1 − δ) ≈ √(2δ): about 1e-8 for rounding δ ≈ 1e-16.
        _check_angles(student.principal_angles(A, B), np.zeros(p),
                      f"principal_angles(A, B) for two bases of one subspace (pair {i + 1})", atol=1e-6)
    # Zeros are what a function that does nothing returns: the points need real angles too.
    assert_does_the_work(student, reference, "principal_angles", rng.standard_normal((6, 2)),
                         rng.standard_normal((6, 3)), atol=ANGLE_ATOL)


@pytest.mark.points(0.5)
def test_orthogonal_subspaces(student, rng):
    """Two orthogonal subspaces (of dimensions 2 and 3): every principal angle is π/2."""
    U = _rotation(rng, 6)
    A, B = _mix(rng, U[:, :2]), _mix(rng, U[:, 2:5])
    _check_angles(student.principal_angles(A, B), np.full(2, np.pi / 2), "principal_angles(A, B)")


@pytest.mark.points(1.5)
@pytest.mark.visibility("hidden")
def test_overlap_of_random_subspaces(student, reference, rng):
    """`subspace_overlap(A, B)` for random subspaces of different dimensions, given by
    non-orthonormal bases: the mean of cos² over the `min(p, q)` principal angles."""
    for p, q, d in ((2, 4, 9), (5, 3, 10)):
        A = rng.standard_normal((d, p)) * rng.uniform(0.5, 3.0, p)
        B = rng.standard_normal((d, q)) * rng.uniform(0.5, 3.0, q)
        assert_close(student.subspace_overlap(A, B), reference.subspace_overlap(A, B),
                     name=f"subspace_overlap(A, B) for A {A.shape}, B {B.shape}")


@pytest.mark.points(1)
def test_overlap_extremes(student, rng):
    """The overlap is 1 when one subspace contains the other (a plane inside a 4-dimensional
    subspace, in either order) and 0 when they are orthogonal."""
    U = _rotation(rng, 7)
    big = _mix(rng, U[:, :4])
    inside = big @ rng.standard_normal((4, 2))
    away = _mix(rng, U[:, 4:6])
    # Sums of squared cosines of O(1) bases: a few ulps of rounding, with a margin.
    assert_close(student.subspace_overlap(inside, big), 1.0, atol=1e-12,
                 name="subspace_overlap(plane, space containing it)")
    assert_close(student.subspace_overlap(big, inside), 1.0, atol=1e-12,
                 name="subspace_overlap(space, plane inside it)")
    assert_close(student.subspace_overlap(big, away), 0.0, atol=1e-12,
                 name="subspace_overlap(A, B) for orthogonal subspaces")


@pytest.mark.points(1)
def test_float32_inputs(student, rng):
    """float32 bases of subspaces at known angles (between 0.3 and 1.4 rad), compared at
    float32 tolerance: the angles, and the overlap."""
    thetas = rng.uniform(0.3, 1.4, 3)
    A, B = (M.astype(np.float32) for M in _pair_with_angles(rng, 8, thetas, extra=2))
    _check_angles(student.principal_angles(A, B), np.sort(thetas).astype(np.float32),
                  "principal_angles(A, B)", atol=None)
    assert_close(student.subspace_overlap(A, B), np.float32(np.mean(np.cos(thetas) ** 2)),
                 name="subspace_overlap(A, B)")


@pytest.mark.points(0.5)
def test_bad_shapes_raise(student, reference, rng):
    """A ValueError when `A` and `B` do not live in the same space (different numbers of rows)
    or when a basis has more columns than the dimension (they cannot be independent). A basis
    with exactly `d` columns is fine: a line lies in the whole space, at angle 0."""
    # The angle is 0, computed as arccos(1 - rounding): the tolerance of identical subspaces.
    # A well-conditioned basis of R³, so that Gram-Schmidt answers are as exact as QR ones.
    assert_does_the_work(student, reference, "principal_angles", _mix(rng, _rotation(rng, 3)),
                         rng.standard_normal((3, 1)), atol=1e-6)
    A, B = rng.standard_normal((5, 2)), rng.standard_normal((6, 2))
    with pytest.raises(ValueError):
        student.principal_angles(A, B)
    with pytest.raises(ValueError):
        student.subspace_overlap(A, B)
    with pytest.raises(ValueError):
        student.principal_angles(rng.standard_normal((3, 4)), rng.standard_normal((3, 1)))
    # The work check above has angle 0 (what zeros give): one with real angles as well.
    assert_does_the_work(student, reference, "principal_angles", rng.standard_normal((6, 2)),
                         rng.standard_normal((6, 3)), atol=ANGLE_ATOL)


@pytest.mark.points(0.5)
def test_inputs_are_not_modified(student, reference, rng):
    """Neither function modifies `A` or `B` (orthonormalizing them in place, for example), and
    both return the right result."""
    A, B = rng.standard_normal((6, 2)), rng.standard_normal((6, 3))
    assert_does_the_work(student, reference, "principal_angles", A, B, atol=ANGLE_ATOL)
    assert_does_the_work(student, reference, "subspace_overlap", A, B)
    assert_inputs_unchanged()


@pytest.mark.points(0.5)
@pytest.mark.parametrize("function", ["principal_angles", "subspace_overlap"])
def test_whole_space_and_too_many_columns_either_side(student, reference, rng, function):
    """Either basis may span the whole space (d columns): every direction of the other one then
    lies in it (angles 0, overlap 1). A basis with more columns than d raises ValueError,
    whether it is A or B. (And two random subspaces get the right answer: a constant scores nothing.)"""
    A, whole = rng.standard_normal((4, 2)), rng.standard_normal((4, 4))
    # An angle of 0 comes out as arccos(1 − δ) ≈ √(2δ), about 1e-8 (see above); cos² does not.
    expected, atol = (np.zeros(2), 1e-6) if function == "principal_angles" else (1.0, ANGLE_ATOL)
    assert_close(getattr(student, function)(A, whole), expected, atol=atol,
                 name=f"{function}(A, B) with B spanning the whole space")
    assert_close(getattr(student, function)(whole, A), expected, atol=atol,
                 name=f"{function}(A, B) with A spanning the whole space")
    for A, B in ((rng.standard_normal((3, 4)), rng.standard_normal((3, 1))),
                 (rng.standard_normal((3, 1)), rng.standard_normal((3, 4)))):
        with pytest.raises(ValueError):
            getattr(student, function)(A, B)
    # Angles 0 and overlap 1 are what constants give: the points need the work on other subspaces too.
    assert_does_the_work(student, reference, function, rng.standard_normal((6, 2)), rng.standard_normal((6, 3)),
                         atol=ANGLE_ATOL if function == "principal_angles" else None)
