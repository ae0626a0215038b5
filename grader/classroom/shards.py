"""Shards: a stable share of the class per CI job, decided by a student's name alone."""
from __future__ import annotations

import hashlib
import re

from grader.errors import LearnError


def parse_shard(text: str) -> tuple[int, int]:
    """'I/N' with 1 <= I <= N (CI matrices and GitLab's CI_NODE_INDEX count from 1)."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise LearnError(f"invalid --shard {text!r}: expected I/N with 1 <= I <= N, e.g. 2/3")
    return int(match[1]), int(match[2])


def in_shard(name: str, shard: tuple[int, int]) -> bool:
    """Deterministic by name alone, so adding a student never moves the others."""
    index, total = shard
    return int(hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:12], 16) % total == index - 1


def check_complete(runs: dict[str, dict | None]) -> None:
    """The shards given to a merge are exactly one run's 1/N ... N/N: a missing or duplicated
    shard is an error that names it (a merge that went on would drop or double a share of the
    class without a word). RUNS maps each results folder to its run.json (None if absent).
    Folders graded without --shard merge freely (sections graded apart)."""
    unfinished = [folder for folder, run in runs.items() if run is None]
    if unfinished:
        raise LearnError(f"{', '.join(unfinished)}: no run.json, so its `learn grade-all` did not finish "
                         "(run it again with --resume) or it is not a results folder")
    found: dict[tuple[int, int], list[str]] = {}
    whole = []
    for folder, run in runs.items():
        text = (run or {}).get("shard")
        if text is None:
            whole.append(folder)
            continue
        found.setdefault(parse_shard(str(text)), []).append(folder)
    if not found:
        return
    if whole:
        raise LearnError(f"{', '.join(whole)} graded the whole class (no --shard) but "
                         f"{next(iter(found.values()))[0]} is one shard: merge the shards of one run")
    totals = sorted({total for _, total in found})
    if len(totals) > 1:
        by_total = "; ".join(f"of {t}: " + ", ".join(f for (_, n), fs in sorted(found.items()) if n == t for f in fs)
                             for t in totals)
        raise LearnError(f"these folders are shards of different splits ({by_total}): merge the shards of one run")
    total = totals[0]
    problems = [f"shard {i}/{total} appears {len(fs)} times ({', '.join(fs)})"
                for (i, _), fs in sorted(found.items()) if len(fs) > 1]
    missing = [f"{i}/{total}" for i in range(1, total + 1) if (i, total) not in found]
    if missing:
        problems.append(f"shard{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                        f"{'are' if len(missing) > 1 else 'is'} missing")
    if problems:
        raise LearnError("cannot merge: " + "; ".join(problems) + " (each of the "
                         f"{total} shards must be given exactly once)")
