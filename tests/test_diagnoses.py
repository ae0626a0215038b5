"""A catalogued mistake is named only when its message is true of what the student's code returned:
real student files of the built-in covariance exercise, graded by the real CLI."""
from __future__ import annotations

import pytest

from conftest import REPO, write_student

CORRECT_COVARIANCE = '''import numpy as np


def center(X):
    X = np.asarray(X)
    return X - X.mean(axis=0)


def covariance_matrix(X, ddof=1):
    X = np.asarray(X)
    n = X.shape[0]
    if n - ddof <= 0:
        raise ValueError("n_samples - ddof <= 0")
    Xc = center(X)
    return Xc.T @ Xc / (n - ddof)
'''

# Handles an exactly zero standard deviation only: a column of forty 0.1s (its centred values are
# rounding noise, not zeros) is divided as if it varied, and two such columns correlate +-1.
EXACT_ZERO_ONLY = CORRECT_COVARIANCE + '''

def correlation_matrix(X):
    C = covariance_matrix(X, ddof=0)
    s = np.sqrt(np.diag(C))
    with np.errstate(divide="ignore", invalid="ignore"):
        R = C / np.outer(s, s)
    R = np.where(np.outer(s, s) > 0, R, 0.0)
    np.fill_diagonal(R, 1.0)
    return np.clip(R, -1, 1)
'''

# No care at all for zero variance: 0/0 is NaN for an exactly constant column.
DIVIDES_ZERO_BY_ZERO = CORRECT_COVARIANCE + '''

def correlation_matrix(X):
    C = covariance_matrix(X, ddof=0)
    s = np.sqrt(np.diag(C))
    return C / np.outer(s, s)
'''

# 0/0 turned into 0 everywhere, the diagonal of a constant column included.
NAN_TO_NUM = CORRECT_COVARIANCE + '''

def correlation_matrix(X):
    C = covariance_matrix(X, ddof=0)
    s = np.sqrt(np.diag(C))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.nan_to_num(C / np.outer(s, s), nan=0.0)
'''

ANY_VALUE = "test_correlation_constant_features_of_any_value"
EXACT_CONSTANTS = "test_correlation_constant_features"


def grade(learn, workspace, source: str, seed: int) -> dict[str, list[str]]:
    """The ids diagnosed on each failing test of the covariance exercise."""
    write_student(workspace, "covariance", "covariance.py", source)
    run = learn("grade", "covariance", "--workspace", str(workspace), "--course", str(REPO),
                "--format", "json", "--seed", str(seed))
    assert run.code == 1 and "Traceback" not in run.stderr, run.stderr
    (exercise,) = run.json["exercises"]
    return {t["name"]: [d["id"] for d in t["diagnoses"]] for t in exercise["tests"] if t["status"] != "passed"}


@pytest.mark.parametrize("seed", [1, 2])
def test_exact_zero_only_is_told_the_true_reason(learn, workspace, seed):
    """No NaN, ones on the diagonal: neither the NaN mistake nor the zero-diagonal one may be named."""
    failing = grade(learn, workspace, EXACT_ZERO_ONLY, seed)
    assert failing == {f"{ANY_VALUE}[float64]": ["near-constant-not-constant"],
                       f"{ANY_VALUE}[float32]": ["near-constant-not-constant"]}


def test_zero_over_zero_is_named_where_the_output_has_nan(learn, workspace):
    failing = grade(learn, workspace, DIVIDES_ZERO_BY_ZERO, 1)
    assert failing[EXACT_CONSTANTS] == ["correlation-nan-for-constant"]
    # forty 0.1s in float64 leave rounding noise, not 0/0: no NaN there, so no NaN diagnosis
    assert failing[f"{ANY_VALUE}[float64]"] == ["near-constant-not-constant"]


def test_zero_diagonal_is_named_where_the_diagonal_is_zero(learn, workspace):
    failing = grade(learn, workspace, NAN_TO_NUM, 1)
    assert failing[EXACT_CONSTANTS] == ["constant-self-correlation-zero"]
    assert failing[f"{ANY_VALUE}[float64]"] == ["near-constant-not-constant"]


ARCSIN_ANGLES = '''import numpy as np


def _cosines(A, B):
    A, B = np.asarray(A), np.asarray(B)
    if A.ndim != 2 or B.ndim != 2 or A.shape[0] != B.shape[0] or max(A.shape[1], B.shape[1]) > A.shape[0]:
        raise ValueError("bad bases")
    Qa, _ = np.linalg.qr(A)
    Qb, _ = np.linalg.qr(B)
    return np.clip(np.linalg.svd(Qa.T @ Qb, compute_uv=False), 0.0, 1.0)


def principal_angles(A, B):
    return np.sort(np.arcsin(_cosines(A, B)))


def subspace_overlap(A, B):
    return float(np.mean(_cosines(A, B) ** 2))
'''


@pytest.mark.parametrize("seed", [1, 2])
def test_arcsin_for_arccos_is_named_and_not_mistaken_for_returning_the_cosines(learn, workspace, seed):
    """Orthogonal subspaces give 0 both for arcsin(cos) and for the cosines themselves, so both
    catalogued mistakes explain that test; the student's other outputs (random subspaces) match
    arcsin only, which refutes "you returned the cosines" (found by a reviewer writing near-misses)."""
    write_student(workspace, "subspace-angles", "angles.py", ARCSIN_ANGLES)
    run = learn("grade", "subspace-angles", "--workspace", str(workspace), "--course", str(REPO),
                "--format", "json", "--seed", str(seed))
    (exercise,) = run.json["exercises"]
    failing = {t["name"]: [d["id"] for d in t["diagnoses"]] for t in exercise["tests"] if t["status"] != "passed"}
    assert failing["test_orthogonal_subspaces"] == ["arcsin-of-cosines"]
    assert failing["test_random_subspaces"] == ["arcsin-of-cosines"]
    assert [d["id"] for d in exercise["diagnoses"]] == ["arcsin-of-cosines"]


def test_one_mean_of_the_whole_array_is_named(learn, workspace):
    """X - X.mean() (no axis) failed 13 tests and none said why."""
    failing = grade(learn, workspace, CORRECT_COVARIANCE.replace("X.mean(axis=0)", "X.mean()"), 1)
    assert failing["test_center_random"] == ["center-global-mean"]
    assert failing["test_covariance_default_ddof"] == ["covariance-global-mean"]


def test_only_a_mistake_of_the_same_function_that_explains_more_refutes_another():
    from types import SimpleNamespace
    from grader.diagnosis import refuted
    solution = SimpleNamespace(mistakes=[SimpleNamespace(id=i, replaces=f) for i, f in
                                         [("a1", "f"), ("a2", "f"), ("a3", "f"), ("b", "g")]])
    named = {"a1": {"t1", "t2"}, "a2": {"t1"}, "a3": {"t1", "t2"}, "b": {"t1"}}
    # a2 is refuted by a1 (and a3); a1 and a3 explain the same tests: both kept; b is another function's.
    assert refuted(named, solution) == {"a2"}
