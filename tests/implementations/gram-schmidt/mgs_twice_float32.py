"""Modified Gram-Schmidt with a second pass, computed in float64, returned in the input's
float precision (float32 in, float32 out)."""
import numpy as np


def gram_schmidt(A, tol=1e-10):
    A = np.asarray(A)
    work = A.astype(np.float64)
    m, n = work.shape
    Q = np.empty((m, n))
    r = 0
    for j in range(n):
        v = work[:, j].copy()
        for _ in range(2):
            for i in range(r):
                v -= np.dot(Q[:, i], v) * Q[:, i]
        norm = np.linalg.norm(v)
        if norm < tol * max(1.0, np.linalg.norm(work[:, j])):
            continue
        Q[:, r] = v / norm
        r += 1
    out_dtype = A.dtype if A.dtype in (np.float32, np.float64) else np.float64
    return Q[:, :r].astype(out_dtype)
