"""Wrong answers students really write for the Gram-Schmidt exercise."""
import numpy as np

from grader.testing import mistake


def _finish(basis, m):
    if not basis:
        return np.zeros((m, 0))
    return np.column_stack(basis)


@mistake("classical-gram-schmidt", replaces="gram_schmidt")
def classical_gram_schmidt(A, tol=1e-10):
    A = np.asarray(A, dtype=np.float64)
    basis = []
    for j in range(A.shape[1]):
        a = A[:, j]
        v = a.copy()
        for q in basis:
            v -= (q @ a) * q  # coefficient from the ORIGINAL column: classical GS
        norm = np.linalg.norm(v)
        if norm < tol * max(1.0, np.linalg.norm(a)):
            continue
        basis.append(v / norm)
    return _finish(basis, A.shape[0])


@mistake("not-normalized", replaces="gram_schmidt")
def not_normalized(A, tol=1e-10):
    A = np.asarray(A, dtype=np.float64)
    basis = []
    for j in range(A.shape[1]):
        a = A[:, j]
        v = a.copy()
        for u in basis:
            v -= (u @ v) / (u @ u) * u
        if np.linalg.norm(v) < tol * max(1.0, np.linalg.norm(a)):
            continue
        basis.append(v)
    return _finish(basis, A.shape[0])


@mistake("projects-onto-original-columns", replaces="gram_schmidt")
def projects_onto_original_columns(A, tol=1e-10):
    A = np.asarray(A, dtype=np.float64)
    basis, sources = [], []
    for j in range(A.shape[1]):
        a = A[:, j]
        v = a.copy()
        for s in sources:
            v -= (s @ v) / (s @ s) * s
        norm = np.linalg.norm(v)
        if norm < tol * max(1.0, np.linalg.norm(a)):
            continue
        basis.append(v / norm)
        sources.append(a)
    return _finish(basis, A.shape[0])


@mistake("never-drops", replaces="gram_schmidt")
def never_drops(A, tol=1e-10):
    A = np.asarray(A, dtype=np.float64)
    basis = []
    with np.errstate(invalid="ignore", divide="ignore"):
        for j in range(A.shape[1]):
            v = A[:, j].copy()
            for q in basis:
                v -= (q @ v) * q
            basis.append(v / np.linalg.norm(v))
    return _finish(basis, A.shape[0])


@mistake("absolute-tolerance", replaces="gram_schmidt")
def absolute_tolerance(A, tol=1e-10):
    A = np.asarray(A, dtype=np.float64)
    basis = []
    for j in range(A.shape[1]):
        v = A[:, j].copy()
        for q in basis:
            v -= (q @ v) * q
        norm = np.linalg.norm(v)
        if norm < tol:
            continue
        basis.append(v / norm)
    return _finish(basis, A.shape[0])


@mistake("relative-tolerance-only", replaces="gram_schmidt")
def relative_tolerance_only(A, tol=1e-10):
    A = np.asarray(A, dtype=np.float64)
    basis = []
    with np.errstate(invalid="ignore", divide="ignore"):
        for j in range(A.shape[1]):
            a = A[:, j]
            v = a.copy()
            for q in basis:
                v -= (q @ v) * q
            norm = np.linalg.norm(v)
            if norm < tol * np.linalg.norm(a):
                continue
            basis.append(v / norm)
    return _finish(basis, A.shape[0])


def _modified(columns, tol, m, stop_at_drop=False, divide_by_column=False):
    """Modified Gram-Schmidt over COLUMNS (vectors of length m) with the contract's drop rule;
    the switches are slips: `break` for `continue`, the column's length for the remainder's."""
    basis = []
    for a in columns:
        v = a.copy()
        for q in basis:
            v -= (q @ v) * q
        norm = np.linalg.norm(v)
        if norm < tol * max(1.0, np.linalg.norm(a)):
            if stop_at_drop:
                break
            continue
        basis.append(v / (np.linalg.norm(a) if divide_by_column else norm))
    return _finish(basis, m)


@mistake("rows-not-columns", replaces="gram_schmidt")
def rows_not_columns(A, tol=1e-10):
    # Looping over A (its rows) instead of A.T or A[:, j] (its columns).
    A = np.asarray(A, dtype=np.float64)
    return _modified(list(A), tol, A.shape[1])


@mistake("stops-at-dependent-column", replaces="gram_schmidt")
def stops_at_dependent_column(A, tol=1e-10):
    # `break` where `continue` was meant: the columns after the first dependent one are lost.
    A = np.asarray(A, dtype=np.float64)
    return _modified(list(A.T), tol, A.shape[0], stop_at_drop=True)


@mistake("normalizes-by-original-norm", replaces="gram_schmidt")
def normalizes_by_original_norm(A, tol=1e-10):
    # v / ‖a_j‖: the length of the column, not of what remains of it after the projections.
    A = np.asarray(A, dtype=np.float64)
    return _modified(list(A.T), tol, A.shape[0], divide_by_column=True)
