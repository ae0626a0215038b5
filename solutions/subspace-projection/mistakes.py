"""Known wrong answers for subspace-projection, one function per mistake (see docs/authoring.md)."""

import numpy as np

import subspace as reference
from grader.testing import mistake

# Each mistake keeps the reference's argument checks, so that it differs in one idea only.


@mistake("projector-without-gram-inverse", replaces="projection_matrix")
def projector_without_gram_inverse(B):
    # Right only when the columns of B are orthonormal.
    B = reference._check_basis(B)
    return B @ B.T


@mistake("projector-normalized-columns", replaces="projection_matrix")
def projector_normalized_columns(B):
    # Unit-length columns are not enough: they must also be orthogonal to each other.
    B = reference._check_basis(B)
    unit = B / np.linalg.norm(B, axis=0)
    return unit @ unit.T


@mistake("project-returns-coordinates", replaces="project_onto_subspace")
def project_returns_coordinates(X, B):
    # The least-squares coefficients of each row in the basis B, not the projected points.
    X, B = np.asarray(X), np.asarray(B)
    return np.linalg.solve(B.T @ B, B.T @ X.T).T


@mistake("project-without-gram-inverse", replaces="project_onto_subspace")
def project_without_gram_inverse(X, B):
    X, B = np.asarray(X), np.asarray(B)
    return X @ B @ B.T


@mistake("decompose-without-gram-inverse", replaces="decompose")
def decompose_without_gram_inverse(x, B):
    x, B = np.asarray(x), np.asarray(B)
    parallel = B @ (B.T @ x)
    return parallel, x - parallel


def _checked(X, k):
    X = np.asarray(X)
    if X.ndim != 2 or not 1 <= k <= X.shape[1]:
        raise ValueError("bad X or k")
    return X


@mistake("pca-not-centred", replaces="principal_subspace")
def pca_not_centred(X, k):
    # The SVD of the raw data: with a large mean, the top direction points at the mean.
    X = _checked(X, k)
    _, _, Vt = np.linalg.svd(X, full_matrices=False)
    W = Vt[:k].T
    largest = np.argmax(np.abs(W), axis=0)
    return W * np.sign(W[largest, np.arange(k)])


@mistake("pca-ascending-order", replaces="principal_subspace")
def pca_ascending_order(X, k):
    # eigh sorts eigenvalues in ascending order: without reversing, these are the k
    # directions of smallest variance.
    X = _checked(X, k)
    centred = X - X.mean(axis=0)
    _, vectors = np.linalg.eigh(centred.T @ centred)
    W = vectors[:, :k]
    largest = np.argmax(np.abs(W), axis=0)
    return W * np.sign(W[largest, np.arange(k)])


@mistake("pca-no-sign-fix", replaces="principal_subspace")
def pca_no_sign_fix(X, k):
    # Whatever sign the SVD routine happened to return.
    X = _checked(X, k)
    _, _, Vt = np.linalg.svd(X - X.mean(axis=0), full_matrices=False)
    return Vt[:k].T


@mistake("project-columns-not-rows", replaces="project_onto_subspace")
def project_columns_not_rows(X, B):
    # P @ X.T projects the points all right, but leaves them as the columns of a (d, n) array.
    X = np.asarray(X)
    return reference.projection_matrix(B) @ X.T


def _pca_svd(X, k):
    X = _checked(X, k)
    return np.linalg.svd(X - X.mean(axis=0), full_matrices=False)


def _sign_fixed(W):
    largest = np.argmax(np.abs(W), axis=0)
    return W * np.sign(W[largest, np.arange(W.shape[1])])


@mistake("pca-left-singular-vectors", replaces="principal_subspace")
def pca_left_singular_vectors(X, k):
    # U holds one entry per SAMPLE: the directions are the rows of Vt.
    U, _, _ = _pca_svd(X, k)
    return _sign_fixed(U[:, :k])


@mistake("pca-vt-columns", replaces="principal_subspace")
def pca_vt_columns(X, k):
    # The first k columns of Vt, where its first k rows (transposed) were meant.
    _, _, Vt = _pca_svd(X, k)
    return _sign_fixed(Vt[:, :k])


@mistake("pca-sign-from-first-entry", replaces="principal_subspace")
def pca_sign_from_first_entry(X, k):
    _, _, Vt = _pca_svd(X, k)
    W = Vt[:k].T
    return W * np.sign(W[0])
