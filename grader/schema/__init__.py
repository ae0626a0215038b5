"""The JSON Schemas of the files other tools read: results (``results.schema.json``, written by
hand beside :mod:`grader.results`) and ``exercise.yaml`` (``exercise.schema.json``, generated from
the loader's own declarations in :mod:`grader.exercise_format`: ``python -m grader.schema``)."""
from __future__ import annotations

import json
from pathlib import Path

EXERCISE_SCHEMA = Path(__file__).with_name("exercise.schema.json")


def exercise_schema_text() -> str:
    from grader.exercise_format import exercise_schema
    return json.dumps(exercise_schema(), indent=2, ensure_ascii=False) + "\n"
