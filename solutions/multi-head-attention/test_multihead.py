"""Hidden tests for the multi-head attention exercise.

Tolerances: grader.compare's defaults throughout (float64 rtol 1e-7, atol 1e-9; float32 1e-4,
1e-5). split_heads and merge_heads move numbers without arithmetic; the attention is a few
products of O(1) matrices (weights scaled like Xavier) and a stable softmax, which reshapes,
einsum and per-head loops compute to within a few ulps of each other.
"""

import numpy as np
import pytest

from grader.testing import assert_close, assert_does_the_work, assert_inputs_unchanged, attach_figure


def _weights(rng, d_model, dtype=np.float64):
    # Scaled like a Xavier initialization so that the scores stay of order 1.
    return [(rng.standard_normal((d_model, d_model)) / np.sqrt(d_model)).astype(dtype) for _ in range(4)]


def _random_mask(rng, shape):
    """A random mask in which every position may at least attend to itself."""
    mask = rng.random(shape) < 0.5
    n = shape[-1]
    mask[..., np.arange(n), np.arange(n)] = True
    return mask


def _causal_head_weights(Q, K):
    """Causal attention weights of one head, for the picture."""
    n, d_head = Q.shape
    scores = np.where(np.tri(n, dtype=bool), Q @ K.T / np.sqrt(d_head), -np.inf)
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _check_mha(student, reference, X, W, num_heads, mask=None):
    result = student.multi_head_attention(X, *W, num_heads, mask)
    assert_close(result, reference.multi_head_attention(X, *W, num_heads, mask),
                 name=f"multi_head_attention(X, ..., num_heads={num_heads})")


@pytest.mark.points(1.5)
@pytest.mark.visibility("hidden")
def test_split_heads_layout(student, reference, rng):
    """split_heads(X, 3) on X of shape (5, 12) has shape (3, 5, 4), and head h holds the features
    h*4 : (h+1)*4 of every position (head 0 the first four columns of X, and so on)."""
    X = rng.standard_normal((5, 12))
    assert_close(student.split_heads(X, 3), reference.split_heads(X, 3), name="split_heads(X, 3)")


@pytest.mark.points(0.5)
def test_split_heads_batched(student, reference, rng):
    """Leading batch axes are kept: (2, 3, 5, 8) split into 4 heads is (2, 3, 4, 5, 2)."""
    X = rng.standard_normal((2, 3, 5, 8))
    assert_close(student.split_heads(X, 4), reference.split_heads(X, 4), name="split_heads(X, 4)")


@pytest.mark.points(0.5)
def test_head_attention_pattern(student, reference, rng):
    """A head computed from your split_heads attends like the true head: the picture shows head 1's
    causal attention weights, computed by the grader from your split of X W_q and X W_k."""
    X = rng.standard_normal((6, 8))
    W_q, W_k, _, _ = _weights(rng, 8)
    got_q, got_k = student.split_heads(X @ W_q, 2), student.split_heads(X @ W_k, 2)
    want_q, want_k = reference.split_heads(X @ W_q, 2), reference.split_heads(X @ W_k, 2)
    # The picture only makes sense for a split of the right shape; the asserts explain the rest.
    if all(isinstance(got, np.ndarray) and got.dtype.kind == "f" and got.shape == want_q.shape
           for got in (got_q, got_k)):
        with np.errstate(all="ignore"):
            got = _causal_head_weights(np.asarray(got_q[1], dtype=float), np.asarray(got_k[1], dtype=float))
        attach_figure("heatmap", "Attention weights of head 1 (causal, 6 × 6)",
                      student=got, reference=_causal_head_weights(want_q[1], want_k[1]))
    assert_close(got_q, want_q, name="split_heads(X @ W_q, 2)")
    assert_close(got_k, want_k, name="split_heads(X @ W_k, 2)")


@pytest.mark.points(0.5)
def test_split_heads_indivisible(student, reference, rng):
    """split_heads raises ValueError when num_heads does not divide d_model (10 features cannot be
    cut into 3 or 4 equal heads), while 5 heads of width 2 are split right."""
    X = rng.standard_normal((4, 10))
    assert_does_the_work(student, reference, "split_heads", X, 5)
    for num_heads in (3, 4):
        with pytest.raises(ValueError):
            student.split_heads(X, num_heads)


@pytest.mark.points(1)
def test_merge_heads(student, reference, rng):
    """merge_heads undoes split_heads exactly: merging the heads of X gives X back, batch axes
    included, and the features of head h land in columns h*d_head : (h+1)*d_head."""
    X = rng.standard_normal((2, 5, 12))
    assert_close(student.merge_heads(reference.split_heads(X, 3)), X, name="merge_heads(split_heads(X, 3))")
    heads = rng.standard_normal((4, 3, 2))
    assert_close(student.merge_heads(heads), reference.merge_heads(heads), name="merge_heads(heads)")


@pytest.mark.points(1.5)
@pytest.mark.shrink(6)
def test_mha_random(student, reference, rng, size):
    """Two heads on a sequence of size positions with d_model = 8: project with W_q, W_k, W_v, split,
    attend per head (scores divided by √d_head = 2), merge, multiply by W_o."""
    X = rng.standard_normal((size, 8))
    _check_mha(student, reference, X, _weights(rng, 8), 2)


@pytest.mark.points(1)
def test_mha_batched_causal(student, reference, rng):
    """A batch of 2 sequences with 4 heads and one (n, n) causal mask shared by every sequence and
    every head."""
    X = rng.standard_normal((2, 5, 8))
    _check_mha(student, reference, X, _weights(rng, 8), 4, np.tri(5, dtype=bool))


@pytest.mark.points(1)
def test_mha_per_batch_mask(student, reference, rng):
    """A mask of shape (b, n, n) gives each sequence of the batch its own mask, applied to every
    head of that sequence (here b = 2, then b = 3 sequences, with 2 heads): the scores have a
    heads axis between the batch axis and the (n, n) axes, and the mask must line up with them.
    In the second batch, query 0 of sequence 2 may attend to nothing: its output row is 0."""
    W = _weights(rng, 8)
    X = rng.standard_normal((2, 5, 8))
    _check_mha(student, reference, X, W, 2, _random_mask(rng, (2, 5, 5)))
    X = rng.standard_normal((3, 5, 8))
    mask = _random_mask(rng, (3, 5, 5))
    mask[2, 0] = False
    _check_mha(student, reference, X, W, 2, mask)


@pytest.mark.points(0.5)
@pytest.mark.parametrize("num_heads", [1, 8])
def test_mha_extreme_head_counts(student, reference, rng, num_heads):
    """One head (plain attention on the full width) and d_model heads of width 1 both work."""
    X = rng.standard_normal((4, 8))
    _check_mha(student, reference, X, _weights(rng, 8), num_heads)


@pytest.mark.points(0.5)
def test_mha_indivisible(student, reference, rng):
    """multi_head_attention raises ValueError when num_heads does not divide d_model (while 3
    heads of width 2 give the right result)."""
    X = rng.standard_normal((4, 6))
    W = _weights(rng, 6)
    assert_does_the_work(student, reference, "multi_head_attention", X, *W, 3)
    with pytest.raises(ValueError):
        student.multi_head_attention(X, *W, 4)


@pytest.mark.points(0.5)
def test_mha_float32(student, reference, rng):
    """float32 inputs and weights work and are compared at float32 tolerance."""
    X = rng.standard_normal((2, 4, 8)).astype(np.float32)
    _check_mha(student, reference, X, _weights(rng, 8, np.float32), 2, np.tri(4, dtype=bool))


@pytest.mark.points(0.5)
def test_mha_inputs_unchanged(student, reference, rng):
    """X, the four weight matrices and the mask are left as they were, and the result is right,
    of the shape of X."""
    X = rng.standard_normal((3, 4, 8))
    assert_does_the_work(student, reference, "multi_head_attention", X, *_weights(rng, 8), 2, np.tri(4, dtype=bool))
    assert_inputs_unchanged()


@pytest.mark.points(0.5)
def test_mha_large_scores_stay_finite(student, reference, rng):
    """Large activations make scores in the thousands: each head's softmax must still be the
    stable one (subtract each row's maximum before exp), giving finite outputs, not NaN."""
    X = 40.0 * rng.standard_normal((5, 8))
    _check_mha(student, reference, X, [8.0 * w for w in _weights(rng, 8)], 2)
