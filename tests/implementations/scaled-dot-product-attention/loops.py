"""Scaled dot-product attention one query row at a time, over the broadcast batch."""
import math

import numpy as np


def causal_mask(n):
    mask = np.zeros((n, n), dtype=bool)
    for i in range(n):
        for j in range(i + 1):
            mask[i, j] = True
    return mask


def _row_softmax(scores, visible):
    if not visible.any():
        return np.zeros_like(scores)
    top = scores[visible].max()
    e = np.where(visible, np.exp(np.where(visible, scores - top, 0.0)), 0.0)
    return e / e.sum()


def scaled_dot_product_attention(Q, K, V, mask=None):
    n_q, d_k = Q.shape[-2:]
    n_k, d_v = V.shape[-2:]
    if K.shape[-1] != d_k or K.shape[-2] != n_k:
        raise ValueError("Q, K and V do not fit together")
    if mask is None:
        mask = np.ones((n_q, n_k), dtype=bool)
    batch = np.broadcast_shapes(Q.shape[:-2], K.shape[:-2], V.shape[:-2], np.shape(mask)[:-2])
    Q, K, V = (np.broadcast_to(A, batch + A.shape[-2:]) for A in (Q, K, V))
    mask = np.broadcast_to(mask, batch + (n_q, n_k))
    dtype = np.result_type(Q, K, V)
    weights = np.zeros(batch + (n_q, n_k), dtype=dtype)
    output = np.zeros(batch + (n_q, d_v), dtype=dtype)
    for b in np.ndindex(*batch):
        for i in range(n_q):
            scores = K[b] @ Q[b][i] / math.sqrt(d_k)
            weights[b][i] = _row_softmax(scores, mask[b][i])
            output[b][i] = weights[b][i] @ V[b]
    return output, weights
