"""attention-scores with loops over the broadcast batch, the queries and the keys."""
import numpy as np


def attention_scores(Q, K, scale=True):
    Q, K = np.asarray(Q), np.asarray(K)
    if Q.ndim < 2 or K.ndim < 2 or Q.shape[-1] != K.shape[-1]:
        raise ValueError(f"incompatible shapes {Q.shape} and {K.shape}")
    batch = np.broadcast_shapes(Q.shape[:-2], K.shape[:-2])  # ValueError if they do not broadcast
    Qb = np.broadcast_to(Q, batch + Q.shape[-2:])
    Kb = np.broadcast_to(K, batch + K.shape[-2:])
    n_q, n_k, d_k = Q.shape[-2], K.shape[-2], Q.shape[-1]
    out = np.empty(batch + (n_q, n_k), dtype=np.result_type(Q, K))
    factor = d_k ** -0.5 if scale else 1.0
    for index in np.ndindex(*batch):
        for i in range(n_q):
            for j in range(n_k):
                out[index + (i, j)] = np.sum(Qb[index + (i,)] * Kb[index + (j,)]) * factor
    return out
