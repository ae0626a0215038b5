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


@mistake("reshape-instead-of-transpose", replaces="attention_scores")
def reshape_instead_of_transpose(Q, K, scale=True):
    # The right shape, the wrong entries: a reshape reads K in memory order.
    Kt = K.reshape(*K.shape[:-2], K.shape[-1], K.shape[-2])
    scores = Q @ Kt
    return scores / np.sqrt(Q.shape[-1]) if scale else scores


@mistake("power-precedence", replaces="attention_scores")
def power_precedence(Q, K, scale=True):
    # d_k ** 1/2 is (d_k ** 1) / 2 in Python: half of d_k, not its square root.
    scores = Q @ np.swapaxes(K, -1, -2)
    return scores / (Q.shape[-1] ** 1 / 2) if scale else scores


@mistake("multiplies-by-sqrt-dk", replaces="attention_scores")
def multiplies_by_sqrt_dk(Q, K, scale=True):
    scores = Q @ np.swapaxes(K, -1, -2)
    return scores * np.sqrt(Q.shape[-1]) if scale else scores
