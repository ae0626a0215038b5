"""Modified Gram-Schmidt: an orthonormal basis of the column space of a matrix."""
import numpy as np


def gram_schmidt(A, tol=1e-10):
    """Return an orthonormal basis of the column space of ``A`` (modified Gram-Schmidt).

    The columns of ``A`` are taken left to right. Each one is orthogonalized
    against the basis vectors kept so far, one basis vector at a time, always
    projecting the *current* remainder (this is what makes it "modified"). A
    column whose remaining norm is below ``tol * max(1, ||a_j||)`` adds no new
    direction and is dropped; otherwise its normalized remainder becomes the
    next basis vector, which then has a positive dot product with ``a_j``.

    Args:
        A: array of shape (m, n).
        tol: relative tolerance for dropping a (numerically) dependent column.

    Returns:
        Array ``Q`` of shape (m, r) with orthonormal columns spanning the
        column space of ``A``; r is the number of columns kept (0 when ``A`` is
        all zeros).
    """
    A = np.asarray(A)
    if A.ndim != 2:
        raise ValueError(f"A must be a 2-D matrix, got shape {A.shape}")
    # float64 even for float32 input: the default tol of 1e-10 is far below
    # float32 rounding, so dependent columns could not be recognised in float32.
    V = A.astype(np.float64)  # a copy: the remainders are updated in place
    thresholds = tol * np.maximum(1.0, np.linalg.norm(V, axis=0))
    basis = []
    for j in range(V.shape[1]):
        remaining = np.linalg.norm(V[:, j])
        if remaining < thresholds[j]:
            continue
        q = V[:, j] / remaining
        basis.append(q)
        # Right-looking MGS: remove q from every later remainder now, so each
        # later column is projected against the already-reduced vector, which is
        # what keeps the rounding errors from piling up as in classical GS.
        V[:, j + 1:] -= np.outer(q, q @ V[:, j + 1:])
    # float32 in, float32 out (float64 for anything else): the precision the caller chose.
    dtype = np.result_type(A.dtype, np.float32)
    if not basis:
        return np.zeros((A.shape[0], 0), dtype=dtype)
    return np.column_stack(basis).astype(dtype, copy=False)
