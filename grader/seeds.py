"""Seeds: one per submission, and from it one per test, so that order never matters.

A submission seed is random for a student's own run (and printed, so ``--seed`` reproduces
it), or derived from a secret the instructor keeps and the student's name in class grading,
so that nobody can precompute the hidden inputs.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets

SEED_BITS = 32


def fresh_seed() -> int:
    return secrets.randbits(SEED_BITS)


def seed_from_secret(secret: str, student: str) -> int:
    digest = hmac.new(secret.encode(), student.encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:4], "big")


def test_seed(submission_seed: int, exercise_id: str, test_id: str, size: int | None = None) -> int:
    text = f"{submission_seed}:{exercise_id}:{test_id}" + ("" if size is None else f":{size}")
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
