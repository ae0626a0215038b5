"""Multi-head self-attention: split the features into heads, attend per head, merge."""

import numpy as np


def split_heads(X, num_heads):
    """Split the feature axis into ``num_heads`` heads.

    Args:
        X: array of shape ``(..., n, d_model)``.
        num_heads: the number of heads; must divide ``d_model``.

    Returns:
        An array of shape ``(..., num_heads, n, d_head)`` with ``d_head = d_model // num_heads``,
        where head ``h`` holds the features ``h*d_head : (h+1)*d_head`` of every position.

    Raises:
        ValueError: if ``d_model`` is not a multiple of ``num_heads``.
    """
    X = np.asarray(X)
    *batch, n, d_model = X.shape
    if num_heads < 1 or d_model % num_heads != 0:
        raise ValueError(f"d_model = {d_model} is not a multiple of num_heads = {num_heads}")
    # The reshape cuts each row into heads; the swap brings the head axis before positions.
    return np.swapaxes(X.reshape(*batch, n, num_heads, d_model // num_heads), -3, -2)


def merge_heads(X):
    """The exact inverse of ``split_heads``.

    Args:
        X: array of shape ``(..., h, n, d_head)``.

    Returns:
        An array of shape ``(..., n, h * d_head)`` whose features ``h*d_head : (h+1)*d_head``
        come from head ``h``.
    """
    X = np.asarray(X)
    *batch, h, n, d_head = X.shape
    return np.swapaxes(X, -3, -2).reshape(*batch, n, h * d_head)


def multi_head_attention(X, W_q, W_k, W_v, W_o, num_heads, mask=None):
    """Multi-head self-attention.

    Args:
        X: inputs of shape ``(..., n, d_model)``.
        W_q, W_k, W_v, W_o: weight matrices of shape ``(d_model, d_model)``.
        num_heads: the number of heads; must divide ``d_model``.
        mask: optional boolean array broadcastable to ``(..., n, n)`` (``...`` = the batch
            dimensions of ``X``); ``True`` = may attend. The same mask applies to every head.

    Returns:
        An array of shape ``(..., n, d_model)``: the heads' scaled dot-product attention
        (scaled by ``√d_head``) on ``Q = X W_q``, ``K = X W_k``, ``V = X W_v``, merged and
        multiplied by ``W_o``.

    Raises:
        ValueError: if ``d_model`` is not a multiple of ``num_heads``.
    """
    X = np.asarray(X)
    Q = split_heads(X @ W_q, num_heads)
    K = split_heads(X @ W_k, num_heads)
    V = split_heads(X @ W_v, num_heads)
    scores = Q @ np.swapaxes(K, -1, -2) / Q.shape[-1] ** 0.5
    if mask is not None:
        # A new axis for the heads: a (b, n, n) mask must line up with (b, heads, n, n).
        mask = np.asarray(mask, dtype=bool)[..., np.newaxis, :, :]
        scores = np.where(mask, scores, -np.inf)
    shift = np.max(scores, axis=-1, keepdims=True)
    shift = np.where(np.isfinite(shift), shift, 0)
    e = np.exp(scores - shift)
    total = np.sum(e, axis=-1, keepdims=True)
    weights = np.divide(e, total, out=np.zeros_like(e), where=total > 0)
    return merge_heads(weights @ V) @ W_o
