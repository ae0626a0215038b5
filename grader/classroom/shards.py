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
