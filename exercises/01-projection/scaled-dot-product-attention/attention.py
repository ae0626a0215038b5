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
    raise NotImplementedError("causal_mask: not written yet")


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
    raise NotImplementedError("scaled_dot_product_attention: not written yet")
