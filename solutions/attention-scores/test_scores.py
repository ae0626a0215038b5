"""Hidden tests for attention-scores: attention_scores(Q, K, scale=True).

Tolerances: grader.compare's defaults throughout (float64 rtol 1e-7, atol 1e-9; float32 1e-4,
1e-5). Every score is one dot product of O(1) numbers over at most a dozen terms: matmul,
einsum and loops agree on it to a few ulps, far inside the defaults.
"""

import numpy as np
import pytest

from grader.testing import assert_close, assert_does_the_work, assert_inputs_unchanged, attach_figure


def _queries_keys(rng, batch_q, batch_k, n_q, n_k, d_k):
    Q = rng.standard_normal((*batch_q, n_q, d_k))
    K = rng.standard_normal((*batch_k, n_k, d_k))
    return Q, K


@pytest.mark.points(2)
@pytest.mark.shrink(8)
def test_single_sequence(student, reference, rng, size):
    """One sequence: Q (n_q, d_k) and K (n_k, d_k) give scores (n_q, n_k) = Q Kᵀ / √d_k."""
    # n_q, n_k and d_k all differ (and n_k is never d_k²), so a score matrix built the wrong
    # way round or scaled by the wrong length cannot pass by accident, at any size.
    Q, K = _queries_keys(rng, (), (), size, size + 1, size + 3)
    result = student.attention_scores(Q, K)
    expected = reference.attention_scores(Q, K)
    if isinstance(result, np.ndarray) and result.shape == expected.shape:
        attach_figure("heatmap", "Scores: query i (rows) against key j (columns)",
                      student=result, reference=expected)
    assert_close(result, expected, name="attention_scores(Q, K)")


@pytest.mark.points(2)
@pytest.mark.parametrize("batch", [(3,), (2, 3), (2, 1, 2)], ids=["3", "2x3", "2x1x2"])
def test_batched(student, reference, rng, batch):
    """Batch axes in front are kept: (..., n_q, d_k) and (..., n_k, d_k) give (..., n_q, n_k)."""
    Q, K = _queries_keys(rng, batch, batch, 4, 5, 6)
    assert_close(student.attention_scores(Q, K), reference.attention_scores(Q, K),
                 name=f"attention_scores(Q, K) with batch axes {batch}")


@pytest.mark.points(1.5)
@pytest.mark.parametrize("batch_q, batch_k", [((2, 1), (1, 3)), ((2, 3), ()), ((), (4,))],
                         ids=["2x1-vs-1x3", "2x3-vs-none", "none-vs-4"])
def test_batch_axes_broadcast(student, reference, rng, batch_q, batch_k):
    """The batch axes of Q and K broadcast the numpy way, e.g. one K shared by every batch of Q."""
    Q, K = _queries_keys(rng, batch_q, batch_k, 3, 5, 4)
    assert_close(student.attention_scores(Q, K), reference.attention_scores(Q, K),
                 name=f"attention_scores(Q, K) with Q {Q.shape} and K {K.shape}")


@pytest.mark.points(1)
@pytest.mark.visibility("hidden")
def test_every_axis_the_same_length(student, reference, rng):
    """Q and K of shape (5, 5, 5): swapping the wrong axes of K keeps the shape, not the values."""
    Q, K = _queries_keys(rng, (5,), (5,), 5, 5, 5)
    assert_close(student.attention_scores(Q, K), reference.attention_scores(Q, K),
                 name="attention_scores(Q, K) with Q and K of shape (5, 5, 5)")


@pytest.mark.points(1)
def test_unscaled(student, reference, rng):
    """scale=False returns the raw dot products Q Kᵀ, without the division by √d_k."""
    Q, K = _queries_keys(rng, (), (), 3, 4, 6)
    assert_close(student.attention_scores(Q, K, scale=False),
                 reference.attention_scores(Q, K, scale=False),
                 name="attention_scores(Q, K, scale=False)")


@pytest.mark.points(1)
def test_float32_input(student, reference, rng):
    """float32 queries and keys work too (graded at float32 precision)."""
    Q, K = _queries_keys(rng, (), (), 3, 5, 6)
    Q, K = Q.astype(np.float32), K.astype(np.float32)
    assert_close(student.attention_scores(Q, K), reference.attention_scores(Q, K),
                 name="attention_scores(Q, K) on float32")


@pytest.mark.points(1)
@pytest.mark.parametrize("shape_q, shape_k", [((3, 4), (5, 6)), ((2, 3, 4), (3, 5, 4))],
                         ids=["different-d_k", "batch-axes-do-not-broadcast"])
def test_mismatched_shapes_raise(student, reference, rng, shape_q, shape_k):
    """Q and K with different d_k, or batch axes that do not broadcast, raise ValueError (while
    shapes that fit get the right scores)."""
    assert_does_the_work(student, reference, "attention_scores", *_queries_keys(rng, (2,), (), 3, 5, 4))
    with pytest.raises(ValueError):
        student.attention_scores(rng.standard_normal(shape_q), rng.standard_normal(shape_k))


@pytest.mark.points(0.5)
def test_inputs_unchanged(student, reference, rng):
    """attention_scores does not modify Q or K (and returns the right scores)."""
    Q, K = _queries_keys(rng, (), (), 3, 4, 5)
    assert_does_the_work(student, reference, "attention_scores", Q, K)
    assert_does_the_work(student, reference, "attention_scores", Q, K, scale=False)
    assert_inputs_unchanged()
