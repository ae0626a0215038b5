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
    raise NotImplementedError("gram_schmidt is not written yet")
