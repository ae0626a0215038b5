"""Known wrong answers for orthogonal-init, in the order of exercise.yaml."""
import numpy as np

from grader.testing import mistake


def _signed_qr(A):
    Q, R = np.linalg.qr(A)
    return Q * np.where(np.diag(R) < 0, -1.0, 1.0)


@mistake("no-sign-fix", replaces="orthogonal_init")
def no_sign_fix(rows, cols, rng, gain=1.0):
    tall = rows >= cols
    Q, _ = np.linalg.qr(rng.standard_normal((rows, cols) if tall else (cols, rows)))
    return gain * (Q if tall else Q.T)


@mistake("not-transposed-back", replaces="orthogonal_init")
def not_transposed_back(rows, cols, rng, gain=1.0):
    tall = rows >= cols
    return gain * _signed_qr(rng.standard_normal((rows, cols) if tall else (cols, rows)))


@mistake("reshape-not-transpose", replaces="orthogonal_init")
def reshape_not_transpose(rows, cols, rng, gain=1.0):
    tall = rows >= cols
    Q = _signed_qr(rng.standard_normal((rows, cols) if tall else (cols, rows)))
    return gain * Q.reshape(rows, cols)


@mistake("wide-not-handled", replaces="orthogonal_init")
def wide_not_handled(rows, cols, rng, gain=1.0):
    return gain * _signed_qr(rng.standard_normal((rows, cols)))


@mistake("gain-ignored", replaces="orthogonal_init")
def gain_ignored(rows, cols, rng, gain=1.0):
    tall = rows >= cols
    Q = _signed_qr(rng.standard_normal((rows, cols) if tall else (cols, rows)))
    return Q if tall else Q.T


@mistake("qr-of-uniform-draws", replaces="orthogonal_init")
def qr_of_uniform_draws(rows, cols, rng, gain=1.0):
    # rng.random draws from U(0, 1): the matrix is not rotation-invariant, so neither is Q.
    tall = rows >= cols
    Q = _signed_qr(rng.random((rows, cols) if tall else (cols, rows)))
    return gain * (Q if tall else Q.T)


@mistake("gain-squared", replaces="orthogonal_init")
def gain_squared(rows, cols, rng, gain=1.0):
    # gain² is what W.T @ W shows; the matrix itself is multiplied by gain.
    tall = rows >= cols
    Q = _signed_qr(rng.standard_normal((rows, cols) if tall else (cols, rows)))
    return gain ** 2 * (Q if tall else Q.T)
