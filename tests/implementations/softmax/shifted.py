"""softmax with the slice maximum subtracted; all -inf slices shifted by 0."""
import numpy as np


def _shifted(x, axis):
    m = np.max(x, axis=axis, keepdims=True)
    m[~np.isfinite(m)] = 0
    return x - m


def softmax(x, axis=-1):
    e = np.exp(_shifted(x, axis))
    s = e.sum(axis=axis, keepdims=True)
    out = np.zeros_like(e)
    np.divide(e, s, out=out, where=s != 0)
    return out


def log_softmax(x, axis=-1):
    z = _shifted(x, axis)
    s = np.exp(z).sum(axis=axis, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_s = np.log(s)
        # An all -inf slice: z is -inf everywhere and log_s is -inf; keep -inf, not -inf - -inf.
        return np.where(np.isneginf(log_s), -np.inf, z - log_s)
