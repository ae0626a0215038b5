"""The roster: which LMS identity each submission folder belongs to.

A CSV file with a header row, one student a row. ``folder`` is the name of the student's
folder in SUBMISSIONS (the ``student`` of the gradebook); the other columns are the identities
an LMS matches on. Which ones an export needs is said by :data:`grader.classroom.lms.IDENTITY`:

```
folder,name,id,sis_user_id,sis_login_id,section,email,username,idnumber,last_name,first_name
ada-l,Ada Lovelace,4021,S1815,ada,Section 1,ada@uni.example,ada,S1815,Lovelace,Ada
```

Validated once, here, with the file and line of every problem; a roster is instructor data, so
its values are exported as written.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from grader.errors import LearnError


@dataclass(frozen=True)
class Roster:
    path: Path
    columns: tuple[str, ...]
    rows: dict[str, dict[str, str]]      # folder -> its row (values stripped)


def load_roster(path: Path, required: tuple[str, ...], one_of: tuple[str, ...] = ()) -> Roster:
    """PATH as a Roster. REQUIRED columns must be filled in on every row; of ONE_OF, at least
    one per row. LearnError (file, line, column) otherwise."""
    try:
        text = path.read_text(encoding="utf-8-sig")   # a spreadsheet's UTF-8 starts with a BOM
    except (OSError, UnicodeDecodeError) as exc:
        raise LearnError(f"cannot read the roster {path}: {exc}") from None
    reader = csv.DictReader(text.splitlines())
    columns = tuple(c.strip().lower() for c in reader.fieldnames or ())
    missing = [c for c in ("folder", *required) if c not in columns]
    if missing:
        raise LearnError(f"{path}:1: the roster has no column {', '.join(repr(c) for c in missing)} "
                         f"(its columns: {', '.join(columns) or 'none'})")
    if one_of and not set(one_of) & set(columns):
        raise LearnError(f"{path}:1: the roster needs one of the columns {', '.join(one_of)}")
    rows: dict[str, dict[str, str]] = {}
    lines: dict[str, int] = {}
    # The LMS matches a row on any of these: one value on two rows sends both grades to one student.
    identities = [c for c in (*required, *one_of) if c in columns]
    owners: dict[tuple[str, str], tuple[int, str]] = {}   # (column, value) -> (line, folder)
    for number, raw in enumerate(reader, 2):
        if None in raw:
            raise LearnError(f"{path}:{number}: more cells than the header has columns")
        row = {k.strip().lower(): (v or "").strip() for k, v in raw.items()}
        if not any(row.values()):
            continue
        for column in ("folder", *required):
            if not row.get(column):
                raise LearnError(f"{path}:{number}: {column}: empty")
        if one_of and not any(row.get(c) for c in one_of):
            raise LearnError(f"{path}:{number}: needs one of {', '.join(one_of)}")
        folder = raw[reader.fieldnames[columns.index("folder")]] or ""  # as written: folder names may have spaces
        if folder in rows:
            raise LearnError(f"{path}:{number}: folder {folder!r} is already on line {lines[folder]}")
        for column in identities:
            key = (column, row[column].lower() if column == "email" else row[column])  # emails ignore case
            if not key[1]:
                continue
            if key in owners:
                raise LearnError(f"{path}:{number}: {column} {row[column]!r} is already on line "
                                 f"{owners[key][0]} (folder {owners[key][1]!r})")
            owners[key] = (number, folder)
        rows[folder], lines[folder] = row, number
    return Roster(path, columns, rows)
