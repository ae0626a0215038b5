"""The Gradescope autograder bundle: a zip with setup.sh, run_autograder, learn and the course.

Gradescope unpacks the zip into ``/autograder/source``, runs ``setup.sh`` once when it builds
the image, and ``run_autograder`` for every submission, which must leave
``/autograder/results/results.json``. The bundle carries learn's own source (run with
``PYTHONPATH``, so no build backend is needed inside the image) and the course, solutions
included: Gradescope keeps ``source/`` away from the student. A submission may be uploaded as
a workspace (``<exercise-id>/<file>.py``) or as loose files (``similarity.py``), and each file
as the notebook ``<stem>.ipynb`` instead (graded by its answer cells, as in a workspace: the
bundle installs ``nbformat``); run_autograder lays either out as a workspace before grading.
"""
from __future__ import annotations

import io
import json
import re
import stat
import zipfile
from pathlib import Path

from grader.course import Course

PACKAGE_DIR = Path(__file__).resolve().parents[1]  # the grader package
FALLBACK_REQUIREMENTS = ["numpy>=1.24", "pytest>=7.4", "click>=8.1", "pyyaml>=6.0", "jinja2>=3.1"]
# What reads a submitted notebook (the part of the `jupyter` extra that grading needs; no kernel).
FALLBACK_NOTEBOOK_REQUIREMENT = "nbformat>=5.7"

SETUP_SH = """#!/usr/bin/env bash
# Runs once, when Gradescope builds the autograder image.
set -euo pipefail
if ! command -v python3 >/dev/null || ! python3 -m pip --version >/dev/null 2>&1; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 python3-pip
fi
# The image is the autograder's alone: on a base image whose Python is "externally managed"
# (PEP 668, Ubuntu 24.04) pip would refuse to install into it; older pips ignore the variable.
PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --no-cache-dir -r /autograder/source/requirements.txt
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Runs for every submission. AUTOGRADER_ROOT exists so the bundle can be tested outside Gradescope.
set -uo pipefail
# One grade per container: never start learn's grading service (Gradescope does not set CI).
export LEARN_SERVICE=off
ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"
WORKSPACE="$(mktemp -d)"
mkdir -p "$ROOT/results"
python3 "$SOURCE/place_files.py" "$ROOT/submission" "$WORKSPACE" "$SOURCE/exercises.json"
PYTHONPATH="$SOURCE/learn" OPENBLAS_NUM_THREADS=1 python3 -m grader grade --workspace "$WORKSPACE" \\
    --course "$SOURCE/learn" --format gradescope --output "$ROOT/results/results.json"
status=$?
if [ "$status" -ge 2 ]; then
    # Not the student's failure (2: the course is broken; 3: a hidden test fails with the reference
    # too, or the grader itself failed): no score may be recorded. Without a results.json Gradescope
    # records none and shows "The autograder failed to execute correctly", so students ask and the
    # instructor regrades once it is fixed; what failed is here, in the run's stdout (instructors only).
    echo "learn grade exited with status $status: the grader or the course failed, not the student's code."
    if [ -s "$ROOT/results/results.json" ]; then
        python3 -c 'import json, sys; data = json.load(open(sys.argv[1]))
print("The tests the grader could not check:", *data.get("extra_data", {}).get("grader_errors", []), sep="\\n- ")
print(data.get("output", ""))' "$ROOT/results/results.json" || true
        rm -f "$ROOT/results/results.json"
    fi
fi
exit 0
"""

PLACE_FILES = '''"""Lay out a Gradescope submission as a learn workspace: WORKSPACE/<exercise-id>/<file>,
and the notebook <stem>.ipynb in the same folder when one was uploaded (learn decides which of
the two it grades, as in any workspace).

The upload is the student's: it is searched breadth first, 8 folders deep and 10,000 entries at
most (a recursive search of a chain of folders thousands deep raised RecursionError)."""
import itertools
import json
import os
import shutil
import sys
from collections import deque
from pathlib import Path


def files_named(root, names, depth=8, entries=10_000):
    """Each of NAMES -> the regular files of that name under ROOT, shallowest first."""
    found, queue = {name: [] for name in names}, deque([(root, 0)])
    while queue and entries > 0:
        folder, level = queue.popleft()
        try:
            with os.scandir(folder) as listing:
                children = sorted(itertools.islice(listing, entries), key=lambda e: e.name)
        except OSError:
            continue
        entries -= len(children)
        for child in children:
            if child.is_dir(follow_symlinks=False):
                if level < depth:
                    queue.append((child.path, level + 1))
            elif child.name in found and child.is_file(follow_symlinks=False):
                found[child.name].append(Path(child.path))
    return found


submission, workspace, index = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
exercises = json.loads(index.read_text())
wanted = [(exercise_id, name) for exercise_id, file in exercises for name in (file, Path(file).stem + ".ipynb")]
everywhere = files_named(submission, {name for _, name in wanted})
for exercise_id, name in wanted:
    for candidate in [submission / exercise_id / name] + everywhere[name]:
        if candidate.is_file() and not candidate.is_symlink():
            (workspace / exercise_id).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(candidate, workspace / exercise_id / name)
            break
'''


def requirements() -> list[str]:
    """learn's runtime dependencies and nbformat (students may upload notebooks), read from
    pyproject.toml when it is at hand."""
    pyproject = PACKAGE_DIR.parent / "pyproject.toml"
    try:
        text = pyproject.read_text(encoding="utf-8")
    except OSError:
        return [*FALLBACK_REQUIREMENTS, FALLBACK_NOTEBOOK_REQUIREMENT]
    block = re.search(r"^dependencies\s*=\s*\[(.*?)\]", text, re.S | re.M)
    found = re.findall(r'"([^"]+)"', block[1]) if block else []
    jupyter = re.search(r"^jupyter\s*=\s*\[(.*?)\]", text, re.S | re.M)
    notebook = [r for r in re.findall(r'"([^"]+)"', jupyter[1]) if re.match(r"nbformat\b", r)] if jupyter else []
    return (found or FALLBACK_REQUIREMENTS) + (notebook or [FALLBACK_NOTEBOOK_REQUIREMENT])


def _add(archive: zipfile.ZipFile, name: str, data: bytes, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))  # reproducible bytes
    info.external_attr = ((0o755 if executable else 0o644) | stat.S_IFREG) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def _tree(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts and not p.name.endswith(".pyc"))


def bundle(course: Course) -> bytes:
    """The autograder zip's bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        _add(archive, "setup.sh", SETUP_SH.encode(), executable=True)
        _add(archive, "run_autograder", RUN_AUTOGRADER.encode(), executable=True)
        _add(archive, "place_files.py", PLACE_FILES.encode())
        _add(archive, "requirements.txt", ("\n".join(requirements()) + "\n").encode())
        index = [[e.id, e.file] for e in course.exercises]
        _add(archive, "exercises.json", (json.dumps(index, indent=1) + "\n").encode())
        for path in _tree(PACKAGE_DIR):
            if path.relative_to(PACKAGE_DIR).parts[0] == "_course":
                continue
            _add(archive, f"learn/grader/{path.relative_to(PACKAGE_DIR).as_posix()}", path.read_bytes())
        for part in ("exercises", "solutions"):
            for path in _tree(course.root / part):
                _add(archive, f"learn/{path.relative_to(course.root).as_posix()}", path.read_bytes())
    return buffer.getvalue()
