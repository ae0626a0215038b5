"""Known wrong answers for subspace-angles, one function per mistake (see docs/authoring.md)."""

import numpy as np

import angles as reference
from grader.testing import mistake

# Each mistake keeps the reference's argument checks, so that it differs in one idea only.


@mistake("svd-without-orthonormalizing", replaces="principal_angles")
def svd_without_orthonormalizing(A, B):
    # The singular values of AᵀB are cosines only when A and B have orthonormal columns.
    A, B = reference._check_bases(A, B)
    return np.arccos(np.clip(np.linalg.svd(A.T @ B, compute_uv=False), 0.0, 1.0))


@mistake("angles-descending", replaces="principal_angles")
def angles_descending(A, B):
    # np.sort(...)[::-1], or the arccos of singular values sorted the wrong way round.
    return reference.principal_angles(A, B)[::-1]


@mistake("no-clipping", replaces="principal_angles")
def no_clipping(A, B):
    A, B = reference._check_bases(A, B)
    Qa, _ = np.linalg.qr(A)
    Qb, _ = np.linalg.qr(B)
    # A cosine of 1 + 1e-16 gives NaN; silenced so that the NaN, not a warning, is the symptom.
    with np.errstate(invalid="ignore"):
        return np.arccos(np.linalg.svd(Qa.T @ Qb, compute_uv=False))


# The overlap mistakes keep a float32 input's precision (no float()), so that they also match
# a student who returns a float32 scalar for float32 bases.
@mistake("overlap-mean-cos", replaces="subspace_overlap")
def overlap_mean_cos(A, B):
    return np.mean(reference._cosines(A, B))


@mistake("overlap-divides-by-max", replaces="subspace_overlap")
def overlap_divides_by_max(A, B):
    # ‖QaᵀQb‖_F² is the sum of cos²; dividing it by the larger dimension is not a mean.
    A, B = reference._check_bases(A, B)
    return np.sum(reference._cosines(A, B) ** 2) / max(A.shape[1], B.shape[1])


@mistake("angles-in-degrees", replaces="principal_angles")
def angles_in_degrees(A, B):
    return np.degrees(reference.principal_angles(A, B))


@mistake("returns-cosines", replaces="principal_angles")
def returns_cosines(A, B):
    # The singular values of QaᵀQb are the cosines: arccos was never taken (and the order is
    # theirs, descending).
    return reference._cosines(A, B)


@mistake("arcsin-of-cosines", replaces="principal_angles")
def arcsin_of_cosines(A, B):
    # arcsin where arccos belongs: π/2 − θ for each angle, sorted ascending as the contract asks.
    return np.sort(np.arcsin(reference._cosines(A, B)))


@mistake("normalizes-columns-only", replaces="principal_angles")
def normalizes_columns_only(A, B):
    # Unit-length columns are not an orthonormal basis unless they are also orthogonal.
    A, B = reference._check_bases(A, B)
    Ua, Ub = A / np.linalg.norm(A, axis=0), B / np.linalg.norm(B, axis=0)
    return np.arccos(np.clip(np.linalg.svd(Ua.T @ Ub, compute_uv=False), 0.0, 1.0))


@mistake("overlap-sum-not-mean", replaces="subspace_overlap")
def overlap_sum_not_mean(A, B):
    return np.sum(reference._cosines(A, B) ** 2)
