"""Scoring a class, one exercise at a time: rarity weights, pair scores, flags and clusters."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from grader.classroom.similarity import fingerprints
from grader.classroom.similarity.tokens import normalize
from grader.storage import linked_part, read_regular_file

THRESHOLD = 0.6      # share of the smaller submission's rarity-weighted fingerprints
MIN_SHARED = 8       # and at least this many shared fingerprints (~3 lines): short files prove nothing
REPORTED = 0.3       # pairs below this score are not listed at all
LISTED = 100         # nor more than this many per exercise, highest first (all flagged ones are counted)
COMMON, COMMON_SHARE = 10, 0.05   # a fragment in more submissions than both is ignored
MAX_BYTES = 256_000  # a larger "solution" is not read (a hostile or generated file)


@dataclass
class Submission:
    student: str
    source: str
    lines: list[int]                       # the line of each normalized token
    prints: dict[int, list[int]]           # fingerprint -> run positions


@dataclass
class Pair:
    exercise: str
    a: Submission
    b: Submission
    score: float
    shared: int                            # shared fingerprints that weigh something
    flagged: bool
    regions: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)  # (lines in a, lines in b)


@dataclass
class ExerciseReport:
    id: str
    file: str
    submissions: int
    pairs: list[Pair]                      # the listed ones, highest score first
    clusters: list[list[str]]
    skipped: list[tuple[str, str]]         # (student, why their file was not compared)
    flagged: int = 0                       # flagged pairs, listed or not


def read_submission(student: str, path: Path, stub_runs: set[int], stub: bytes = b"",
                    seen: dict[bytes, Submission] | None = None) -> Submission | str | None:
    """STUDENT's file, fingerprinted without the stub's runs; None when it is the untouched STUB;
    a reason string when it is not read. Opened without blocking and without following a link:
    a named pipe or a link planted in a submission is reported, never waited on or followed.
    SEEN: the files already fingerprinted, by content (a class has many identical files).
    A file in a linked exercise folder is not read either (grading refuses it too): the link
    could point at another student's folder, or at the reference."""
    linked = linked_part(path)
    if linked is not None:
        return "a symbolic link, not compared" if linked == path else f"in a linked folder ({linked.name}), not compared"
    try:
        raw = read_regular_file(path, MAX_BYTES + 1, follow_symlinks=False)
    except OSError as exc:
        return f"unreadable ({exc.strerror})"
    if raw is None:
        return "not a regular file"
    return code_submission(student, raw, stub_runs, stub, seen)


def code_submission(student: str, raw: bytes, stub_runs: set[int], stub: bytes = b"",
                    seen: dict[bytes, Submission] | None = None) -> Submission | str | None:
    """STUDENT's code RAW (a file's bytes, or a notebook's answer), as read_submission says."""
    if raw == stub:
        return None
    if len(raw) > MAX_BYTES:
        return f"larger than {MAX_BYTES // 1000} kB"
    if seen is not None and raw in seen:
        return dataclasses.replace(seen[raw], student=student)
    source = raw.decode("utf-8", "replace")
    tokens, starts = normalize(source)
    prints = {h: p for h, p in fingerprints.file_prints([t for t, _ in tokens], starts).items() if h not in stub_runs}
    made = Submission(student, source, [line for _, line in tokens], prints)
    if seen is not None:
        seen[raw] = made
    return made


def stub_runs(stub: Path) -> set[int]:
    """Every K-token run of the stub (not only its fingerprints): code the student was given."""
    try:
        source = stub.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return set()
    tokens, starts = normalize(source)
    return fingerprints.all_runs([t for t, _ in tokens], starts)


def score_exercise(exercise: str, file: str, subs: list[Submission],
                   skipped: list[tuple[str, str]]) -> ExerciseReport:
    """Every pair of SUBS scored at once: with P the (students x fingerprints) incidence matrix
    and w the rarity weights, the shared weight of every pair is P diag(w) Pᵀ."""
    report = ExerciseReport(exercise, file, len(subs), [], [], skipped)
    if len(subs) < 2:
        return report
    vocabulary: dict[int, int] = {}
    for sub in subs:
        for h in sub.prints:
            vocabulary.setdefault(h, len(vocabulary))
    incidence = np.zeros((len(subs), len(vocabulary)))
    for i, sub in enumerate(subs):
        incidence[i, [vocabulary[h] for h in sub.prints]] = 1.0
    document_frequency = incidence.sum(axis=0)
    # Rarer is heavier; a fragment in more than max(COMMON, COMMON_SHARE of the class) submissions
    # is an idiom of this class, not evidence (MOSS's -m): it weighs nothing.
    common = document_frequency > max(COMMON, COMMON_SHARE * len(subs))
    weights = np.where(common, 0.0, np.log(len(subs) / document_frequency))
    weighted = incidence * weights
    shared_weight = weighted @ incidence.T
    rare = incidence * (weights > 0)
    shared_count = rare @ rare.T
    totals = weighted.sum(axis=1)
    smaller = np.minimum.outer(totals, totals)
    with np.errstate(invalid="ignore", divide="ignore"):
        scores = np.where(smaller > 0, shared_weight / smaller, 0.0)
    scores = np.round(np.minimum(scores, 1.0), 3)
    flags = (scores >= THRESHOLD) & (shared_count >= MIN_SHARED)
    rows, cols = np.nonzero(np.triu(scores >= REPORTED, k=1))
    order = sorted(zip(rows.tolist(), cols.tolist()),
                   key=lambda ij: (-scores[ij], subs[ij[0]].student, subs[ij[1]].student))
    rare_prints = {h for h, k in vocabulary.items() if weights[k] > 0}
    for i, j in order[:LISTED]:
        report.pairs.append(Pair(exercise, subs[i], subs[j], float(scores[i, j]), int(shared_count[i, j]),
                                 bool(flags[i, j]), regions(subs[i], subs[j], rare_prints)))
    flagged = [(i, j) for i, j in order if flags[i, j]]
    report.flagged = len(flagged)
    report.clusters = clusters([(subs[i].student, subs[j].student) for i, j in flagged])
    return report


def regions(a: Submission, b: Submission, rare: set[int]) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """The matching regions of A and B as line ranges: shared fingerprints that follow each other
    in both files (within one run's length) join into one region."""
    matches = sorted((a.prints[h][0], b.prints[h][0]) for h in a.prints.keys() & b.prints.keys() & rare)
    spans: list[list[int]] = []           # [start a, end a, start b, end b] in token positions
    for pa, pb in matches:
        last = spans[-1] if spans else None
        if last and 0 <= pa - last[1] <= fingerprints.K and 0 <= pb - last[3] <= fingerprints.K:
            last[1], last[3] = pa + fingerprints.K, pb + fingerprints.K
        else:
            spans.append([pa, pa + fingerprints.K, pb, pb + fingerprints.K])
    return [((a.lines[s], a.lines[e - 1]), (b.lines[t], b.lines[u - 1])) for s, e, t, u in spans]


def clusters(flagged: list[tuple[str, str]]) -> list[list[str]]:
    """Students linked by flagged pairs (connected components), largest first."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in flagged:
        parent[root(a)] = root(b)
    groups: dict[str, list[str]] = {}
    for student in parent:
        groups.setdefault(root(student), []).append(student)
    return sorted((sorted(g) for g in groups.values()), key=lambda g: (-len(g), g))


