"""Known wrong answers for the multi-head attention exercise, in the order of exercise.yaml."""

import numpy as np

import multihead as reference
from grader.testing import mistake


def _split_by_reshape(X, num_heads):
    *batch, n, d_model = X.shape
    return X.reshape(*batch, num_heads, n, d_model // num_heads)


def _merge_by_reshape(X):
    *batch, h, n, d_head = X.shape
    return X.reshape(*batch, n, h * d_head)


def _mha(X, W_q, W_k, W_v, W_o, num_heads, mask=None, *, split=reference.split_heads,
         merge=reference.merge_heads, scale=None, head_axis=True, invert_mask=False, axis=-1):
    Q, K, V = (split(X @ W, num_heads) for W in (W_q, W_k, W_v))
    scores = Q @ np.swapaxes(K, -1, -2) / np.sqrt(scale or Q.shape[-1])
    if mask is not None:
        mask = np.asarray(mask, dtype=bool)
        mask = ~mask if invert_mask else mask
        scores = np.where(mask[..., None, :, :] if head_axis else mask, scores, -np.inf)
    shift = np.max(scores, axis=axis, keepdims=True)
    e = np.exp(scores - np.where(np.isfinite(shift), shift, 0))
    total = np.sum(e, axis=axis, keepdims=True)
    weights = np.divide(e, total, out=np.zeros_like(e), where=total > 0)
    merged = merge(weights @ V)
    return merged if W_o is None else merged @ W_o


@mistake("split-reshape-without-transpose", replaces="split_heads")
def split_reshape_without_transpose(X, num_heads):
    *_, d_model = X.shape
    if d_model % num_heads:
        raise ValueError(f"d_model = {d_model} is not a multiple of num_heads = {num_heads}")
    return _split_by_reshape(X, num_heads)


@mistake("merge-reshape-without-transpose", replaces="merge_heads")
def merge_reshape_without_transpose(X):
    return _merge_by_reshape(X)


@mistake("heads-by-reshape", replaces="multi_head_attention")
def heads_by_reshape(X, W_q, W_k, W_v, W_o, num_heads, mask=None):
    return _mha(X, W_q, W_k, W_v, W_o, num_heads, mask, split=_split_by_reshape, merge=_merge_by_reshape)


@mistake("same-projection-for-qkv", replaces="multi_head_attention")
def same_projection_for_qkv(X, W_q, W_k, W_v, W_o, num_heads, mask=None):
    return _mha(X, W_q, W_q, W_q, W_o, num_heads, mask)


@mistake("forgets-output-projection", replaces="multi_head_attention")
def forgets_output_projection(X, W_q, W_k, W_v, W_o, num_heads, mask=None):
    return _mha(X, W_q, W_k, W_v, None, num_heads, mask)


@mistake("scales-by-sqrt-d-model", replaces="multi_head_attention")
def scales_by_sqrt_d_model(X, W_q, W_k, W_v, W_o, num_heads, mask=None):
    return _mha(X, W_q, W_k, W_v, W_o, num_heads, mask, scale=X.shape[-1])


@mistake("mask-without-head-axis", replaces="multi_head_attention")
def mask_without_head_axis(X, W_q, W_k, W_v, W_o, num_heads, mask=None):
    return _mha(X, W_q, W_k, W_v, W_o, num_heads, mask, head_axis=False)


@mistake("split-heads-interleaved", replaces="split_heads")
def split_heads_interleaved(X, num_heads):
    # Features dealt out like cards: head h gets h, h + num_heads, h + 2·num_heads, ...
    *batch, n, d_model = X.shape
    if d_model % num_heads:
        raise ValueError(f"d_model = {d_model} is not a multiple of num_heads = {num_heads}")
    return np.moveaxis(X.reshape(*batch, n, d_model // num_heads, num_heads), -1, -3)


@mistake("softmax-over-queries", replaces="multi_head_attention")
def softmax_over_queries(X, W_q, W_k, W_v, W_o, num_heads, mask=None):
    return _mha(X, W_q, W_k, W_v, W_o, num_heads, mask, axis=-2)


@mistake("mask-inverted", replaces="multi_head_attention")
def mask_inverted(X, W_q, W_k, W_v, W_o, num_heads, mask=None):
    return _mha(X, W_q, W_k, W_v, W_o, num_heads, mask, invert_mask=True)


@mistake("no-scaling", replaces="multi_head_attention")
def no_scaling(X, W_q, W_k, W_v, W_o, num_heads, mask=None):
    return _mha(X, W_q, W_k, W_v, W_o, num_heads, mask, scale=1)
