"""A class for `learn similarity`: independent solutions of two exercises, written apart in
different styles, and copies of them disguised by renaming, reordering, comments and whitespace.

Four independent implementations per exercise (the reference's style, a plain-Python loop, a
helper-based one, an einsum/vectorized one), each by a different student; then copies: one
implementation copied twice (a cluster of three), two copied once. A correct detector flags
exactly the copy pairs and none of the independent ones.
"""
from __future__ import annotations

import ast
import io
import random
import re
import tokenize

DOT = {
    "ref": '''import numpy as np


def dot(q, k):
    q = np.asarray(q)
    k = np.asarray(k)
    if q.ndim != 1 or q.shape != k.shape:
        raise ValueError(f"dot needs two 1-D vectors of the same length, got {q.shape} and {k.shape}")
    return np.sum(q * k)


def cosine_similarity(q, k, eps=1e-8):
    norms = np.sqrt(dot(q, q)) * np.sqrt(dot(k, k))
    return dot(q, k) / max(norms, eps)


def angle(q, k):
    q = np.asarray(q)
    k = np.asarray(k)
    if q.shape != k.shape:
        raise ValueError("angle needs vectors of the same length")
    if not np.any(q) or not np.any(k):
        raise ValueError("angle is undefined for a zero vector")
    cosine = dot(q, k) / (np.sqrt(dot(q, q)) * np.sqrt(dot(k, k)))
    return np.arccos(np.clip(cosine, -1.0, 1.0))
''',
    "loop": '''import math

import numpy as np


def _check(a, b):
    if len(np.shape(a)) != 1 or len(a) != len(b):
        raise ValueError("both vectors must be 1-D and equally long")


def dot(q, k):
    _check(q, k)
    total = 0.0
    for i in range(len(q)):
        total += float(q[i]) * float(k[i])
    return total


def _norm(v):
    return math.sqrt(dot(v, v))


def cosine_similarity(q, k, eps=1e-8):
    _check(q, k)
    denominator = _norm(q) * _norm(k)
    if denominator < eps:
        denominator = eps
    return dot(q, k) / denominator


def angle(q, k):
    _check(q, k)
    nq, nk = _norm(q), _norm(k)
    if nq == 0 or nk == 0:
        raise ValueError("zero vector")
    c = dot(q, k) / (nq * nk)
    c = min(1.0, max(-1.0, c))
    return math.acos(c)
''',
    "helpers": '''import numpy as np

EPS = 1e-8


def _as_vectors(*vectors):
    arrays = [np.asarray(v, dtype=float) for v in vectors]
    first = arrays[0]
    for other in arrays[1:]:
        if first.ndim != 1 or other.shape != first.shape:
            raise ValueError("shapes differ: " + str([a.shape for a in arrays]))
    return arrays


def _length(v):
    return (v * v).sum() ** 0.5


def dot(q, k):
    a, b = _as_vectors(q, k)
    return (a * b).sum()


def cosine_similarity(q, k, eps=EPS):
    a, b = _as_vectors(q, k)
    return (a * b).sum() / np.maximum(_length(a) * _length(b), eps)


def angle(q, k):
    a, b = _as_vectors(q, k)
    la, lb = _length(a), _length(b)
    if la == 0.0 or lb == 0.0:
        raise ValueError("no angle with a zero vector")
    ratio = (a * b).sum() / (la * lb)
    return float(np.arccos(np.minimum(np.maximum(ratio, -1.0), 1.0)))
''',
    "einsum-free": '''from functools import reduce

import numpy


def dot(q, k):
    q, k = numpy.array(q), numpy.array(k)
    if q.shape != k.shape or q.ndim != 1:
        raise ValueError("incompatible vectors")
    products = numpy.multiply(q, k)
    return reduce(lambda acc, x: acc + x, products.tolist(), 0.0)


def cosine_similarity(q, k, eps=1e-8):
    top = dot(q, k)
    bottom = numpy.linalg.norm(q) * numpy.linalg.norm(k)
    return top / (bottom if bottom > eps else eps)


def angle(q, k):
    if numpy.count_nonzero(q) == 0 or numpy.count_nonzero(k) == 0:
        raise ValueError("a zero vector has no direction")
    if numpy.shape(q) != numpy.shape(k):
        raise ValueError("incompatible vectors")
    cos_theta = dot(q, k) / (numpy.linalg.norm(q) * numpy.linalg.norm(k))
    return numpy.arccos(sorted((-1.0, cos_theta, 1.0))[1])
''',
}

SOFTMAX = {
    "ref": '''import numpy as np


def softmax(x, axis=-1):
    x = np.asarray(x)
    shift = np.max(x, axis=axis, keepdims=True)
    shift = np.where(np.isfinite(shift), shift, 0)
    e = np.exp(x - shift)
    total = np.sum(e, axis=axis, keepdims=True)
    return np.divide(e, total, out=np.zeros_like(e), where=total > 0)


def log_softmax(x, axis=-1):
    x = np.asarray(x)
    shift = np.max(x, axis=axis, keepdims=True)
    shift = np.where(np.isfinite(shift), shift, 0)
    shifted = x - shift
    total = np.sum(np.exp(shifted), axis=axis, keepdims=True)
    return shifted - np.log(np.where(total > 0, total, 1))
''',
    "logsumexp": '''import numpy as np


def _logsumexp(x, axis):
    m = x.max(axis=axis, keepdims=True)
    m[~np.isfinite(m)] = 0.0
    with np.errstate(divide="ignore"):
        return m + np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


def log_softmax(x, axis=-1):
    x = np.array(x, dtype=float)
    return x - _logsumexp(x, axis)


def softmax(x, axis=-1):
    out = np.exp(log_softmax(x, axis))
    return np.nan_to_num(out, nan=0.0)
''',
    "moveaxis": '''import numpy as np


def softmax(x, axis=-1):
    data = np.moveaxis(np.array(x, dtype=float), axis, -1)
    result = np.zeros_like(data)
    flat, out = data.reshape(-1, data.shape[-1]), result.reshape(-1, data.shape[-1])
    for row in range(flat.shape[0]):
        values = flat[row]
        if np.all(values == -np.inf):
            continue
        weights = np.exp(values - values.max())
        out[row] = weights / weights.sum()
    return np.moveaxis(result, -1, axis)


def log_softmax(x, axis=-1):
    data = np.moveaxis(np.array(x, dtype=float), axis, -1)
    result = np.full_like(data, -np.inf)
    flat, out = data.reshape(-1, data.shape[-1]), result.reshape(-1, data.shape[-1])
    for row in range(flat.shape[0]):
        values = flat[row]
        if np.all(values == -np.inf):
            continue
        top = values.max()
        out[row] = values - top - np.log(np.sum(np.exp(values - top)))
    return np.moveaxis(result, -1, axis)
''',
    "apply": '''import math

import numpy as np


def _stable_row(values):
    finite = [v for v in values if v != -math.inf]
    if not finite:
        return [0.0] * len(values)
    biggest = max(finite)
    exps = [math.exp(v - biggest) if v != -math.inf else 0.0 for v in values]
    s = sum(exps)
    return [e / s for e in exps]


def softmax(x, axis=-1):
    return np.apply_along_axis(lambda r: np.array(_stable_row(list(r))), axis, np.asarray(x, float))


def log_softmax(x, axis=-1):
    probabilities = softmax(x, axis)
    with np.errstate(divide="ignore"):
        return np.log(probabilities)
''',
}

IMPLEMENTATIONS = {"dot-product": DOT, "softmax": SOFTMAX}
FILES = {"dot-product": "similarity.py", "softmax": "softmax.py"}


def disguise(source: str, seed: int) -> str:
    """SOURCE as a copier hides it: every local name and the numpy alias renamed, the top-level
    functions shuffled, comments sprinkled in, indentation, spacing and blank lines changed."""
    rng = random.Random(seed)
    tree = ast.parse(source)
    api = {node.name for node in tree.body if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")}
    local = sorted({n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
                   | {n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("_")}
                   | {a.asname for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names if a.asname})
    words = ["value", "tmp", "acc", "res", "buf", "item", "part", "piece", "thing", "my"]
    mapping = {name: f"{rng.choice(words)}{i}" for i, name in enumerate(local) if name not in api}
    source = rename(source, mapping)
    header, *blocks = re.split(r"(?m)^(?=def |[A-Z_]+ = )", source)
    constants = [b for b in blocks if not b.startswith("def ")]
    functions = [b for b in blocks if b.startswith("def ")]
    rng.shuffle(functions)
    lines = []
    text = header + "".join(constants + functions)
    unit = min((len(m) for m in re.findall(r"(?m)^( +)\S", text)), default=4)   # the file's indentation step
    new_unit = " " * (2 if unit != 2 else 3)
    for line in text.splitlines():
        stripped = line.lstrip(" ")
        depth = (len(line) - len(stripped)) // unit
        if stripped and rng.random() < 0.3:
            lines.append(new_unit * depth + rng.choice(["# compute it", "# TODO tidy", "# the main step", "# see notes"]))
        if stripped.startswith("def ") and rng.random() < 0.5:
            lines.append("")
        spaced = re.sub(r",(?=\S)", ", ", stripped) if rng.random() < 0.5 else stripped.replace(", ", ",")
        lines.append(new_unit * depth + spaced + ("  # ok" if stripped.endswith(")") and rng.random() < 0.2 else ""))
    return "\n".join(lines) + "\n"


def rename(source: str, mapping: dict[str, str]) -> str:
    """SOURCE with every name token in MAPPING replaced (not attributes, not inside strings)."""
    lines = source.splitlines(keepends=True)
    edits = []
    previous = ""
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.NAME and token.string in mapping and previous != ".":
            edits.append((token.start, token.end, mapping[token.string]))
        if token.type not in (tokenize.NL, tokenize.COMMENT):
            previous = token.string
    for (row, start), (_row, end), new in reversed(edits):
        line = lines[row - 1]
        lines[row - 1] = line[:start] + new + line[end:]
    return "".join(lines)


def build() -> tuple[dict[str, dict[str, str]], dict[str, set[frozenset[str]]]]:
    """The class (student -> exercise -> source) and, per exercise, the pairs that are copies."""
    students: dict[str, dict[str, str]] = {}
    copies: dict[str, set[frozenset[str]]] = {}
    for e, (exercise, versions) in enumerate(IMPLEMENTATIONS.items()):
        styles = sorted(versions)
        owners = {style: f"author-{e}-{i}" for i, style in enumerate(styles)}   # who wrote each, alone
        for style, owner in owners.items():
            students.setdefault(owner, {})[exercise] = versions[style]
        plan = [(styles[0], "copier-a"), (styles[0], "copier-b"), (styles[1], "copier-c"), (styles[2], "copier-d")]
        pairs: set[frozenset[str]] = set()
        for n, (style, copier) in enumerate(plan):
            name = f"{copier}-{exercise}"
            students.setdefault(name, {})[exercise] = disguise(versions[style], seed=100 * e + n)
            pairs.add(frozenset((owners[style], name)))
        pairs.add(frozenset((f"copier-a-{exercise}", f"copier-b-{exercise}")))  # copied the same work
        copies[exercise] = pairs
    return students, copies
