"""Hidden tests for the scaled dot-product attention exercise.

Tolerances: grader.compare's defaults throughout (float64 rtol 1e-7, atol 1e-9; float32 1e-4,
1e-5). Weights are a stable softmax of O(1) scores (up to a few thousand in the large-score
test, where the exponent's rounding is ~1e-12 relative) and outputs one product with V: any
correct way (np.where, an additive mask, loops) agrees to far inside the defaults.
"""

import numpy as np
import pytest

from grader.testing import assert_close, assert_does_the_work, assert_inputs_unchanged, attach_figure


def _qkv(rng, batch, n_q, n_k, d_k=4, d_v=3, dtype=np.float64):
    Q = rng.standard_normal((*batch, n_q, d_k)).astype(dtype)
    K = rng.standard_normal((*batch, n_k, d_k)).astype(dtype)
    V = rng.standard_normal((*batch, n_k, d_v)).astype(dtype)
    return Q, K, V


def _random_mask(rng, shape):
    """A random mask in which every query keeps at least one key."""
    mask = rng.random(shape) < 0.6
    rows = mask.reshape(-1, shape[-1])
    rows[np.arange(rows.shape[0]), rng.integers(0, shape[-1], size=rows.shape[0])] = True
    return rows.reshape(shape)


def _check(student, reference, Q, K, V, mask=None, figure=None):
    result = student.scaled_dot_product_attention(Q, K, V, mask)
    expected = reference.scaled_dot_product_attention(Q, K, V, mask)
    assert isinstance(result, tuple) and len(result) == 2, \
        "scaled_dot_product_attention must return a tuple (output, weights)"
    # Drawn before the checks so that a wrong answer is pictured too.
    if figure and isinstance(result[1], np.ndarray) and result[1].shape == expected[1].shape:
        attach_figure("heatmap", figure, student=result[1], reference=expected[1])
    assert_close(result[1], expected[1], name="weights")
    assert_close(result[0], expected[0], name="output")
    return result


@pytest.mark.points(1)
@pytest.mark.visibility("hidden")  # the expected value would be the answer itself
def test_causal_mask(student, reference):
    """causal_mask(n) is a boolean (n, n) array, True where key j <= query i: each position may
    look at itself and at earlier positions, never at later ones (checked for n = 1, 4 and 7)."""
    for n in (1, 4, 7):
        result = student.causal_mask(n)
        assert isinstance(result, np.ndarray), f"causal_mask must return a numpy array, got {type(result).__name__}"
        assert_close(result, reference.causal_mask(n), name=f"causal_mask({n})")


@pytest.mark.points(2)
@pytest.mark.shrink(6)
def test_attention_random(student, reference, rng, size):
    """Without a mask: weights = softmax(Q Kᵀ / √d_k) over the keys (each row sums to 1) and
    output = weights @ V, for size queries and size + 2 keys."""
    Q, K, V = _qkv(rng, (), size, size + 2, d_k=5)
    _check(student, reference, Q, K, V)


@pytest.mark.points(1)
def test_attention_batched(student, reference, rng):
    """Leading batch axes (here 2 × 3 independent attention problems) are handled like numpy
    broadcasting: only the last two axes of K are transposed."""
    Q, K, V = _qkv(rng, (2, 3), 4, 5, d_k=6)
    _check(student, reference, Q, K, V)


@pytest.mark.points(1.5)
def test_attention_causal(student, reference, rng):
    """With causal_mask(6), query i gives zero weight to every later key j > i; the remaining
    weights of each row still sum to 1."""
    Q, K, V = _qkv(rng, (), 6, 6)
    _check(student, reference, Q, K, V, reference.causal_mask(6), figure="Attention weights (causal, 6 × 6)")


@pytest.mark.points(1)
def test_attention_mask_broadcast(student, reference, rng):
    """A mask only has to broadcast against (..., n_q, n_k): one (n_q, n_k) mask shared by a whole
    batch, or a (batch, 1, n_k) padding mask that hides the same keys from every query."""
    Q, K, V = _qkv(rng, (3,), 4, 5)
    _check(student, reference, Q, K, V, _random_mask(rng, (4, 5)))
    _check(student, reference, Q, K, V, _random_mask(rng, (3, 1, 5)))


@pytest.mark.points(1.5)
def test_attention_fully_masked_row(student, reference, rng):
    """A query whose keys are all masked has nothing to attend to: its weights and its output are
    all zeros (never NaN, never a uniform average); the other, partly masked queries are
    unaffected."""
    Q, K, V = _qkv(rng, (2,), 5, 6)
    mask = _random_mask(rng, (2, 5, 6))
    mask[0, 1] = False
    mask[1, 3] = False
    _check(student, reference, Q, K, V, mask)


@pytest.mark.points(0.5)
def test_attention_large_scores(student, reference, rng):
    """Large scores (here up to a few thousand) must not overflow: the softmax inside attention
    has to be the stable one."""
    Q, K, V = _qkv(rng, (), 4, 5)
    _check(student, reference, 40 * Q, 40 * K, V)


@pytest.mark.points(0.5)
def test_attention_float32(student, reference, rng):
    """float32 inputs work and are compared at float32 tolerance."""
    Q, K, V = _qkv(rng, (2,), 3, 4, dtype=np.float32)
    _check(student, reference, Q, K, V, reference.causal_mask(4)[1:])


@pytest.mark.points(0.5)
def test_attention_shape_errors(student, reference, rng):
    """Shapes that do not fit raise ValueError: Q and K with different d_k, or K and V with a
    different number of keys (while shapes that fit get the right attention)."""
    Q, K, V = _qkv(rng, (), 3, 4)
    assert_does_the_work(student, reference, "scaled_dot_product_attention", Q, K, V)
    with pytest.raises(ValueError):
        student.scaled_dot_product_attention(Q, K[:, :3], V)
    with pytest.raises(ValueError):
        student.scaled_dot_product_attention(Q, K, V[:3])


@pytest.mark.points(0.5)
def test_attention_inputs_unchanged(student, reference, rng):
    """Q, K, V and the mask are left as they were (no in-place scaling or masking), and the
    results are right, of shapes (..., n_q, d_v) and (..., n_q, n_k)."""
    Q, K, V = _qkv(rng, (2,), 3, 5, d_k=4, d_v=2)
    mask = _random_mask(rng, (3, 5))
    assert_does_the_work(student, reference, "scaled_dot_product_attention", Q, K, V, mask)
    assert_inputs_unchanged()
