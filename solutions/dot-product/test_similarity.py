"""Hidden tests for dot-product: dot, cosine_similarity and angle.

Tolerances: grader.compare's defaults (float64 rtol 1e-7, atol 1e-9) unless a constant below
says otherwise: sums of at most 16 products of O(1) numbers agree to a few ulps in any order
(a loop, np.sum, pairwise summation). FLOAT32 and PARALLEL_ATOL say why they differ.
"""

import numpy as np
import pytest

from grader.testing import assert_close, assert_does_the_work, assert_inputs_unchanged

# A number computed from float32 input may come back as a Python float, which carries no
# dtype: state the float32 tolerance rather than rely on the dtypes of the two values.
FLOAT32 = {"rtol": 1e-4, "atol": 1e-5}

# arccos is steep next to ±1: a cosine a few ulps (~1e-16) below 1 is already an angle of
# about sqrt(2e-16) ~ 1.5e-8 rad, so "0 up to rounding" needs a looser absolute tolerance.
PARALLEL_ATOL = 1e-6

FUNCTIONS = ["dot", "cosine_similarity", "angle"]


def _assert_number(value, name):
    assert np.ndim(value) == 0, (
        f"{name} must return a single number, got an array of shape {np.shape(value)}"
    )


def _vectors(rng, n, scale=1.0):
    return scale * rng.standard_normal(n), scale * rng.standard_normal(n)


@pytest.mark.points(1)
@pytest.mark.shrink(16)
def test_dot_random_vectors(student, reference, rng, size):
    """dot(q, k) is the sum of the products q[i] * k[i], returned as a single number."""
    q, k = _vectors(rng, size)
    result = student.dot(q, k)
    _assert_number(result, "dot")
    assert_close(result, reference.dot(q, k), name="dot(q, k)")


@pytest.mark.points(0.5)
def test_dot_small_example(student):
    """[1, 2, 3]·[4, -5, 6] = 4 - 10 + 18 = 12, and perpendicular vectors have dot product 0."""
    result = student.dot(np.array([1.0, 2.0, 3.0]), np.array([4.0, -5.0, 6.0]))
    _assert_number(result, "dot")
    assert_close(result, 12.0, name="dot([1, 2, 3], [4, -5, 6])")
    assert_close(student.dot(np.array([2.0, 1.0]), np.array([-1.0, 2.0])), 0.0,
                 name="dot([2, 1], [-1, 2])")


@pytest.mark.points(1)
def test_cosine_similarity_random(student, reference, rng):
    """cosine_similarity(q, k) = q·k / (‖q‖‖k‖) for ordinary vectors: the lengths cancel out."""
    for _ in range(3):
        # Lengths well above eps, so eps plays no part here.
        q, k = _vectors(rng, 6, scale=rng.uniform(1.0, 10.0))
        result = student.cosine_similarity(q, k)
        _assert_number(result, "cosine_similarity")
        assert_close(result, reference.cosine_similarity(q, k), name="cosine_similarity(q, k)")


@pytest.mark.points(1)
@pytest.mark.parametrize("which", ["q", "k", "both"])
def test_cosine_similarity_of_zero_vector(student, reference, rng, which):
    """The cosine similarity with a zero vector is 0.0 (eps keeps the division safe), never NaN,
    from a cosine_similarity that is right on ordinary vectors too."""
    q, k = _vectors(rng, 5)
    # 0.0 is what a function that returns a constant gives: the points need the real cosine too.
    assert_does_the_work(student, reference, "cosine_similarity", q, k)
    if which in ("q", "both"):
        q = np.zeros(5)
    if which in ("k", "both"):
        k = np.zeros(5)
    result = student.cosine_similarity(q, k)
    _assert_number(result, "cosine_similarity")
    assert_close(result, 0.0, name="cosine_similarity with a zero vector")


@pytest.mark.points(1)
def test_cosine_similarity_uses_eps(student, reference, rng):
    """When ‖q‖·‖k‖ is below eps the denominator is eps itself: max(‖q‖·‖k‖, eps), not a sum."""
    # Entries below 1e-5 in 6 dimensions: the product of the norms is at most 6e-10 < 1e-8.
    q, k = rng.uniform(-1e-5, 1e-5, 6), rng.uniform(-1e-5, 1e-5, 6)
    assert_close(student.cosine_similarity(q, k), reference.cosine_similarity(q, k),
                 name="cosine_similarity of two tiny vectors (default eps=1e-8)")
    # Norms at most 0.8 each, so their product stays below eps=2.
    q, k = rng.uniform(-0.4, 0.4, 4), rng.uniform(-0.4, 0.4, 4)
    assert_close(student.cosine_similarity(q, k, eps=2.0),
                 reference.cosine_similarity(q, k, eps=2.0),
                 name="cosine_similarity(q, k, eps=2.0)")
    q, k = _vectors(rng, 4, scale=3.0)
    assert_close(student.cosine_similarity(q, k, eps=1e-3),
                 reference.cosine_similarity(q, k, eps=1e-3),
                 name="cosine_similarity(q, k, eps=1e-3) with ‖q‖·‖k‖ far above eps")


@pytest.mark.points(1)
def test_angle_random(student, reference, rng):
    """angle(q, k) is arccos of the cosine, in radians, between 0 and π."""
    for _ in range(3):
        q, k = _vectors(rng, 8, scale=rng.uniform(0.5, 5.0))
        result = student.angle(q, k)
        _assert_number(result, "angle")
        assert 0.0 <= result <= np.pi, f"angle must lie in [0, π], got {result}"
        assert_close(result, reference.angle(q, k), name="angle(q, k)")


@pytest.mark.points(0.5)
def test_angle_known_angles(student):
    """Perpendicular vectors are π/2 apart, [1, 0] and [1, √3] are π/3 apart, opposite ones π."""
    cases = [
        ([1.0, 0.0, 0.0], [0.0, 3.0, 0.0], np.pi / 2),
        ([1.0, 0.0], [1.0, np.sqrt(3.0)], np.pi / 3),
        ([1.0, 2.0], [-2.0, -4.0], np.pi),
    ]
    for q, k, expected in cases:
        assert_close(student.angle(np.array(q), np.array(k)), expected,
                     atol=PARALLEL_ATOL, name=f"angle({q}, {k})")


def _rounding_past_one(rng, sign, count=4, tries=400):
    """Pairs k = c·q whose plain cosine rounds past ±1, where an unclipped arccos is NaN."""
    pairs = []
    for _ in range(tries):
        q = rng.standard_normal(5)
        k = sign * rng.uniform(0.5, 4.0) * q
        cosine = np.sum(q * k) / (np.linalg.norm(q) * np.linalg.norm(k))
        if abs(cosine) > 1.0:
            pairs.append((q, k))
            if len(pairs) == count:
                break
    return pairs or [(q, k)]


@pytest.mark.points(1)
@pytest.mark.visibility("hidden")
def test_angle_of_parallel_vectors_is_never_nan(student, rng):
    """Parallel vectors give 0, opposite ones π, never NaN, even if rounding pushes the cosine past ±1."""
    for q, k in _rounding_past_one(rng, +1.0):
        assert_close(student.angle(q, k), 0.0, atol=PARALLEL_ATOL, name="angle(q, c·q), c > 0")
    for q, k in _rounding_past_one(rng, -1.0):
        assert_close(student.angle(q, k), np.pi, atol=PARALLEL_ATOL, name="angle(q, c·q), c < 0")


@pytest.mark.points(1)
@pytest.mark.parametrize("function", FUNCTIONS)
def test_float32_input(student, reference, rng, function):
    """float32 vectors work too (graded at float32 precision)."""
    q = rng.standard_normal(7).astype(np.float32)
    k = rng.standard_normal(7).astype(np.float32)
    assert_close(getattr(student, function)(q, k), getattr(reference, function)(q, k),
                 name=f"{function}(q, k) on float32", **FLOAT32)


@pytest.mark.points(1)
@pytest.mark.parametrize("function", FUNCTIONS)
@pytest.mark.parametrize("lengths", [(3, 5), (1, 4)], ids=["3-vs-5", "1-vs-4"])
def test_mismatched_lengths_raise(student, reference, rng, function, lengths):
    """Vectors of different lengths raise ValueError, even when numpy could broadcast them
    (while vectors of equal length get the right answer)."""
    assert_does_the_work(student, reference, function, *_vectors(rng, lengths[1]))
    q, k = rng.standard_normal(lengths[0]), rng.standard_normal(lengths[1])
    with pytest.raises(ValueError):
        getattr(student, function)(q, k)


@pytest.mark.points(0.5)
@pytest.mark.parametrize("which", ["q", "k"])
def test_angle_of_zero_vector_raises(student, reference, rng, which):
    """A zero vector has no direction: angle raises ValueError instead of returning a number
    (while two nonzero vectors get their angle)."""
    q, k = _vectors(rng, 4)
    assert_does_the_work(student, reference, "angle", q, k)
    if which == "q":
        q = np.zeros(4)
    else:
        k = np.zeros(4)
    with pytest.raises(ValueError):
        student.angle(q, k)


@pytest.mark.points(0.5)
@pytest.mark.parametrize("function", FUNCTIONS)
def test_inputs_unchanged(student, reference, rng, function):
    """The function does not modify the arrays it is given (and returns the right number)."""
    q, k = _vectors(rng, 6)
    assert_does_the_work(student, reference, function, q, k)
    assert_inputs_unchanged()
