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
    raise NotImplementedError("split_heads: not written yet")


def merge_heads(X):
    """The exact inverse of ``split_heads``.

    Args:
        X: array of shape ``(..., h, n, d_head)``.

    Returns:
        An array of shape ``(..., n, h * d_head)`` whose features ``h*d_head : (h+1)*d_head``
        come from head ``h``.
    """
    raise NotImplementedError("merge_heads: not written yet")


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
    raise NotImplementedError("multi_head_attention: not written yet")
