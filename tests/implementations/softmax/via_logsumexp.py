"""softmax as exp(log_softmax), with log_softmax from a log-sum-exp helper."""
import numpy as np


def _logsumexp(x, axis):
    m = np.max(x, axis=axis, keepdims=True)
    m = np.where(np.isneginf(m), 0.0, m).astype(x.dtype)
    with np.errstate(divide="ignore"):
        return m + np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))


def log_softmax(x, axis=-1):
    lse = _logsumexp(x, axis)
    with np.errstate(invalid="ignore"):
        out = x - lse
    return np.where(np.isneginf(lse), -np.inf, out)


def softmax(x, axis=-1):
    return np.exp(log_softmax(x, axis))
