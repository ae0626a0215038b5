"""``python -m grader.schema``: write exercise.schema.json from the loader's declarations."""
from __future__ import annotations

from grader.schema import EXERCISE_SCHEMA, exercise_schema_text
from grader.storage import write_atomic

write_atomic(EXERCISE_SCHEMA, exercise_schema_text())
print(f"Wrote {EXERCISE_SCHEMA}")
