"""Hidden tests for projection: scalar_projection, vector_projection and rejection.

Tolerances: grader.compare's defaults (float64 rtol 1e-7, atol 1e-9) unless a test says
otherwise: a few dot products of O(1) vectors, exact to a few ulps through a unit vector, loops
or np.dot alike. Quantities that should be exactly 0 are compared with an absolute 1e-12 on
the scale of the vectors (rounding leaves ~1e-16·‖v‖‖u‖); float32 inputs get FLOAT32.
"""

import numpy as np
import pytest

from grader.testing import assert_close, assert_does_the_work, assert_inputs_unchanged

# A number computed from float32 input may come back as a Python float, which carries no
# dtype: state the float32 tolerance rather than rely on the dtypes of the two values.
FLOAT32 = {"rtol": 1e-4, "atol": 1e-5}

FUNCTIONS = ["scalar_projection", "vector_projection", "rejection"]


def _pair(rng, n):
    """A random v, and a u whose length is clearly not 1 (a unit u hides several mistakes)."""
    v = rng.standard_normal(n)
    u = rng.standard_normal(n)
    u *= rng.uniform(2.0, 5.0) / np.linalg.norm(u)
    return v, u


@pytest.mark.points(1.5)
@pytest.mark.shrink(12)
def test_scalar_projection_random(student, reference, rng, size):
    """scalar_projection(v, u) = v·u / ‖u‖, a single number, for random v and u."""
    v, u = _pair(rng, size)
    result = student.scalar_projection(v, u)
    assert np.ndim(result) == 0, (
        f"scalar_projection must return a single number, got an array of shape {np.shape(result)}"
    )
    assert_close(result, reference.scalar_projection(v, u), name="scalar_projection(v, u)")


@pytest.mark.points(1.5)
@pytest.mark.shrink(12)
def test_vector_projection_random(student, reference, rng, size):
    """vector_projection(v, u) = (v·u / u·u) u, an array shaped like v, for random v and u."""
    v, u = _pair(rng, size)
    assert_close(student.vector_projection(v, u), reference.vector_projection(v, u),
                 name="vector_projection(v, u)")


@pytest.mark.points(1)
@pytest.mark.shrink(12)
def test_rejection_random(student, reference, rng, size):
    """rejection(v, u) = v − vector_projection(v, u), an array shaped like v."""
    v, u = _pair(rng, size)
    assert_close(student.rejection(v, u), reference.rejection(v, u), name="rejection(v, u)")


@pytest.mark.points(1)
def test_projection_plus_rejection_gives_v(student, rng):
    """Your projection and your rejection add up to v, and the rejection is orthogonal to u."""
    v, u = _pair(rng, 6)
    parallel = np.asarray(student.vector_projection(v, u))
    orthogonal = np.asarray(student.rejection(v, u))
    assert_close(parallel + orthogonal, v, name="vector_projection(v, u) + rejection(v, u)")
    # The dot product of a sum of O(1) terms is exact to about 1e-15 relative to ‖v‖·‖u‖;
    # compare it with 0 on that scale.
    scale = np.linalg.norm(v) * np.linalg.norm(u)
    assert_close(np.sum(orthogonal * u) / scale, 0.0, atol=1e-12,
                 name="rejection(v, u)·u / (‖v‖‖u‖)")


@pytest.mark.points(1)
def test_only_the_direction_of_u_matters(student, reference, rng):
    """Scaling u by c leaves the vector projection unchanged and scales the scalar one by sign(c)."""
    v, u = _pair(rng, 5)
    for c in (0.25, 3.0, -2.0):
        assert_close(student.vector_projection(v, c * u), reference.vector_projection(v, u),
                     name=f"vector_projection(v, {c}·u)")
        assert_close(student.scalar_projection(v, c * u), np.sign(c) * reference.scalar_projection(v, u),
                     name=f"scalar_projection(v, {c}·u)")


@pytest.mark.points(1)
def test_parallel_and_orthogonal_v(student, rng):
    """v along u is its own projection (rejection 0); v orthogonal to u projects to 0 (rejection v)."""
    _, u = _pair(rng, 4)
    along = -1.5 * u
    assert_close(student.vector_projection(along, u), along, name="vector_projection(-1.5·u, u)")
    # v - v leaves only rounding: compare with 0 on the scale of ‖v‖ (about 1e-16 · ‖v‖).
    assert_close(student.rejection(along, u), np.zeros(4), atol=1e-12, name="rejection(-1.5·u, u)")
    assert_close(student.scalar_projection(along, u), -1.5 * np.linalg.norm(u),
                 name="scalar_projection(-1.5·u, u)")

    r = rng.standard_normal(4)
    across = r - (np.sum(r * u) / np.sum(u * u)) * u
    # across·u is 0 only up to rounding (about 1e-16 · ‖r‖‖u‖): compare with 0 absolutely.
    assert_close(student.scalar_projection(across, u), 0.0, atol=1e-12,
                 name="scalar_projection(v, u) with v orthogonal to u")
    assert_close(student.vector_projection(across, u), np.zeros(4), atol=1e-12,
                 name="vector_projection(v, u) with v orthogonal to u")
    assert_close(student.rejection(across, u), across, name="rejection(v, u) with v orthogonal to u")


@pytest.mark.points(1)
@pytest.mark.parametrize("function", FUNCTIONS)
def test_float32_input(student, reference, rng, function):
    """float32 vectors work too (graded at float32 precision)."""
    v, u = _pair(rng, 7)
    v, u = v.astype(np.float32), u.astype(np.float32)
    assert_close(getattr(student, function)(v, u), getattr(reference, function)(v, u),
                 name=f"{function}(v, u) on float32", **FLOAT32)


@pytest.mark.points(0.5)
@pytest.mark.parametrize("function", FUNCTIONS)
def test_zero_u_raises(student, reference, rng, function):
    """Projecting onto the zero vector is meaningless: u = 0 raises ValueError (while a nonzero u
    gets the right answer)."""
    assert_does_the_work(student, reference, function, *_pair(rng, 3))
    with pytest.raises(ValueError):
        getattr(student, function)(rng.standard_normal(3), np.zeros(3))


@pytest.mark.points(0.5)
@pytest.mark.parametrize("function", FUNCTIONS)
@pytest.mark.parametrize("lengths", [(3, 5), (1, 4)], ids=["3-vs-5", "1-vs-4"])
def test_mismatched_lengths_raise(student, reference, rng, function, lengths):
    """v and u of different lengths raise ValueError, even when numpy could broadcast them (a v
    of length 1 against a u of length 4), while vectors of equal length get the right answer."""
    assert_does_the_work(student, reference, function, *_pair(rng, lengths[1]))
    with pytest.raises(ValueError):
        getattr(student, function)(rng.standard_normal(lengths[0]), _pair(rng, lengths[1])[1])


@pytest.mark.points(0.5)
@pytest.mark.parametrize("function", FUNCTIONS)
def test_inputs_unchanged(student, reference, rng, function):
    """The function does not modify v or u (and returns the right answer)."""
    v, u = _pair(rng, 5)
    assert_does_the_work(student, reference, function, v, u)
    assert_inputs_unchanged()


@pytest.mark.points(0.5)
@pytest.mark.parametrize("function", FUNCTIONS)
def test_length_one_vectors_and_axis_directions(student, reference, rng, function):
    """A vector of length 1 with one of length 3 raises ValueError too (numpy would silently
    stretch it over the other), and a u with zero entries, such as an axis direction, is not
    the zero vector: projecting onto it works."""
    for v, u in ((rng.standard_normal(3), rng.standard_normal(1)), (rng.standard_normal(1), rng.standard_normal(3))):
        with pytest.raises(ValueError):
            getattr(student, function)(v, u)
    v, u = rng.standard_normal(4), np.array([0.0, 2.5, 0.0, 0.0])
    assert_close(getattr(student, function)(v, u), getattr(reference, function)(v, u),
                 name=f"{function}(v, u) with u = [0, 2.5, 0, 0]")
