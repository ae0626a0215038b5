"""attention-scores as one einsum: the ellipsis broadcasts the batch axes."""
import math

import numpy as np


def attention_scores(Q, K, scale=True):
    # einsum raises ValueError itself for a d_k mismatch or batch axes that do not broadcast.
    scores = np.einsum("...qd,...kd->...qk", Q, K)
    return scores * (1.0 / math.sqrt(Q.shape[-1])) if scale else scores
