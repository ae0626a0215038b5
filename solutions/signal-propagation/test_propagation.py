"""Hidden tests for the signal-propagation exercise.

init_stack is random, so it is graded on the distribution of what it returns (grader.stats),
never by comparing draws with the reference's: a correct implementation may consume the
generator in any order. forward_second_moments is deterministic and compared with the reference
at grader.compare's defaults (float64 rtol 1e-7, atol 1e-9; float32 1e-4, 1e-5): means of
squares of a few products of O(1) numbers, exact to a few ulps in any order (loops, einsum).
"""

import numpy as np
import pytest

from grader.stats import assert_binomial_count, assert_normal_sample, assert_uniform_sample
from grader.testing import assert_close, assert_does_the_work, assert_inputs_unchanged, attach_figure

SCHEMES = ("naive", "xavier", "kaiming", "orthogonal")
# 4 layers of 64×64: 16384 entries, enough for the checks below to tell a variance off by a
# factor 2, or uniform from normal draws, apart with overwhelming probability.
DEPTH, WIDTH = 4, 64
# "Orthonormal" means what it means in orthogonal-init: WᵀW = I within 1e-6 entrywise. A
# QR-based answer is exact to ~1e-15, but Gram-Schmidt and SVD answers are correct too and
# lose orthogonality with the conditioning of the random matrix they start from.
ORTHO_ATOL = 1e-6
STD = {"naive": 1.0, "xavier": np.sqrt(1.0 / WIDTH), "kaiming": np.sqrt(2.0 / WIDTH)}


def _fresh(rng):
    return np.random.default_rng(int(rng.integers(2**63)))


def _stack(student, rng, scheme, depth=DEPTH, width=WIDTH, generator=None):
    stack = student.init_stack(depth, width, _fresh(rng) if generator is None else generator, scheme)
    _check_stack(stack, depth, width, scheme)
    return stack


def _check_orthogonal(W, i, width):
    assert_close(W.T @ W, np.eye(width), rtol=0, atol=ORTHO_ATOL, name=f"WᵀW for layer {i}")
    assert_close(W @ W.T, np.eye(width), rtol=0, atol=ORTHO_ATOL, name=f"W Wᵀ for layer {i}")


def _assert_scheme_right(student, reference, rng, scheme):
    """The work behind the side properties: init_stack draws SCHEME right on an ordinary size.
    A normal scheme's 4·64·64 entries pass grader.stats' normal check (a correct stack fails it
    with probability below 1e-6); an orthogonal stack of 3 matrices 16×16 is orthogonal."""
    depth, width = (3, 16) if scheme == "orthogonal" else (DEPTH, WIDTH)

    def check(stack):
        _check_stack(stack, depth, width, scheme)
        if scheme == "orthogonal":
            for i, W in enumerate(stack):
                _check_orthogonal(W, i, width)
        else:
            assert_normal_sample(np.concatenate([W.ravel() for W in stack]), STD[scheme],
                                 what=f"the entries of init_stack({depth}, {width}, rng, {scheme!r})")
    assert_does_the_work(student, reference, "init_stack", depth, width, _fresh(rng), scheme, check=check)


def _check_stack(stack, depth, width, scheme):
    assert isinstance(stack, (list, tuple)) and len(stack) == depth, (
        f"init_stack({depth}, {width}, rng, {scheme!r}) must return a list of {depth} matrices, got "
        f"{len(stack) if isinstance(stack, (list, tuple)) else type(stack).__name__}")
    for i, W in enumerate(stack):
        assert isinstance(W, np.ndarray) and W.shape == (width, width), (
            f"init_stack({depth}, {width}, rng, {scheme!r})[{i}] must be an array of shape "
            f"{(width, width)}, got {W.shape if isinstance(W, np.ndarray) else type(W).__name__}")


@pytest.mark.statistical
@pytest.mark.points(1)
@pytest.mark.parametrize("scheme", SCHEMES)
def test_init_stack_shapes(student, reference, rng, scheme):
    """init_stack(depth, width, rng, scheme) returns a list of `depth` float matrices of shape
    (width, width), with finite entries, for depth 1 and depth 3. The points go to a scheme
    drawn right on an ordinary size too (a correct stack fails this test with probability
    below 1e-6)."""
    _assert_scheme_right(student, reference, rng, scheme)
    for depth, width in ((1, 4), (3, 5)):
        for W in _stack(student, rng, scheme, depth, width):
            assert W.dtype.kind == "f", f"the matrices must hold floats, got dtype {W.dtype}"
            assert np.all(np.isfinite(W)), f"init_stack({depth}, {width}, rng, {scheme!r}) contains NaN or inf"


@pytest.mark.statistical
@pytest.mark.points(0.5)
@pytest.mark.visibility("hidden")  # the names tried stay hidden, so that none gets special-cased
def test_unknown_scheme_raises(student, reference, rng):
    """An unknown scheme name raises ValueError (a typo must not silently give some default),
    while "kaiming" gets its stack (a correct one fails this test with probability below 1e-6)."""
    _assert_scheme_right(student, reference, rng, "kaiming")
    for scheme in ("he", "uniform"):
        with pytest.raises(ValueError):
            student.init_stack(2, 3, _fresh(rng), scheme)


@pytest.mark.statistical
@pytest.mark.points(1)
@pytest.mark.parametrize("scheme", SCHEMES)
def test_layers_are_independent_draws(student, reference, rng, scheme):
    """Every layer gets its own random matrix (not one matrix repeated `depth` times), drawn
    only from the `rng` argument: the same generator state gives the same stack, another seed
    another stack. The points go to a scheme drawn right too (a correct stack fails this test
    with probability below 1e-6)."""
    _assert_scheme_right(student, reference, rng, scheme)
    seed = int(rng.integers(2**62))
    first, again, other = (_stack(student, rng, scheme, 3, 6, np.random.default_rng(s))
                           for s in (seed, seed, seed + 1))
    assert not np.array_equal(first[0], first[1]) and not np.array_equal(first[1], first[2]), (
        f"the layers of init_stack(3, 6, rng, {scheme!r}) are identical: draw a new matrix for every layer")
    assert all(np.array_equal(a, b) for a, b in zip(first, again)), (
        f"init_stack(3, 6, default_rng({seed}), {scheme!r}) gave different stacks on two calls: draw only "
        "from the rng argument (not from np.random or a generator of your own)")
    assert not np.array_equal(first[0], other[0]), (
        f"init_stack gave the same stack for the seeds {seed} and {seed + 1}: draw from the rng argument")


@pytest.mark.points(1)
@pytest.mark.statistical
def test_naive_is_standard_normal(student, rng):
    """The entries of a "naive" stack are i.i.d. standard normal N(0, 1): checked on the
    4·64·64 = 16384 entries of a 4-layer stack of width 64 (mean, standard deviation and the
    shape of the distribution). A correct init_stack fails this check with probability below
    1e-6; a stack with the wrong variance (off by a factor 2 or more) or uniform entries passes
    it with probability below 1e-6."""
    stack = _stack(student, rng, "naive")
    assert_normal_sample(np.concatenate([W.ravel() for W in stack]), 1.0,
                         what=f"the entries of init_stack({DEPTH}, {WIDTH}, rng, 'naive')")


@pytest.mark.points(1)
@pytest.mark.statistical
def test_xavier_is_glorot_normal(student, rng):
    """The entries of a "xavier" stack are i.i.d. N(0, σ²) with σ = √(2 / (fan_in + fan_out)) =
    √(1 / width): normal, not uniform. Checked on the 16384 entries of a 4-layer stack of width
    64; a correct init_stack fails with probability below 1e-6. Uniform entries of the same
    variance (Xavier *uniform*) are 0.057 away from the normal CDF, far beyond the allowed
    0.022, and pass with probability below 1e-17; a variance off by a factor 2 passes with
    probability far below 1e-6."""
    stack = _stack(student, rng, "xavier")
    assert_normal_sample(np.concatenate([W.ravel() for W in stack]), np.sqrt(1.0 / WIDTH),
                         what=f"the entries of init_stack({DEPTH}, {WIDTH}, rng, 'xavier')")


@pytest.mark.points(1)
@pytest.mark.statistical
def test_kaiming_is_he_normal(student, rng):
    """The entries of a "kaiming" stack are i.i.d. N(0, σ²) with σ = gain/√fan_in = √(2 / width)
    (the ReLU gain √2, fan_in mode). Checked on the 16384 entries of a 4-layer stack of width
    64; a correct init_stack fails with probability below 1e-6. Forgetting the gain (σ = 1/√width,
    the variance halved) or using 2/width as the standard deviation passes with probability far
    below 1e-6: the allowed range for the mean square is about ±6% of 2/width."""
    stack = _stack(student, rng, "kaiming")
    assert_normal_sample(np.concatenate([W.ravel() for W in stack]), np.sqrt(2.0 / WIDTH),
                         what=f"the entries of init_stack({DEPTH}, {WIDTH}, rng, 'kaiming')")


@pytest.mark.points(0.5)
def test_orthogonal_stack(student, rng):
    """Every matrix of an "orthogonal" stack is orthogonal with gain 1: WᵀW = W Wᵀ = I (within
    1e-6, as in orthogonal-init). Any gain for ReLU (√2) is the caller's business, not
    init_stack's."""
    for i, W in enumerate(_stack(student, rng, "orthogonal", depth=3, width=16)):
        _check_orthogonal(W, i, 16)


# As in orthogonal-init: over 64 independent layers, the count of W[0, 0] < 0 is Binomial(64,
# 1/2) under the Haar distribution (exact interval at 5e-7: [13, 51]) and W[0, 0] of a 3×3
# Haar matrix is uniform on [-1, 1] (Archimedes; exact max law, Hoeffding, DKW at 5e-7): a
# correct stack fails with probability below 1e-6. Without the sign fix numpy's Householder QR
# gives W[0, 0] < 0 in every layer, a count of 64: caught with probability 1.
@pytest.mark.statistical
@pytest.mark.points(0.5)
def test_orthogonal_stack_is_uniform(student, rng):
    """The "orthogonal" matrices are uniformly distributed (Haar), as the signs of diag(R) make
    them: over a stack of 64 layers of width 3, W[0, 0] is negative about half of the time and
    uniform on [-1, 1]. The plain Q of np.linalg.qr has W[0, 0] < 0 in every layer. Statistical
    test: a correct init_stack fails it with probability below 1e-6."""
    stack = _stack(student, rng, "orthogonal", depth=64, width=3)
    for i, W in enumerate(stack):
        _check_orthogonal(W, i, 3)
    first = np.array([W[0, 0] for W in stack], dtype=np.float64)
    assert_binomial_count(int(np.sum(first < 0)), 64, 0.5, alpha=5e-7,
                          what="the number of layers of init_stack(64, 3, rng, 'orthogonal') with W[0, 0] < 0")
    assert_uniform_sample(first, 1.0, alpha=5e-7, what="W[0, 0] over the 64 layers of an orthogonal stack")


@pytest.mark.points(1)
def test_signal_by_depth(student, reference, rng):
    """The picture: the second moment of the pre-activations, layer by layer, through 10 ReLU
    layers of width 32 built by your init_stack for each scheme (naive explodes by about
    width/2 per layer, Kaiming stays roughly level). The graded part: an orthogonal stack with
    linear activations keeps the mean of z² equal to the mean of x² at every layer (up to 2e-4
    relative, what orthogonality within 1e-6 allows), since an orthogonal matrix preserves the
    length of every row."""
    depth, width = 10, 32
    x = rng.standard_normal((32, width))
    series = {}
    for scheme in SCHEMES:
        # A scheme that raises or returns something unusable is left out of the picture; the
        # others are still drawn, and the assertions below (or other tests) say what went wrong.
        try:
            stack = student.init_stack(depth, width, _fresh(rng), scheme)
        except Exception:
            continue
        try:
            series[scheme] = [float(m) for m in reference.forward_second_moments(x, stack, "relu")]
        except Exception:
            continue
    if series:
        attach_figure("lines", "Second moment of pre-activations by depth", series=series,
                      xlabel="layer", ylabel="mean z²", log=True)
    x = rng.standard_normal((16, 32))
    stack = _stack(student, rng, "orthogonal", depth=6, width=32)
    moments = reference.forward_second_moments(x, stack, "linear")
    # W Wᵀ = I within ORTHO_ATOL entrywise moves ‖x W‖² by at most width·ORTHO_ATOL = 3.2e-5
    # relative per layer (a bound on the spectral norm of the error), so 2e-4 over 6 layers.
    assert_close(moments, np.full(6, np.mean(x ** 2)), rtol=6 * 32 * ORTHO_ATOL + 1e-9,
                 name="mean z² at each layer of an orthogonal stack with linear activations")


def _chain(rng, size, batch):
    """An input with a nonzero mean (so that a variance differs from a second moment) and
    three layers of changing widths."""
    widths = [size, size + 2, size + 1, size + 3]
    x = rng.standard_normal((batch, size)) + 0.5
    weights = [rng.standard_normal((a, b)) / np.sqrt(a) for a, b in zip(widths, widths[1:])]
    return x, weights


@pytest.mark.points(1.5)
@pytest.mark.shrink(12)
@pytest.mark.parametrize("activation", ["relu", "tanh", "linear"])
def test_forward_second_moments(student, reference, rng, size, activation):
    """forward_second_moments(x, weights, activation) runs z_l = h_(l-1) @ W_l, h_l = act(z_l) from
    h_0 = x and returns the mean of z_l² (the pre-activations, before the activation) for every
    layer: one float per weight matrix. Matrices of different shapes chain as long as they fit."""
    x, weights = _chain(rng, size, batch=size + 5)
    result = student.forward_second_moments(x, weights, activation)
    assert isinstance(result, np.ndarray), \
        f"forward_second_moments must return a numpy array, got {type(result).__name__}"
    assert_close(result, reference.forward_second_moments(x, weights, activation),
                 name=f"forward_second_moments(x, weights, {activation!r})")
    assert_inputs_unchanged()


@pytest.mark.points(0.5)
def test_forward_float32_and_inputs_unchanged(student, reference, rng):
    """float32 inputs work and are compared at float32 tolerance (a float32 or a float64
    result is fine); x and the weight matrices are left unchanged."""
    x, weights = _chain(rng, 6, batch=10)
    x = x.astype(np.float32)
    weights = [W.astype(np.float32) for W in weights]
    for activation in ("relu", "tanh"):
        result = student.forward_second_moments(x, weights, activation)
        assert_close(result, reference.forward_second_moments(x, weights, activation),
                     name=f"forward_second_moments(x, weights, {activation!r}) for float32 input")
    assert_inputs_unchanged()


@pytest.mark.points(0.5)
def test_unknown_activation_raises(student, reference, rng):
    """An unknown activation name ("sigmoid" is not one of relu, tanh, linear) raises
    ValueError (while "tanh" gives the right moments)."""
    x, weights = _chain(rng, 3, batch=4)
    assert_does_the_work(student, reference, "forward_second_moments", x, weights, "tanh")
    with pytest.raises(ValueError):
        student.forward_second_moments(x, weights, "sigmoid")
