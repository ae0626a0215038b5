"""Known wrong answers for the eigenspectrum exercise, in the order of exercise.yaml."""

import numpy as np

from grader.testing import mistake


@mistake("sorts-by-real-part", replaces="eigenspectrum")
def sorts_by_real_part(W):
    # np.sort on complex numbers orders by real part (then imaginary part), not by |λ|.
    return np.sort(np.linalg.eigvals(W))[::-1]


@mistake("sorted-ascending", replaces="eigenspectrum")
def sorted_ascending(W):
    eigenvalues = np.linalg.eigvals(W)
    return eigenvalues[np.argsort(np.abs(eigenvalues), kind="stable")]


@mistake("radius-is-largest-singular-value", replaces="spectral_radius")
def radius_is_largest_singular_value(W):
    return float(np.linalg.norm(W, 2))


@mistake("singular-values-ascending", replaces="singular_values")
def singular_values_ascending(W):
    # What sqrt(eigvalsh(WᵀW)) gives: the right values in eigh's ascending order.
    return np.sort(np.linalg.svd(W, compute_uv=False))


@mistake("singular-values-from-eigenvalues", replaces="singular_values")
def singular_values_from_eigenvalues(W):
    return np.sort(np.abs(np.linalg.eigvals(W)))[::-1]


@mistake("condition-without-cutoff", replaces="condition_number")
def condition_without_cutoff(W):
    sigma = np.linalg.svd(W, compute_uv=False)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(sigma[0] / sigma[-1])


@mistake("condition-from-eigenvalues", replaces="condition_number")
def condition_from_eigenvalues(W):
    magnitudes = np.abs(np.linalg.eigvals(W))
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(magnitudes.max() / magnitudes.min())


@mistake("uses-eigh", replaces="eigenspectrum")
def uses_eigh(W):
    # eigh/eigvalsh assume a symmetric matrix and read only one triangle of W.
    W = np.asarray(W)
    if W.ndim != 2 or W.shape[0] != W.shape[1]:
        raise ValueError("W must be square")
    eigenvalues = np.linalg.eigvalsh(W)
    return eigenvalues[np.argsort(-np.abs(eigenvalues), kind="stable")]


@mistake("radius-largest-real-part", replaces="spectral_radius")
def radius_largest_real_part(W):
    # The largest eigenvalue (by value), not the largest |λ|.
    return float(np.max(np.linalg.eigvals(W).real))


@mistake("singular-values-via-gram", replaces="singular_values")
def singular_values_via_gram(W):
    # √ of the eigenvalues of the smaller Gram matrix: exact on paper, squares the condition
    # number in floating point.
    W = np.asarray(W, dtype=np.float64)
    G = W.T @ W if W.shape[0] >= W.shape[1] else W @ W.T
    return np.sqrt(np.clip(np.linalg.eigvalsh(G), 0.0, None))[::-1]


@mistake("condition-absolute-cutoff", replaces="condition_number")
def condition_absolute_cutoff(W):
    sigma = np.linalg.svd(W, compute_uv=False)
    if sigma[-1] < 1e-15:
        return float("inf")
    return float(sigma[0] / sigma[-1])


@mistake("returns-magnitudes", replaces="eigenspectrum")
def returns_magnitudes(W):
    # The sort key returned instead of the sorted eigenvalues.
    return np.sort(np.abs(np.linalg.eigvals(W)))[::-1]
