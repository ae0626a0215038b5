"""attention-scores with np.matmul and np.swapaxes, scaled with np.sqrt."""
import numpy as np


def attention_scores(Q, K, scale=True):
    if Q.shape[-1] != K.shape[-1]:
        raise ValueError("Q and K must have the same d_k")
    scores = np.matmul(Q, np.swapaxes(K, -2, -1))
    if scale:
        scores = scores / np.sqrt(Q.shape[-1])
    return scores
