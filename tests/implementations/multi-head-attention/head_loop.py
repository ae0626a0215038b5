"""Multi-head attention one head at a time: column slices in, concatenation out."""
import numpy as np


def split_heads(X, num_heads):
    d_model = X.shape[-1]
    if d_model % num_heads != 0:
        raise ValueError(f"d_model = {d_model} is not divisible by {num_heads}")
    d = d_model // num_heads
    return np.stack([X[..., h * d:(h + 1) * d] for h in range(num_heads)], axis=-3)


def merge_heads(X):
    return np.concatenate([X[..., h, :, :] for h in range(X.shape[-3])], axis=-1)


def _attend(Q, K, V, mask):
    scores = Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1])
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    out = np.zeros(scores.shape[:-1] + (V.shape[-1],), dtype=np.result_type(scores, V))
    for index in np.ndindex(*scores.shape[:-1]):
        row = scores[index]
        if np.isneginf(row).all():
            continue  # nothing to attend to: a zero output
        w = np.exp(row - row.max())
        out[index] = (w / w.sum()) @ V[index[:-1]]
    return out


def multi_head_attention(X, W_q, W_k, W_v, W_o, num_heads, mask=None):
    if X.shape[-1] % num_heads != 0:
        raise ValueError("num_heads must divide d_model")
    Q, K, V = X @ W_q, X @ W_k, X @ W_v
    d = X.shape[-1] // num_heads
    batch = X.shape[:-2]
    if mask is not None:
        mask = np.broadcast_to(mask, batch + (X.shape[-2], X.shape[-2]))
    heads = []
    for h in range(num_heads):
        cols = slice(h * d, (h + 1) * d)
        heads.append(_attend(Q[..., cols], K[..., cols], V[..., cols], mask))
    return np.concatenate(heads, axis=-1) @ W_o
