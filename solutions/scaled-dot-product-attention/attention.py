"""Scaled dot-product attention with an optional boolean mask."""

import numpy as np


def causal_mask(n):
    """The causal mask for a sequence of length ``n``.

    Args:
        n: the sequence length.

    Returns:
        A boolean array of shape ``(n, n)``, ``True`` where key ``j`` <= query ``i``
        (query ``i`` may attend to itself and to earlier positions only).
    """
    return np.tril(np.ones((n, n), dtype=bool))


def scaled_dot_product_attention(Q, K, V, mask=None):
    """Attention of every query over the keys, and the resulting mix of the values.

    Args:
        Q: queries, shape ``(..., n_q, d_k)``.
        K: keys, shape ``(..., n_k, d_k)``.
        V: values, shape ``(..., n_k, d_v)``.
        mask: optional boolean array broadcastable to ``(..., n_q, n_k)``;
            ``True`` = query ``i`` may attend to key ``j``.

    Returns:
        ``(output, weights)``: ``weights`` of shape ``(..., n_q, n_k)`` is the softmax over
        the key axis of ``Q Kᵀ / √d_k`` with masked keys excluded, and ``output`` of shape
        ``(..., n_q, d_v)`` is ``weights @ V``. A query whose keys are all masked gets zero
        weights and a zero output.

    Raises:
        ValueError: if the shapes of ``Q``, ``K``, ``V`` and ``mask`` do not fit together.
    """
    Q, K, V = np.asarray(Q), np.asarray(K), np.asarray(V)
    if Q.shape[-1] != K.shape[-1]:
        raise ValueError(f"Q and K need the same d_k, got {Q.shape[-1]} and {K.shape[-1]}")
    if K.shape[-2] != V.shape[-2]:
        raise ValueError(f"K and V need the same n_k, got {K.shape[-2]} and {V.shape[-2]}")
    scores = Q @ np.swapaxes(K, -1, -2) / Q.shape[-1] ** 0.5
    if mask is not None:
        # -inf, not 0: exp(-inf) = 0 removes the key, whereas a score of 0 still gets weight.
        scores = np.where(np.asarray(mask, dtype=bool), scores, -np.inf)
    shift = np.max(scores, axis=-1, keepdims=True)
    shift = np.where(np.isfinite(shift), shift, 0)
    e = np.exp(scores - shift)
    total = np.sum(e, axis=-1, keepdims=True)
    weights = np.divide(e, total, out=np.zeros_like(e), where=total > 0)
    return weights @ V, weights
