"""Hidden tests for the orthogonal-init exercise.

Orthonormality and the gain are exact properties of every draw. Uniformity (the Haar
distribution) is a property of the distribution, checked statistically on many small draws:
without the sign fix, numpy's Householder QR returns Q[0, 0] < 0 every time (for a 1x1 matrix,
Q = [[1]] every time). Every student call gets its own fresh generator seeded from `rng`.
"""

import numpy as np
import pytest

from grader.stats import assert_binomial_count, assert_uniform_sample, assert_draws_only_from_rng
from grader.testing import assert_close, assert_does_the_work

HAAR_DRAWS = 64


def _fresh(rng):
    return np.random.default_rng(int(rng.integers(2**63)))


def _dims(kind, size):
    return {"tall": (2 * size, size // 2 + 1), "wide": (size // 2 + 1, 3 * size),
            "square": (size, size)}[kind]


def _check_matrix(W, rows, cols):
    assert isinstance(W, np.ndarray), f"orthogonal_init must return a numpy array, got {type(W).__name__}"
    if W.shape == (cols, rows) and rows != cols:
        raise AssertionError(f"orthogonal_init({rows}, {cols}, rng) returned shape {W.shape}, the transpose: "
                             f"when rows < cols you orthogonalize the transposed (cols, rows) matrix, so "
                             f"transpose Q back at the end.")
    assert W.shape == (rows, cols), f"orthogonal_init({rows}, {cols}, rng) must have shape ({rows}, {cols}), got {W.shape}"
    assert W.dtype.kind == "f", f"orthogonal_init must return floating-point numbers, got dtype {W.dtype}"
    assert np.all(np.isfinite(W)), f"orthogonal_init({rows}, {cols}, rng) contains NaN or inf"


def _check_orthonormal(W, rows, cols, gain):
    # The smaller side is the one that can be orthonormal: k = min(rows, cols) vectors of length
    # max(rows, cols).
    G, side = (W.T @ W, "columns") if rows >= cols else (W @ W.T, "rows")
    # 1e-6 rather than float64 rounding: Gram-Schmidt or an SVD are correct too, and lose
    # orthogonality like cond(A)^2 * eps on an unlucky Gaussian matrix; float32 results get 1e-4.
    atol = (1e-6 if W.dtype == np.float64 else 1e-4) * max(gain * gain, 1.0)
    assert_close(G, gain * gain * np.eye(min(rows, cols)), rtol=0, atol=atol,
                 name=f"the Gram matrix of the {side} of W = orthogonal_init({rows}, {cols}, rng, gain={gain:g})")


def _assert_orthonormal_draw(student, reference, rng):
    """The work behind the side properties: orthogonal_init(8, 5, rng, gain=1.5) has
    orthonormal columns times 1.5 (an exact property of every correct draw)."""
    def check(W):
        _check_matrix(W, 8, 5)
        _check_orthonormal(W, 8, 5, 1.5)
    assert_does_the_work(student, reference, "orthogonal_init", 8, 5, _fresh(rng), gain=1.5, check=check)


@pytest.mark.points(1)
def test_shape_and_dtype(student, reference, rng):
    """The result has shape (rows, cols), tall, wide or square, and holds finite floating-point
    numbers (from an orthogonal_init whose draws are orthonormal)."""
    _assert_orthonormal_draw(student, reference, rng)
    for rows, cols in [(5, 3), (3, 5), (4, 4), (7, 1), (1, 7)]:
        _check_matrix(student.orthogonal_init(rows, cols, _fresh(rng)), rows, cols)


@pytest.mark.points(2.5)
@pytest.mark.shrink(32)
@pytest.mark.parametrize("kind", ["tall", "wide", "square"])
def test_smaller_side_is_orthonormal(student, rng, size, kind):
    """The smaller side is orthonormal: for rows >= cols the columns (W.T @ W = I), for
    rows < cols the rows (W @ W.T = I)."""
    rows, cols = _dims(kind, size)
    W = student.orthogonal_init(rows, cols, _fresh(rng))
    _check_matrix(W, rows, cols)
    _check_orthonormal(W, rows, cols, 1.0)


@pytest.mark.points(1)
@pytest.mark.parametrize("kind, gain", [
    pytest.param("tall", 2 ** 0.5, id="tall-gain_sqrt2"),
    pytest.param("wide", 0.5, id="wide-gain0.5"),
    pytest.param("square", 3.0, id="square-gain3"),
])
def test_gain_scales_the_matrix(student, rng, kind, gain):
    """`gain` multiplies the whole matrix: the orthonormal side then has length gain, so
    W.T @ W (or W @ W.T) is gain² I."""
    rows, cols = _dims(kind, 12)
    W = student.orthogonal_init(rows, cols, _fresh(rng), gain=gain)
    _check_matrix(W, rows, cols)
    _check_orthonormal(W, rows, cols, gain)


# Why these numbers. Under the Haar distribution W[0, 0] / gain is symmetric: the count of
# negative values among 64 independent draws is Binomial(64, 1/2), and the exact two-sided
# interval at 5e-7 (and at 1e-6 for the 1x1 case) is [13, 51]. When the side that is a unit vector has length 3, that vector is
# uniform on the sphere S^2 and, by Archimedes' hat-box theorem, each coordinate is uniform on
# [-1, 1]: assert_uniform_sample (exact law of the maximum, Hoeffding, DKW) at 5e-7. Together
# a correct answer fails with probability <= 1e-6. Without the sign fix, numpy's Householder QR
# makes R[0, 0] = -sign(A[0, 0]) * |A[:, 0]|, so Q[0, 0] = -|A[0, 0]| / |A[:, 0]| < 0 in every
# draw (and Q = [[1]] for a 1x1 matrix): the count is 64 (or 0), outside [13, 51], so the
# mistake is caught with probability 1 (its KS distance to U(-1, 1) is 0.5, also far above the
# 0.345 allowed). 64 draws in 4 shapes keep the test near 0.5 s through the worker.
@pytest.mark.statistical
@pytest.mark.points(3)
@pytest.mark.parametrize("rows, cols, gain", [
    pytest.param(1, 1, 1.0, id="1x1"),
    pytest.param(3, 3, 1.0, id="3x3"),
    pytest.param(3, 2, 2.0, id="3x2-gain2"),
    pytest.param(2, 3, 1.0, id="2x3"),
])
def test_uniformly_distributed(student, rng, rows, cols, gain):
    """The matrix is uniformly distributed over all matrices with an orthonormal smaller side
    (Haar): no direction or sign is preferred. Over 64 draws W[0, 0] must be negative about as
    often as positive, and for a side of length 3 it must be uniform on [-gain, gain]. The plain
    Q of np.linalg.qr fails this: fix the signs of its columns with diag(R). Statistical test: a
    correct initializer fails it with probability below 1e-6; each known mistake is caught with
    probability above 1 − 1e-6."""
    first = []
    # All draws sent to the student's process at once (grader.proxy.StudentFunction.each): the
    # same calls, in the same order, as calling it in this loop.
    for W in student.orthogonal_init.each([(rows, cols, _fresh(rng)) for _ in range(HAAR_DRAWS)], gain=gain):
        _check_matrix(W, rows, cols)
        # Every draw must be orthonormal too: signs that merely look random are not the work.
        _check_orthonormal(W, rows, cols, gain)
        first.append(W[0, 0] / gain)
    first = np.array(first, dtype=np.float64)
    shown = f"orthogonal_init({rows}, {cols}, rng, gain={gain:g})"
    if (rows, cols) == (1, 1):
        assert_binomial_count(int(np.sum(first < 0)), HAAR_DRAWS, 0.5,
                              what=f"the number of negative results of {shown}")
        return
    assert_binomial_count(int(np.sum(first < 0)), HAAR_DRAWS, 0.5, alpha=5e-7,
                          what=f"the number of draws of {shown} with W[0, 0] < 0")
    assert_uniform_sample(first, 1.0, alpha=5e-7, what=f"W[0, 0] / gain over {HAAR_DRAWS} draws of {shown}")


@pytest.mark.points(1)
@pytest.mark.visibility("hidden")
def test_degenerate_shapes_and_zero_gain(student, rng):
    """A single row or column is a unit vector times gain, a 1×1 matrix is ±gain, and gain = 0
    gives the zero matrix."""
    for rows, cols, gain in [(1, 1, 1.0), (1, 1, 2.5), (1, 6, 0.5), (6, 1, 3.0)]:
        W = student.orthogonal_init(rows, cols, _fresh(rng), gain=gain)
        _check_matrix(W, rows, cols)
        assert_close(np.linalg.norm(W), gain, name=f"the length of orthogonal_init({rows}, {cols}, rng, gain={gain:g})")
    Z = student.orthogonal_init(4, 3, _fresh(rng), gain=0.0)
    _check_matrix(Z, 4, 3)
    assert np.all(Z == 0), "orthogonal_init(4, 3, rng, gain=0.0) must be the zero matrix"


@pytest.mark.points(1.5)
def test_draws_only_from_the_given_rng(student, reference, rng):
    """Same generator state, same matrix: two generators made with the same seed give identical
    matrices, and a different seed gives a different one. Draw only from the `rng` argument,
    not from np.random.* or from a generator of your own (and draw orthonormal matrices)."""
    _assert_orthonormal_draw(student, reference, rng)
    assert_draws_only_from_rng(lambda g: student.orthogonal_init(5, 3, g), "orthogonal_init(5, 3, rng)", rng)
