"""Wrong answers students really write for the orthogonality exercise."""
import numpy as np

from grader.testing import mistake

import orthogonality as reference


@mistake("gram-rows-not-columns", replaces="gram_matrix")
def gram_rows_not_columns(W):
    W = np.asarray(W)
    return W @ W.T


@mistake("tall-uses-wwt", replaces="orthogonality_error")
def tall_uses_wwt(W):
    W = np.asarray(W)
    return float(np.linalg.norm(W @ W.T - np.eye(W.shape[0])))


@mistake("wide-uses-wtw", replaces="orthogonality_error")
def wide_uses_wtw(W):
    W = np.asarray(W)
    return float(np.linalg.norm(W.T @ W - np.eye(W.shape[1])))


@mistake("squared-frobenius", replaces="orthogonality_error")
def squared_frobenius(W):
    W = np.asarray(W)
    m, n = W.shape
    G = W.T @ W if m >= n else W @ W.T
    return float(np.sum((G - np.eye(G.shape[0])) ** 2))


@mistake("coherence-includes-diagonal", replaces="mutual_coherence")
def coherence_includes_diagonal(W):
    W = np.asarray(W)
    if W.shape[1] < 2:
        raise ValueError("need two columns")
    norms = np.linalg.norm(W, axis=0)
    if np.any(norms == 0):
        raise ValueError("zero column")
    U = W / norms
    return float(np.abs(U.T @ U).max())


@mistake("coherence-not-normalized", replaces="mutual_coherence")
def coherence_not_normalized(W):
    W = np.asarray(W)
    if W.shape[1] < 2:
        raise ValueError("need two columns")
    if np.any(np.linalg.norm(W, axis=0) == 0):
        raise ValueError("zero column")
    G = np.abs(W.T @ W)
    np.fill_diagonal(G, 0.0)
    return float(G.max())


@mistake("coherence-signed", replaces="mutual_coherence")
def coherence_signed(W):
    W = np.asarray(W)
    if W.shape[1] < 2:
        raise ValueError("need two columns")
    norms = np.linalg.norm(W, axis=0)
    if np.any(norms == 0):
        raise ValueError("zero column")
    U = W / norms
    C = U.T @ U
    np.fill_diagonal(C, -np.inf)
    return float(C.max())


@mistake("error-uses-spectral-norm", replaces="orthogonality_error")
def error_uses_spectral_norm(W):
    # np.linalg.norm(M, 2) of a matrix is its largest singular value, not the Frobenius norm.
    W = np.asarray(W)
    m, n = W.shape
    G = W.T @ W if m >= n else W @ W.T
    return float(np.linalg.norm(G - np.eye(G.shape[0]), 2))


@mistake("is-orthogonal-strict", replaces="is_orthogonal")
def is_orthogonal_strict(W, tol=1e-6):
    return bool(reference.orthogonality_error(W) < tol)


@mistake("is-orthogonal-ignores-tol", replaces="is_orthogonal")
def is_orthogonal_ignores_tol(W, tol=1e-6):
    # np.allclose has tolerances of its own and never looks at tol.
    W = np.asarray(W)
    m, n = W.shape
    G = W.T @ W if m >= n else W @ W.T
    return bool(np.allclose(G, np.eye(G.shape[0])))


@mistake("coherence-of-rows", replaces="mutual_coherence")
def coherence_of_rows(W):
    # Everything computed on W.T: the cosines between the ROWS.
    return reference.mutual_coherence(np.asarray(W).T)
