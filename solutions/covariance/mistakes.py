"""Wrong answers students really write for the covariance exercise."""
import numpy as np

from grader.testing import mistake

import covariance as reference


@mistake("center-rows", replaces="center")
def center_rows(X):
    X = np.asarray(X)
    return X - X.mean(axis=1, keepdims=True)


@mistake("center-global-mean", replaces="center")
def center_global_mean(X):
    # X.mean() without an axis: one mean of every entry, subtracted from every column.
    X = np.asarray(X)
    return X - X.mean()


@mistake("center-standardizes", replaces="center")
def center_standardizes(X):
    X = np.asarray(X)
    return (X - X.mean(axis=0)) / X.std(axis=0)


def _checked(X, ddof):
    """X as an array and its number of samples, with the reference's ValueError kept."""
    X = np.asarray(X)
    if X.shape[0] - ddof <= 0:
        raise ValueError("n_samples - ddof <= 0")
    return X, X.shape[0]


@mistake("no-centering", replaces="covariance_matrix")
def no_centering(X, ddof=1):
    X, n = _checked(X, ddof)
    return X.T @ X / (n - ddof)


@mistake("covariance-global-mean", replaces="covariance_matrix")
def covariance_global_mean(X, ddof=1):
    # Centered with center-global-mean's one mean of the whole array.
    X, n = _checked(X, ddof)
    Xc = X - X.mean()
    return Xc.T @ Xc / (n - ddof)


@mistake("divides-by-n", replaces="covariance_matrix")
def divides_by_n(X, ddof=1):
    X, n = _checked(X, ddof)
    Xc = X - X.mean(axis=0)
    return Xc.T @ Xc / n


@mistake("ddof-ignored", replaces="covariance_matrix")
def ddof_ignored(X, ddof=1):
    X, n = _checked(X, ddof)
    Xc = X - X.mean(axis=0)
    return Xc.T @ Xc / (n - 1)


@mistake("samples-not-features", replaces="covariance_matrix")
def samples_not_features(X, ddof=1):
    X, n = _checked(X, ddof)
    Xc = X - X.mean(axis=0)
    return Xc @ Xc.T / (n - ddof)


@mistake("one-pass-formula", replaces="covariance_matrix")
def one_pass_formula(X, ddof=1):
    X, n = _checked(X, ddof)
    mu = X.mean(axis=0)
    return (X.T @ X - n * np.outer(mu, mu)) / (n - ddof)


# Each mistake below changes the reference in one way only, the way its message says, so that it
# is named only where the student's output shows that change. A plain C / outer(std, std) would
# stand for all three at once: on a column of forty 0.1s (rounding noise, not 0/0) it returns
# no NaN and ones on the diagonal, exactly what "handles only an exactly zero std" returns.


def _constant(X):
    """The features whose values are all equal (the contract's zero variance)."""
    return np.ptp(np.asarray(X), axis=0) == 0


@mistake("correlation-nan-for-constant", replaces="correlation_matrix")
def correlation_nan_for_constant(X):
    # 0 / 0: NaN in every entry of a feature whose computed standard deviation is exactly 0.
    R = reference.correlation_matrix(X)
    zero = np.diag(reference.covariance_matrix(X, ddof=0)) == 0
    R[zero, :] = np.nan
    R[:, zero] = np.nan
    return R


@mistake("constant-self-correlation-zero", replaces="correlation_matrix")
def constant_self_correlation_zero(X):
    # np.nan_to_num(0 / 0) = 0 on the diagonal too.
    R = reference.correlation_matrix(X)
    constant = _constant(X)
    R[constant, constant] = 0.0
    return R


def _divided(C, scale, constant):
    """C / outer(scale, scale), with the contract's rule for the CONSTANT features."""
    scale = np.where(constant, 1.0, scale)
    R = C / np.outer(scale, scale)
    R[constant, :] = 0.0
    R[:, constant] = 0.0
    R[constant, constant] = 1.0
    return R


@mistake("near-constant-not-constant", replaces="correlation_matrix")
def near_constant_not_constant(X):
    # Only an exactly zero standard deviation counts as constant: a column of 0.1s, whose centred
    # values are rounding noise, is divided noise by noise.
    C = reference.covariance_matrix(X, ddof=0)
    std = np.sqrt(np.diag(C))
    return _divided(C, std, std == 0)


@mistake("correlation-mixed-ddof", replaces="correlation_matrix")
def correlation_mixed_ddof(X):
    X = np.asarray(X)
    return _divided(reference.covariance_matrix(X), X.std(axis=0), _constant(X))  # ddof=1, but 0 for the std


@mistake("correlation-divides-by-variances", replaces="correlation_matrix")
def correlation_divides_by_variances(X):
    # The variances (the diagonal of C) where their square roots belong.
    C = reference.covariance_matrix(X, ddof=0)
    return _divided(C, np.diag(C).copy(), _constant(X))


@mistake("ddof-precedence", replaces="covariance_matrix")
def ddof_precedence(X, ddof=1):
    # Xc.T @ Xc / n - ddof: Python divides first, then subtracts ddof from every entry.
    X, n = _checked(X, ddof)
    Xc = X - X.mean(axis=0)
    return Xc.T @ Xc / n - ddof
