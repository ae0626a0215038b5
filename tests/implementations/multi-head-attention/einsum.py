"""Multi-head attention written with einsum and np.transpose, heads kept as an axis."""
import numpy as np


def split_heads(X, num_heads):
    X = np.asarray(X)
    d_model = X.shape[-1]
    if num_heads <= 0 or d_model % num_heads != 0:
        raise ValueError("num_heads must divide d_model")
    lead = X.ndim - 2
    grouped = X.reshape(X.shape[:-1] + (num_heads, d_model // num_heads))
    order = tuple(range(lead)) + (lead + 1, lead, lead + 2)
    return np.transpose(grouped, order)


def merge_heads(X):
    X = np.asarray(X)
    lead = X.ndim - 3
    order = tuple(range(lead)) + (lead + 1, lead, lead + 2)
    heads_last = np.transpose(X, order)
    return heads_last.reshape(heads_last.shape[:-2] + (-1,))


def multi_head_attention(X, W_q, W_k, W_v, W_o, num_heads, mask=None):
    Q = split_heads(np.einsum("...nd,de->...ne", X, W_q), num_heads)
    K = split_heads(np.einsum("...nd,de->...ne", X, W_k), num_heads)
    V = split_heads(np.einsum("...nd,de->...ne", X, W_v), num_heads)
    scores = np.einsum("...hqd,...hkd->...hqk", Q, K) / np.sqrt(Q.shape[-1])
    if mask is not None:
        keep = np.asarray(mask, dtype=bool)[..., None, :, :]
        scores = np.where(keep, scores, -np.inf)
    finite = np.isfinite(scores)
    top = np.max(scores, axis=-1, keepdims=True, initial=-np.inf, where=finite)
    top[~np.isfinite(top)] = 0
    e = np.where(finite, np.exp(scores - top), 0.0)
    total = e.sum(axis=-1, keepdims=True)
    weights = e / np.where(total > 0, total, 1.0)
    heads = np.einsum("...hqk,...hkd->...hqd", weights, V)
    return np.einsum("...ne,ef->...nf", merge_heads(heads), W_o)
