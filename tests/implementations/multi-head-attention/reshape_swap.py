"""Multi-head attention: reshape + swapaxes for the heads, a masked softmax per head."""
import numpy as np


def split_heads(X, num_heads):
    *batch, n, d_model = X.shape
    if d_model % num_heads:
        raise ValueError(f"{num_heads} heads do not divide d_model = {d_model}")
    return np.swapaxes(X.reshape(*batch, n, num_heads, d_model // num_heads), -2, -3)


def merge_heads(X):
    *batch, h, n, d_head = X.shape
    return np.swapaxes(X, -2, -3).reshape(*batch, n, h * d_head)


def multi_head_attention(X, W_q, W_k, W_v, W_o, num_heads, mask=None):
    Q, K, V = (split_heads(X @ W, num_heads) for W in (W_q, W_k, W_v))
    scores = Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1])
    if mask is not None:
        scores = np.where(np.expand_dims(mask, -3), scores, -np.inf)
    top = scores.max(axis=-1, keepdims=True)
    e = np.exp(scores - np.where(np.isfinite(top), top, 0))
    total = e.sum(axis=-1, keepdims=True)
    weights = np.divide(e, total, out=np.zeros_like(e), where=total > 0)
    return merge_heads(weights @ V) @ W_o
