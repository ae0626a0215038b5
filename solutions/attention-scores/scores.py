"""Attention scores: every query compared with every key by a scaled dot product."""

import numpy as np


def attention_scores(Q, K, scale=True):
    """Return the attention scores ``Q Kᵀ / √d_k`` of every query against every key.

    Entry ``[..., i, j]`` is the dot product of query ``i`` with key ``j``, divided by
    ``√d_k`` when ``scale`` is true. Only the last two axes of ``K`` are transposed; the
    leading batch axes of ``Q`` and ``K`` are broadcast against each other the numpy way.

    Args:
        Q: queries, array of shape ``(..., n_q, d_k)``, float64 or float32.
        K: keys, array of shape ``(..., n_k, d_k)``, float64 or float32.
        scale: divide by ``√d_k`` when true; return the raw dot products when false.

    Returns:
        ndarray of shape ``(..., n_q, n_k)``, where ``...`` is the broadcast of the batch
        axes of ``Q`` and ``K``.

    Raises:
        ValueError: if ``Q`` and ``K`` have different ``d_k``, or batch axes that do not
            broadcast.
    """
    Q = np.asarray(Q)
    K = np.asarray(K)
    if Q.ndim < 2 or K.ndim < 2 or Q.shape[-1] != K.shape[-1]:
        raise ValueError(
            f"Q (..., n_q, d_k) and K (..., n_k, d_k) must share d_k, got shapes {Q.shape} and {K.shape}"
        )
    # K.T would reverse every axis of a batched K; only the last two are swapped.
    scores = Q @ np.swapaxes(K, -1, -2)
    if scale:
        # A Python float keeps float32 scores in float32.
        scores = scores / Q.shape[-1] ** 0.5
    return scores
