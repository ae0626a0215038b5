"""Hidden tests for the covariance exercise.

Tolerances: grader.compare's defaults throughout (float64 rtol 1e-7, atol 1e-9; float32 1e-4,
1e-5). Centred data of O(1) spread give covariances and correlations to a few ulps whatever the
order of the sums (loops, einsum, matmul); around means of 1e6 centring leaves an error of about
1e6·1e-16 = 1e-10 on O(1) values, still far inside rtol 1e-7 (the one-pass formula leaves ~1e-4).
"""
import numpy as np
import pytest

from grader.testing import assert_close, assert_does_the_work, assert_inputs_unchanged


def _data(rng, n, d, offset=3.0):
    """n samples of d correlated features with nonzero, different means."""
    Z = rng.standard_normal((n, d))
    mixing = rng.standard_normal((d, d)) + np.eye(d)
    means = offset * rng.uniform(-1.0, 1.0, size=d) + offset * np.sign(rng.uniform(-1.0, 1.0, size=d))
    return Z @ mixing + means


@pytest.mark.points(1)
@pytest.mark.shrink(5)
def test_center_random(student, reference, rng, size):
    """center(X) subtracts from each COLUMN (feature) its mean over the samples; the
    result has the shape of X and columns of mean 0."""
    X = _data(rng, size + 4, size + 1)
    result = student.center(X)
    assert_close(result, reference.center(X), name="center(X)")
    assert_close(np.asarray(result).mean(axis=0), np.zeros(X.shape[1]), name="column means of center(X)")
    assert_inputs_unchanged()


@pytest.mark.points(1.5)
@pytest.mark.shrink(5)
def test_covariance_default_ddof(student, reference, rng, size):
    """covariance_matrix(X) with the default ddof=1 on random correlated data: a
    (d, d) matrix, divided by n_samples - 1, with more samples than features and
    with fewer."""
    for n, d in [(size + 6, size), (3, size + 2)]:
        X = _data(rng, n, d)
        result = student.covariance_matrix(X)
        assert_close(result, reference.covariance_matrix(X), name=f"covariance_matrix of {n} samples x {d} features")
    assert_inputs_unchanged()


@pytest.mark.points(1)
def test_covariance_ddof(student, reference, rng):
    """covariance_matrix honours ddof: ddof=0 divides by n_samples (population
    covariance), ddof=2 by n_samples - 2."""
    X = _data(rng, 9, 3)
    for ddof in (0, 2):
        result = student.covariance_matrix(X, ddof=ddof)
        assert_close(result, reference.covariance_matrix(X, ddof=ddof), name=f"covariance_matrix(X, ddof={ddof})")
    assert_inputs_unchanged()


@pytest.mark.points(1)
def test_covariance_large_means(student, reference, rng):
    """Covariance does not change when a constant is added to a feature, even a large
    one: features of variance about 1 around means of about one million. (The
    shortcut E[xy] - E[x]E[y] fails here: it subtracts two numbers of about 1e12 that
    agree in all but their last few digits.)"""
    X = _data(rng, 20, 4, offset=0.0) + 1e6 * rng.uniform(0.5, 1.5, size=4)
    assert_close(student.covariance_matrix(X), reference.covariance_matrix(X), name="covariance_matrix")


@pytest.mark.points(0.5)
@pytest.mark.parametrize("n, ddof", [(1, 1), (3, 3)])
def test_covariance_rejects_too_few_samples(student, reference, rng, n, ddof):
    """covariance_matrix raises ValueError when n_samples - ddof <= 0 (there is nothing
    sensible to divide by), while one more sample gives the right covariance."""
    assert_does_the_work(student, reference, "covariance_matrix", _data(rng, n + 1, 3), ddof=ddof)
    X = rng.standard_normal((n, 3))
    with pytest.raises(ValueError):
        student.covariance_matrix(X, ddof=ddof)


@pytest.mark.points(1.5)
@pytest.mark.shrink(5)
def test_correlation_random(student, reference, rng, size):
    """correlation_matrix of random correlated data: covariances divided by the
    product of the two standard deviations, so ones on the diagonal."""
    X = _data(rng, 2 * size + 5, size + 1)
    result = student.correlation_matrix(X)
    assert_close(result, reference.correlation_matrix(X), name="correlation_matrix")
    assert_inputs_unchanged()


@pytest.mark.points(1)
@pytest.mark.visibility("hidden")
def test_correlation_constant_features(student, reference, rng):
    """A feature with zero variance (a constant column, here a nonzero constant and an
    all-zero one) has correlation 0 with every other feature and 1 with itself,
    never NaN."""
    X = _data(rng, 10, 5)
    X[:, 1] = float(rng.integers(1, 10))
    X[:, 3] = 0.0
    result = student.correlation_matrix(X)
    assert_close(result, reference.correlation_matrix(X), name="correlation_matrix")
    assert_inputs_unchanged()


@pytest.mark.points(0.5)
def test_correlation_perfectly_related_features(student, rng):
    """Features related by an exact linear law correlate +1 (same direction) or -1
    (opposite direction), whatever their scale and offset."""
    x = rng.standard_normal(12)
    a, b = rng.uniform(0.5, 3.0, size=2)
    X = np.column_stack([x, a * x + 1.0, -b * x + 2.0])
    expected = np.array([[1.0, 1.0, -1.0], [1.0, 1.0, -1.0], [-1.0, -1.0, 1.0]])
    assert_close(student.correlation_matrix(X), expected, name="correlation_matrix")


@pytest.mark.points(1)
def test_float32_input(student, reference, rng):
    """float32 data works too, and is compared at float32 precision."""
    X = _data(rng, 15, 4).astype(np.float32)
    assert_close(student.center(X), reference.center(X), name="center(X)")
    assert_close(student.covariance_matrix(X), reference.covariance_matrix(X), name="covariance_matrix(X)")
    assert_close(student.correlation_matrix(X), reference.correlation_matrix(X), name="correlation_matrix(X)")
    assert_inputs_unchanged()


@pytest.mark.points(0.5)
def test_two_samples_and_one(student, reference, rng):
    """Two samples are enough for the sample covariance (ddof=1 divides by 2 - 1 = 1), and a
    single sample is its own mean: center gives a row of zeros, the population covariance
    (ddof=0) is the zero matrix, and every feature is constant, so the correlation matrix is
    the identity."""
    two = _data(rng, 2, 3)
    assert_close(student.covariance_matrix(two), reference.covariance_matrix(two),
                 name="covariance_matrix of 2 samples")
    one = _data(rng, 1, 3)
    assert_close(student.center(one), np.zeros((1, 3)), name="center of 1 sample")
    assert_close(student.covariance_matrix(one, ddof=0), np.zeros((3, 3)),
                 name="covariance_matrix(X, ddof=0) of 1 sample")
    assert_close(student.correlation_matrix(one), np.eye(3), name="correlation_matrix of 1 sample")


@pytest.mark.points(0.5)
@pytest.mark.visibility("hidden")
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_correlation_constant_features_of_any_value(student, reference, rng, dtype):
    """A constant feature has zero variance whatever its value: 0.1 (not exact in binary, so
    over 40 samples its computed mean is rounded and the centred column is a few ulps of
    rounding, not zeros), -7.3 and -987.65 (negative), 1234.567 (large) all correlate 0 with
    the other features, each other included, and 1 with themselves, in float64 and float32."""
    X = _data(rng, 40, 7)
    X[:, 0], X[:, 2], X[:, 4], X[:, 5] = 0.1, -7.3, 1234.567, -987.65
    X = X.astype(dtype)
    assert_close(student.correlation_matrix(X), reference.correlation_matrix(X),
                 name=f"correlation_matrix of {dtype} data with constant columns 0, 2, 4 and 5")
