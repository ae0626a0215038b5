"""Known wrong answers to attention-scores."""

import numpy as np

from grader.testing import mistake


@mistake("divides-by-dk", replaces="attention_scores")
def divides_by_dk(Q, K, scale=True):
    scores = Q @ np.swapaxes(K, -1, -2)
    return scores / Q.shape[-1] if scale else scores


@mistake("transposes-all-axes", replaces="attention_scores")
def transposes_all_axes(Q, K, scale=True):
    # K.T is right for a single (n_k, d_k) matrix and wrong as soon as K has batch axes.
    scores = Q @ K.T
    return scores / np.sqrt(Q.shape[-1]) if scale else scores


@mistake("scales-by-sqrt-nk", replaces="attention_scores")
def scales_by_sqrt_nk(Q, K, scale=True):
    scores = Q @ np.swapaxes(K, -1, -2)
    return scores / np.sqrt(K.shape[-2]) if scale else scores


@mistake("ignores-scale-flag", replaces="attention_scores")
def ignores_scale_flag(Q, K, scale=True):
    return Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1])


@mistake("keys-against-queries", replaces="attention_scores")
def keys_against_queries(Q, K, scale=True):
    scores = K @ np.swapaxes(Q, -1, -2)
    return scores / np.sqrt(Q.shape[-1]) if scale else scores
