"""Hidden tests for the orthogonality exercise.

Tolerances: grader.compare's defaults throughout (float64 rtol 1e-7, atol 1e-9; float32 1e-4,
1e-5). Gram matrices, Frobenius errors and cosines of O(1) matrices of at most a dozen columns
are exact to a few ulps in any evaluation order; an orthonormal matrix from QR has an error of
about 1e-15, far below atol 1e-9.
"""
import numpy as np
import pytest

from grader.testing import assert_close, assert_does_the_work, assert_inputs_unchanged



def _orthonormal(rng, m, n):
    """A random (m, n) matrix whose smaller side is orthonormal."""
    if m >= n:
        return np.linalg.qr(rng.standard_normal((m, n)))[0]
    return np.linalg.qr(rng.standard_normal((n, m)))[0].T


def _error(W):
    G = W.T @ W if W.shape[0] >= W.shape[1] else W @ W.T
    return np.linalg.norm(G - np.eye(G.shape[0]))


def _make_most_coherent_pair_positive(W):
    """Flip one column (in place) so that the largest |cos| comes from a positive cosine.

    Flipping a column changes no |cos|, so the right answer is unchanged; it keeps the
    sign question for its own test, and a wrong sign fails every seed, not half of them.
    """
    U = W / np.linalg.norm(W, axis=0)
    C = U.T @ U
    np.fill_diagonal(C, 0.0)
    i, j = np.unravel_index(np.argmax(np.abs(C)), C.shape)
    if C[i, j] < 0:
        W[:, j] *= -1.0


def _is_real_scalar(x):
    return isinstance(x, (float, np.floating)) and not isinstance(x, bool)


@pytest.mark.points(1.5)
@pytest.mark.shrink(6)
def test_gram_matrix_random(student, reference, rng, size):
    """gram_matrix(W) is W.T @ W: an (n, n) matrix of dot products between the
    COLUMNS of W, for tall and wide random matrices."""
    for m, n in [(size + 3, size), (size, size + 2)]:
        W = rng.standard_normal((m, n))
        result = student.gram_matrix(W)
        assert_close(result, reference.gram_matrix(W), name=f"gram_matrix of a {m}x{n} W")
    assert_inputs_unchanged()


@pytest.mark.points(1.5)
@pytest.mark.parametrize("shape", [(7, 3), (5, 5), (3, 8)], ids=["tall", "square", "wide"])
def test_orthogonality_error_of_orthonormal_matrix(student, reference, rng, shape):
    """A matrix whose smaller side is orthonormal (orthonormal columns when it is
    tall or square, orthonormal rows when it is wide) has orthogonality error 0, from an
    orthogonality_error that measures a random matrix of that shape right too."""
    # 0 is what a constant gives: the points need the real error of a generic matrix first.
    assert_does_the_work(student, reference, "orthogonality_error", 0.5 * rng.standard_normal(shape))
    W = _orthonormal(rng, *shape)
    result = student.orthogonality_error(W)
    assert _is_real_scalar(result), f"orthogonality_error must return a float, got {type(result).__name__}"
    assert_close(result, 0.0, name="orthogonality_error")


@pytest.mark.points(1.5)
@pytest.mark.shrink(5)
def test_orthogonality_error_random(student, reference, rng, size):
    """orthogonality_error of random tall, square and wide matrices is the
    Frobenius norm of (Gram matrix of the smaller side) - identity."""
    for m, n in [(size + 3, size), (size, size), (size, size + 4)]:
        W = rng.standard_normal((m, n)) * 0.5
        result = student.orthogonality_error(W)
        assert_close(result, reference.orthogonality_error(W), name=f"orthogonality_error of a {m}x{n} W")
    assert_inputs_unchanged()


@pytest.mark.points(1)
def test_is_orthogonal(student, rng):
    """is_orthogonal returns a bool: True for orthonormal matrices (tall or wide),
    False for a slightly perturbed one, and it respects `tol` (error <= tol counts)."""
    cases = []
    for shape in [(6, 3), (3, 6)]:
        cases.append((_orthonormal(rng, *shape), {}, True))
    Q = _orthonormal(rng, 5, 4)
    E = rng.standard_normal(Q.shape)
    perturbed = Q + 1e-3 * E / np.linalg.norm(E)
    cases.append((perturbed, {}, False))
    cases.append((perturbed, {"tol": 0.1}, True))
    # The identity has error exactly 0, so this checks `<=` rather than `<`.
    cases.append((np.eye(4), {"tol": 0.0}, True))
    for W, kwargs, expected in cases:
        result = student.is_orthogonal(W, **kwargs)
        assert isinstance(result, (bool, np.bool_)), f"is_orthogonal must return a bool, got {type(result).__name__}"
        assert bool(result) is expected, (
            f"is_orthogonal returned {result} for a {W.shape[0]}x{W.shape[1]} matrix whose "
            f"orthogonality error is {_error(W):.3g}, with {kwargs or 'the default tol=1e-6'}; "
            f"expected {expected}"
        )
    assert_inputs_unchanged()


@pytest.mark.points(1)
@pytest.mark.shrink(6)
def test_mutual_coherence_random(student, reference, rng, size):
    """mutual_coherence of random matrices whose columns have very different
    lengths: the largest |cosine| between two distinct columns."""
    for m, n in [(size + 4, size + 1), (size + 1, size + 5)]:
        W = rng.standard_normal((m, n)) * rng.uniform(0.1, 10.0, size=n)
        _make_most_coherent_pair_positive(W)
        result = student.mutual_coherence(W)
        assert _is_real_scalar(result), f"mutual_coherence must return a float, got {type(result).__name__}"
        assert_close(result, reference.mutual_coherence(W), name=f"mutual_coherence of a {m}x{n} W")
    assert_inputs_unchanged()


@pytest.mark.points(1)
@pytest.mark.visibility("hidden")
def test_mutual_coherence_counts_negative_cosines(student, reference, rng):
    """Two columns pointing in nearly OPPOSITE directions are just as coherent as two
    pointing the same way: the coherence uses |cos|."""
    W = rng.standard_normal((8, 5)) * rng.uniform(0.5, 3.0, size=5)
    W[:, 3] = -2.5 * W[:, 1] + 0.3 * np.linalg.norm(W[:, 1]) * rng.standard_normal(8) / np.sqrt(8)
    assert_close(student.mutual_coherence(W), reference.mutual_coherence(W), name="mutual_coherence")


@pytest.mark.points(0.5)
def test_mutual_coherence_extremes(student, rng):
    """Orthogonal columns of different lengths have coherence 0; a column that is a
    scaled copy of another gives coherence 1."""
    Q = _orthonormal(rng, 6, 4) * np.array([0.5, 2.0, 7.0, 0.1])
    assert_close(student.mutual_coherence(Q), 0.0, name="mutual_coherence of orthogonal columns")
    a, b = rng.standard_normal(5), rng.standard_normal(5)
    W = np.column_stack([a, b, 3.0 * a])
    assert_close(student.mutual_coherence(W), 1.0, name="mutual_coherence with a scaled copy")


@pytest.mark.points(0.5)
@pytest.mark.parametrize(
    "case", ["zero column", "one column", "no columns"]
)
def test_mutual_coherence_rejects_bad_input(student, reference, rng, case):
    """mutual_coherence raises ValueError for a zero column (it has no direction) and
    for fewer than two columns (there is no pair to compare), while a matrix of nonzero
    columns gets its coherence."""
    W = rng.standard_normal((5, 3))
    _make_most_coherent_pair_positive(W)
    assert_does_the_work(student, reference, "mutual_coherence", W)
    if case == "zero column":
        W = rng.standard_normal((4, 3))
        W[:, 1] = 0.0
    elif case == "one column":
        W = rng.standard_normal((4, 1))
    else:
        W = np.zeros((4, 0))
    with pytest.raises(ValueError):
        student.mutual_coherence(W)


@pytest.mark.points(1)
def test_float32_input(student, reference, rng):
    """float32 matrices work too, and are compared at float32 precision."""
    W = rng.standard_normal((7, 4))
    _make_most_coherent_pair_positive(W)
    W = W.astype(np.float32)
    assert_close(student.gram_matrix(W), reference.gram_matrix(W), name="gram_matrix")
    wide = _orthonormal(rng, 3, 6).astype(np.float32)
    # The expected scalars are made float32 so that the comparison uses float32 tolerance
    # and accepts a float32 scalar as well as a float64 one (both are right here).
    for M in (W, wide):
        expected = np.float32(reference.orthogonality_error(M))
        assert_close(student.orthogonality_error(M), expected, name="orthogonality_error")
    assert_close(student.mutual_coherence(W), np.float32(reference.mutual_coherence(W)), name="mutual_coherence")
    assert_inputs_unchanged()


@pytest.mark.points(0.5)
def test_mutual_coherence_of_two_columns(student, reference, rng):
    """Two columns are enough: the coherence is then the |cosine| of that one pair."""
    W = rng.standard_normal((5, 2)) * np.array([0.5, 4.0])
    assert_close(student.mutual_coherence(W), reference.mutual_coherence(W), name="mutual_coherence of a 5x2 W")
