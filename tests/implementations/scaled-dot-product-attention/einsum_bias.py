"""Scaled dot-product attention with einsum and an additive mask (0 or -inf)."""
import numpy as np


def causal_mask(n):
    return np.tri(n, dtype=bool)


def scaled_dot_product_attention(Q, K, V, mask=None):
    if K.shape[-2] != V.shape[-2]:
        raise ValueError("K and V must have the same number of keys")
    scores = np.einsum("...id,...jd->...ij", Q, K) / np.sqrt(Q.shape[-1])
    if mask is not None:
        scores = scores + np.where(np.asarray(mask, dtype=bool), 0.0, -np.inf).astype(scores.dtype)
    visible = np.isfinite(scores)
    top = np.max(np.where(visible, scores, -np.inf), axis=-1, keepdims=True)
    e = np.where(visible, np.exp(scores - np.where(np.isfinite(top), top, 0.0)), 0.0)
    total = np.sum(e, axis=-1, keepdims=True)
    weights = np.divide(e, total, out=np.zeros_like(e), where=total > 0)
    return np.einsum("...ij,...jv->...iv", weights, V), weights
