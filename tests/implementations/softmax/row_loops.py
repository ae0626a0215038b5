"""softmax one slice at a time: move the axis last, loop over the rows, keep the dtype."""
import math

import numpy as np


def _rows(x, axis):
    moved = np.moveaxis(np.array(x, copy=True), axis, -1)
    return moved, moved.reshape(-1, moved.shape[-1])


def softmax(x, axis=-1):
    moved, rows = _rows(x, axis)
    out = np.zeros_like(rows)
    for r, row in enumerate(rows):
        top = row.max() if row.size else 0.0
        if top == -math.inf:
            continue  # every entry masked: all zeros
        e = np.exp(row - top)
        out[r] = e / e.sum()
    return np.moveaxis(out.reshape(moved.shape), -1, axis)


def log_softmax(x, axis=-1):
    moved, rows = _rows(x, axis)
    out = np.full_like(rows, -np.inf)
    for r, row in enumerate(rows):
        top = row.max() if row.size else 0.0
        if top == -math.inf:
            continue  # every entry masked: all -inf
        shifted = row - top
        out[r] = shifted - np.log(np.exp(shifted).sum())
    return np.moveaxis(out.reshape(moved.shape), -1, axis)
