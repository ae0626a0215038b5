"""covariance with a loop over the columns for the means and einsum for the products."""
import numpy as np


def center(X):
    Xc = np.array(X, dtype=np.result_type(X, np.float64), copy=True)
    for j in range(Xc.shape[1]):
        Xc[:, j] -= Xc[:, j].sum() / Xc.shape[0]
    return Xc


def covariance_matrix(X, ddof=1):
    n = len(X)
    if n <= ddof:
        raise ValueError(f"{n} samples leave nothing to divide by with ddof={ddof}")
    Xc = center(X)
    return np.einsum("ni,nj->ij", Xc, Xc) / (n - ddof)


def correlation_matrix(X):
    Xc = center(X)
    d = Xc.shape[1]
    norms = np.sqrt(np.einsum("ni,ni->i", Xc, Xc))
    R = np.eye(d)
    for i in range(d):
        for j in range(d):
            if i != j and norms[i] > 0 and norms[j] > 0:
                R[i, j] = (Xc[:, i] @ Xc[:, j]) / (norms[i] * norms[j])
    return R
