"""Wrong answers students really write for the covariance exercise."""
import numpy as np

from grader.testing import mistake

import covariance as reference


@mistake("center-rows", replaces="center")
def center_rows(X):
    X = np.asarray(X)
    return X - X.mean(axis=1, keepdims=True)


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


@mistake("correlation-nan-for-constant", replaces="correlation_matrix")
def correlation_nan_for_constant(X):
    C = reference.covariance_matrix(X, ddof=0)
    std = np.sqrt(np.diag(C))
    with np.errstate(invalid="ignore", divide="ignore"):
        return C / np.outer(std, std)


@mistake("constant-self-correlation-zero", replaces="correlation_matrix")
def constant_self_correlation_zero(X):
    C = reference.covariance_matrix(X, ddof=0)
    std = np.sqrt(np.diag(C))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.nan_to_num(C / np.outer(std, std), nan=0.0)


def _divided(C, scale):
    """C / outer(scale, scale), with the contract's rule for zero-variance features."""
    constant = scale == 0
    scale = np.where(constant, 1.0, scale)
    R = C / np.outer(scale, scale)
    R[constant, :] = 0.0
    R[:, constant] = 0.0
    R[constant, constant] = 1.0
    return R


@mistake("correlation-mixed-ddof", replaces="correlation_matrix")
def correlation_mixed_ddof(X):
    X = np.asarray(X)
    return _divided(reference.covariance_matrix(X), X.std(axis=0))  # ddof=1, but ddof=0 for the std


@mistake("correlation-divides-by-variances", replaces="correlation_matrix")
def correlation_divides_by_variances(X):
    # The variances (the diagonal of C) where their square roots belong.
    C = reference.covariance_matrix(X, ddof=0)
    return _divided(C, np.diag(C).copy())


@mistake("ddof-precedence", replaces="covariance_matrix")
def ddof_precedence(X, ddof=1):
    # Xc.T @ Xc / n - ddof: Python divides first, then subtracts ddof from every entry.
    X, n = _checked(X, ddof)
    Xc = X - X.mean(axis=0)
    return Xc.T @ Xc / n - ddof
