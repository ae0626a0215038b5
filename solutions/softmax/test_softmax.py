"""Hidden tests for the softmax exercise.

Tolerances: grader.compare's defaults throughout (float64 rtol 1e-7, atol 1e-9; float32 1e-4,
1e-5). After the maximum is subtracted the exponentials are exact to a few ulps; for logits of
1e4 the subtraction itself rounds at about 1e4·1e-16 = 1e-12, so softmax and log-softmax agree
across correct forms (shift by the maximum, exp of the log-softmax, row loops) to ~1e-12.
"""

import numpy as np
import pytest

from grader.testing import assert_close, assert_does_the_work, assert_inputs_unchanged


def _with_large_row(rng, shape):
    """Moderate logits, plus one row around 800 where exp() overflows without the max shift."""
    x = 3 * rng.standard_normal(shape)
    x[0] += 800
    return x


@pytest.mark.points(1)
@pytest.mark.shrink(8)
def test_softmax_random_rows(student, reference, rng, size):
    """softmax of a random matrix normalizes each row (the last axis): your result must match
    the exact softmax, entry by entry."""
    x = 3 * rng.standard_normal((size, size + 3))
    result = student.softmax(x)
    assert isinstance(result, np.ndarray), f"softmax must return a numpy array, got {type(result).__name__}"
    assert_close(result, reference.softmax(x), name="softmax(x)")


@pytest.mark.points(0.5)
def test_softmax_square_matrix(student, reference, rng):
    """A square matrix, where a maximum or a sum taken without keepdims=True still broadcasts,
    against the wrong axis: each row must be shifted by its own maximum and divided by its own
    sum (entry [i, j] must not get those of row j)."""
    x = 3 * rng.standard_normal((5, 5))
    assert_close(student.softmax(x), reference.softmax(x), name="softmax(x) for a 5×5 x")


@pytest.mark.points(1)
@pytest.mark.parametrize("axis", [0, 1, -2])
def test_softmax_any_axis(student, reference, rng, axis):
    """softmax(x, axis) normalizes along the given axis: every slice along `axis` sums to 1,
    not the rows of the last axis."""
    x = 2 * rng.standard_normal((3, 4, 5))
    assert_close(student.softmax(x, axis=axis), reference.softmax(x, axis=axis),
                 name=f"softmax(x, axis={axis})")


@pytest.mark.points(0.5)
def test_softmax_batched(student, reference, rng):
    """A 3-D input is a batch of matrices: each row of each matrix is normalized separately."""
    x = 2 * rng.standard_normal((2, 3, 6))
    assert_close(student.softmax(x), reference.softmax(x), name="softmax(x)")


@pytest.mark.points(1)
def test_softmax_large_logits(student, reference, rng):
    """Logits of about ±1e4 must give finite weights (no overflow, no NaN): exp(10000) is inf in
    floating point, so the computation must avoid it."""
    x = 1e4 * rng.standard_normal((4, 6))
    x[1] = 1e4 + rng.standard_normal(6)
    assert_close(student.softmax(x), reference.softmax(x), name="softmax(x)")


@pytest.mark.points(0.5)
def test_softmax_neg_inf_entries(student, reference, rng):
    """An entry equal to -inf (a masked position) gets weight exactly 0 and the other entries of
    its row still sum to 1."""
    x = 2 * rng.standard_normal((5, 6))
    x[rng.random((5, 6)) < 0.4] = -np.inf
    x[np.arange(5), rng.integers(0, 6, size=5)] = 0.5  # every row keeps a finite entry
    result = student.softmax(x)
    assert_close(result, reference.softmax(x), name="softmax(x)")


@pytest.mark.points(1)
def test_softmax_all_neg_inf_row(student, reference, rng):
    """A row that is entirely -inf (every position masked) gives all zeros, never NaN, and the
    other rows, including one with logits near 800, are unaffected."""
    x = _with_large_row(rng, (4, 5))
    x[2] = -np.inf
    x[3, ::2] = -np.inf
    assert_close(student.softmax(x), reference.softmax(x), name="softmax(x)")


@pytest.mark.points(0.5)
def test_softmax_float32(student, reference, rng):
    """float32 input works and is compared at float32 tolerance (keeping float32 is fine,
    returning float64 is fine too)."""
    x = (2 * rng.standard_normal((3, 7))).astype(np.float32)
    assert_close(student.softmax(x), reference.softmax(x), name="softmax(x)")
    assert_close(student.log_softmax(x), reference.log_softmax(x), name="log_softmax(x)")


@pytest.mark.points(0.5)
def test_inputs_unchanged_and_shapes(student, reference, rng):
    """softmax and log_softmax return the right arrays, of the input's shape, and leave the
    input as it was (no in-place subtraction of the maximum)."""
    x = rng.standard_normal((2, 3, 4))
    x[0, 0, 0] = -np.inf
    for name in ("softmax", "log_softmax"):
        for axis in (-1, 0):
            assert_does_the_work(student, reference, name, x, axis=axis)
    assert_inputs_unchanged()


@pytest.mark.points(1)
def test_log_softmax_random(student, reference, rng):
    """log_softmax equals log(softmax(x)) on ordinary logits, along the last axis by default and
    along any other axis when asked."""
    x = 2 * rng.standard_normal((2, 3, 5))
    assert_close(student.log_softmax(x), reference.log_softmax(x), name="log_softmax(x)")
    assert_close(student.log_softmax(x, axis=0), reference.log_softmax(x, axis=0),
                 name="log_softmax(x, axis=0)")


@pytest.mark.points(1)
def test_log_softmax_large_logits(student, reference, rng):
    """Logits around 1e4 give finite log-probabilities (log-sum-exp with the maximum taken out,
    no overflow)."""
    x = 1e4 + 3 * rng.standard_normal((3, 6))
    assert_close(student.log_softmax(x), reference.log_softmax(x), name="log_softmax(x)")


@pytest.mark.points(0.5)
@pytest.mark.visibility("hidden")
def test_log_softmax_tiny_probabilities(student, reference, rng):
    """A logit far below the others has a probability that underflows to 0, yet a perfectly
    finite log-probability (about its distance below the maximum): log_softmax must return that
    finite number, not -inf."""
    x = 3 * rng.standard_normal((4, 6))
    x[:, 0] -= 1000
    assert_close(student.log_softmax(x), reference.log_softmax(x), name="log_softmax(x)")


@pytest.mark.points(1)
def test_log_softmax_neg_inf(student, reference, rng):
    """-inf logits give -inf log-probabilities, a row that is entirely -inf gives all -inf (never
    NaN), and the other rows, including one near 800, stay finite and correct."""
    x = _with_large_row(rng, (4, 5))
    x[2] = -np.inf
    x[3, 1::2] = -np.inf
    assert_close(student.log_softmax(x), reference.log_softmax(x), name="log_softmax(x)")
