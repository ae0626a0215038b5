"""Hidden tests for layer-norm.

Tolerances: grader.compare's defaults (float64 rtol 1e-7, atol 1e-9; float32 1e-4, 1e-5) unless
a test says otherwise. (x − mean) / sqrt(var + eps) of rows with O(1) spread is exact to a few
ulps with either variance formula (mean of squared deviations, or E[x²] − E[x]²); the rows of
spread 1e-3 around 2 lose about 3 digits to cancellation, leaving ~1e-12, still far inside.
"""

import numpy as np
import pytest

from grader.testing import assert_close, assert_does_the_work, assert_inputs_unchanged


def _activations(rng, shape, low=0.5, high=4.0):
    """Feature vectors that each have their own offset and spread, like a Transformer's
    residual stream: normalizing over the wrong axis or with the wrong variance shows."""
    offset = rng.normal(0.0, 3.0, size=shape[:-1] + (1,))
    spread = rng.uniform(low, high, size=shape[:-1] + (1,))
    return offset + spread * rng.standard_normal(shape)


def _affine_params(rng, d, dtype=np.float64):
    gamma = rng.uniform(0.5, 2.0, d).astype(dtype)
    beta = rng.normal(0.0, 1.0, d).astype(dtype)
    return gamma, beta


@pytest.mark.points(1.5)
@pytest.mark.shrink(16)
def test_batch_of_rows_with_gamma_and_beta(student, reference, rng, size):
    """A batch of rows (tokens), each with its own mean and spread, with `gamma` and `beta`:
    every row is centred and divided by `sqrt(var + eps)` using its own statistics over the
    last axis, then scaled by `gamma` and shifted by `beta`."""
    d = size + 3
    x = _activations(rng, (size, d))
    gamma, beta = _affine_params(rng, d)
    assert_close(student.layer_norm(x, gamma, beta), reference.layer_norm(x, gamma, beta))


@pytest.mark.points(0.5)
def test_square_batch(student, reference, rng):
    """As many rows as features (6 × 6): a mean or a variance taken without keepdims=True still
    broadcasts here, against the wrong axis: each row must be centred and scaled with its own
    statistics (entry [i, j] must not get those of row j)."""
    x = _activations(rng, (6, 6))
    assert_close(student.layer_norm(x), reference.layer_norm(x), name="layer_norm(x) for a 6×6 x")


@pytest.mark.points(1)
def test_rows_come_out_standardized(student, rng):
    """Without `gamma` and `beta`, every output row has mean 0 and (biased) variance 1, up
    to the tiny effect of `eps` on rows whose variance is large."""
    x = _activations(rng, (6, 32), low=10.0, high=100.0)
    y = student.layer_norm(x)
    assert isinstance(y, np.ndarray) and y.shape == x.shape, \
        f"layer_norm(x) for x of shape {x.shape} must return an array of the same shape"
    assert_close(y.mean(axis=-1), np.zeros(6), atol=1e-9, name="mean of each output row")
    # With var around 100 or more, eps moves the output variance by about eps / var <= 1e-6;
    # 1e-5 checks the standardization, not the exact place of eps (tested elsewhere).
    assert_close(y.var(axis=-1), np.ones(6), atol=1e-5, name="variance of each output row")


@pytest.mark.points(1.5)
def test_gamma_beta_and_eps_are_honoured(student, reference, rng):
    """`gamma=None` means a scale of 1 and `beta=None` a shift of 0; given alone or together
    they scale and shift each feature, and a non-default `eps` is used as given."""
    d = 7
    x = _activations(rng, (5, d))
    gamma, beta = _affine_params(rng, d)
    assert_close(student.layer_norm(x), reference.layer_norm(x), name="layer_norm(x)")
    assert_close(student.layer_norm(x, gamma), reference.layer_norm(x, gamma),
                 name="layer_norm(x, gamma)")
    assert_close(student.layer_norm(x, None, beta), reference.layer_norm(x, None, beta),
                 name="layer_norm(x, None, beta)")
    assert_close(student.layer_norm(x, gamma, beta, eps=0.5),
                 reference.layer_norm(x, gamma, beta, eps=0.5),
                 name="layer_norm(x, gamma, beta, eps=0.5)")


@pytest.mark.points(1.5)
def test_any_number_of_batch_dimensions(student, reference, rng):
    """Input of shape `(..., d)` with several leading batch axes, and a single vector of
    shape `(d,)`: only the last axis is normalized, the output keeps the input's shape."""
    d = 6
    gamma, beta = _affine_params(rng, d)
    x = _activations(rng, (2, 3, 4, d))
    assert_close(student.layer_norm(x, gamma, beta), reference.layer_norm(x, gamma, beta),
                 name="4-D input")
    v = _activations(rng, (d,))
    assert_close(student.layer_norm(v, gamma, beta), reference.layer_norm(v, gamma, beta),
                 name="1-D input")


@pytest.mark.points(1)
def test_float32_input(student, reference, rng):
    """float32 activations, `gamma` and `beta` (as in mixed-precision training): compared
    at float32 tolerance; returning float32 or float64 are both fine."""
    d = 16
    x = _activations(rng, (8, d)).astype(np.float32)
    gamma, beta = _affine_params(rng, d, np.float32)
    assert_close(student.layer_norm(x, gamma, beta), reference.layer_norm(x, gamma, beta))


@pytest.mark.points(1.5)
@pytest.mark.visibility("hidden")
def test_eps_inside_the_square_root(student, reference, rng):
    """Rows with a tiny spread and a constant row: `eps` is added to the variance inside
    the square root, so a constant row becomes 0 (then `beta`), never NaN, and a row whose
    variance is much smaller than `eps` is damped rather than blown up to unit variance."""
    d = 8
    tiny = rng.normal(2.0, 1.0, (3, 1)) + 1e-3 * rng.standard_normal((3, d))
    constant = np.full((1, d), rng.normal())
    x = np.concatenate([tiny, constant])
    gamma, beta = _affine_params(rng, d)
    assert_close(student.layer_norm(x, gamma, beta), reference.layer_norm(x, gamma, beta),
                 name="layer_norm(x, gamma, beta)")
    assert_close(student.layer_norm(x, eps=1e-2), reference.layer_norm(x, eps=1e-2),
                 name="layer_norm(x, eps=1e-2)")


@pytest.mark.points(0.5)
def test_wrong_length_gamma_or_beta_raises(student, reference, rng):
    """`gamma` or `beta` whose length is not the number of features `d` is a ValueError
    (while a `gamma` and a `beta` of the right length give the right result)."""
    x = _activations(rng, (4, 5))
    assert_does_the_work(student, reference, "layer_norm", x, *_affine_params(rng, 5))
    with pytest.raises(ValueError):
        student.layer_norm(x, np.ones(6))
    with pytest.raises(ValueError):
        student.layer_norm(x, None, np.zeros(4))


@pytest.mark.points(0.5)
def test_inputs_are_not_modified(student, reference, rng):
    """`layer_norm` returns a new array, the right one, and leaves `x`, `gamma` and `beta` as
    they were."""
    d = 5
    x = _activations(rng, (3, d))
    gamma, beta = _affine_params(rng, d)
    assert_does_the_work(student, reference, "layer_norm", x, gamma, beta)
    assert_inputs_unchanged()


@pytest.mark.points(0.5)
@pytest.mark.parametrize("which", ["gamma", "beta"])
def test_gamma_or_beta_that_would_broadcast_raises(student, reference, rng, which):
    """gamma and beta must have shape (d,), as the docstring says: one of shape (1,), which
    numpy would quietly broadcast over every feature, raises ValueError (while a `gamma` and a
    `beta` of the right length give the right result). Only arrays are asked about: the
    contract types them as arrays, so what a plain number does is not graded."""
    x = rng.standard_normal((3, 5))
    assert_does_the_work(student, reference, "layer_norm", x, *_affine_params(rng, 5))
    with pytest.raises(ValueError):
        student.layer_norm(x, **{which: np.array([2.0])})
