"""Known wrong answers for the scaled dot-product attention exercise, in the order of exercise.yaml."""

import numpy as np

import attention as reference
from grader.testing import mistake


def _masked_softmax(scores, mask, fill=-np.inf, guard=True, axis=-1, shift_by_max=True):
    """Softmax over AXIS after writing FILL at masked positions, with the usual slips as switches."""
    if mask is not None:
        scores = np.where(np.asarray(mask, dtype=bool), scores, fill)
    with np.errstate(over="ignore", invalid="ignore"):
        if shift_by_max:
            shift = np.max(scores, axis=axis, keepdims=True)
            if guard:
                shift = np.where(np.isfinite(shift), shift, 0)
            scores = scores - shift
        e = np.exp(scores)
        total = np.sum(e, axis=axis, keepdims=True)
        if guard:
            return np.divide(e, total, out=np.zeros_like(e), where=total > 0)
        return e / total


def _attention(Q, K, V, mask, scale, **softmax_options):
    weights = _masked_softmax(Q @ np.swapaxes(K, -1, -2) / scale, mask, **softmax_options)
    return weights @ V, weights


@mistake("divides-by-dk", replaces="scaled_dot_product_attention")
def divides_by_dk(Q, K, V, mask=None):
    return _attention(Q, K, V, mask, Q.shape[-1])


@mistake("no-scaling", replaces="scaled_dot_product_attention")
def no_scaling(Q, K, V, mask=None):
    return _attention(Q, K, V, mask, 1.0)


@mistake("softmax-over-queries", replaces="scaled_dot_product_attention")
def softmax_over_queries(Q, K, V, mask=None):
    return _attention(Q, K, V, mask, np.sqrt(Q.shape[-1]), axis=-2)


@mistake("mask-inverted", replaces="scaled_dot_product_attention")
def mask_inverted(Q, K, V, mask=None):
    inverted = None if mask is None else ~np.asarray(mask, dtype=bool)
    return reference.scaled_dot_product_attention(Q, K, V, inverted)


@mistake("masked-scores-set-to-zero", replaces="scaled_dot_product_attention")
def masked_scores_set_to_zero(Q, K, V, mask=None):
    return _attention(Q, K, V, mask, np.sqrt(Q.shape[-1]), fill=0.0)


@mistake("fully-masked-row-nan", replaces="scaled_dot_product_attention")
def fully_masked_row_nan(Q, K, V, mask=None):
    return _attention(Q, K, V, mask, np.sqrt(Q.shape[-1]), guard=False)


@mistake("fully-masked-row-uniform", replaces="scaled_dot_product_attention")
def fully_masked_row_uniform(Q, K, V, mask=None):
    # The popular masked_fill(-1e9): fine for partly masked rows, uniform for fully masked ones.
    return _attention(Q, K, V, mask, np.sqrt(Q.shape[-1]), fill=-1e9)


@mistake("no-max-subtraction", replaces="scaled_dot_product_attention")
def no_max_subtraction(Q, K, V, mask=None):
    return _attention(Q, K, V, mask, np.sqrt(Q.shape[-1]), shift_by_max=False)


@mistake("causal-mask-wrong-triangle", replaces="causal_mask")
def causal_mask_wrong_triangle(n):
    return np.triu(np.ones((n, n), dtype=bool))


@mistake("causal-mask-excludes-diagonal", replaces="causal_mask")
def causal_mask_excludes_diagonal(n):
    return np.tril(np.ones((n, n), dtype=bool), k=-1)


@mistake("mask-after-softmax", replaces="scaled_dot_product_attention")
def mask_after_softmax(Q, K, V, mask=None):
    # Masked weights zeroed after the softmax, without renormalizing the rows.
    weights = _masked_softmax(Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1]), None)
    if mask is not None:
        weights = weights * np.asarray(mask, dtype=bool)
    return weights @ V, weights


@mistake("returns-weights-first", replaces="scaled_dot_product_attention")
def returns_weights_first(Q, K, V, mask=None):
    output, weights = reference.scaled_dot_product_attention(Q, K, V, mask)
    return weights, output


@mistake("causal-mask-not-boolean", replaces="causal_mask")
def causal_mask_not_boolean(n):
    return np.tril(np.ones((n, n)))
