"""Reading and writing notebooks: the only module that imports ``nbformat``.

A student's notebook is hostile input. It is read without following links or blocking on a
pipe, capped in size before it is parsed, parsed and upgraded to format 4 by nbformat, and
validated against nbformat's schema; any problem becomes a :class:`NotebookProblem` whose
message the student can act on. Nothing in it is executed or rendered here.
"""
from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

from grader.errors import LearnError
from grader.notebook import install_hint
from grader.storage import read_regular_file, write_atomic

# A notebook bigger than this is refused unread: graded code is kilobytes, and parsing and
# validating ~16 MB of JSON already costs about a second. Outputs are what make notebooks big.
MAX_BYTES = 16 * 1024 ** 2
# Outputs above this are worth a note: they are ignored, and they slow everything that reads the file.
LARGE_OUTPUTS = 1024 ** 2
# More cells than this are refused before nbformat validates them (300,000 empty cells, 14 MB,
# took it 8 s and 440 MB); a long notebook has a few hundred.
MAX_CELLS = 2000


class NotebookProblem(Exception):
    """The student's notebook cannot be graded as it is; the message says why and what to do."""


class NotebookSupportMissing(LearnError):
    """A notebook must be read, and nbformat is not installed."""


def _nbformat() -> Any:
    try:
        import nbformat
    except ImportError:
        raise NotebookSupportMissing(f"notebook support is not installed: {install_hint()}") from None
    return nbformat


def available() -> bool:
    try:
        _nbformat()
    except NotebookSupportMissing:
        return False
    return True


def read_bytes(path: Path) -> bytes:
    """PATH's bytes, refusing links, non-regular files and anything over MAX_BYTES."""
    for part in (path, path.parent):
        if part.is_symlink():
            raise NotebookProblem(f"{path.name}: {part.name} is a symbolic link; submit a regular file")
    try:
        raw = read_regular_file(path, MAX_BYTES + 1, follow_symlinks=False)
    except OSError as exc:
        raise NotebookProblem(f"{path.name} could not be read: {exc.strerror or exc}") from None
    if raw is None:
        raise NotebookProblem(f"{path.name} is not a regular file; submit a regular file")
    if len(raw) > MAX_BYTES:
        raise NotebookProblem(
            f"{path.name} is larger than {MAX_BYTES // 1024 ** 2} MB, almost certainly because of its "
            "outputs (plots, printed arrays). Clear them (in Jupyter: Edit > Clear Outputs of All Cells, "
            f"then save; or `jupyter nbconvert --clear-output --inplace {path.name}`) and grade again. "
            "Your code is kept.")
    return raw


def parse(raw: bytes, name: str) -> Any:
    """RAW as a validated format-4 notebook (an nbformat NotebookNode)."""
    nbformat = _nbformat()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotebookProblem(f"{name} is not a notebook: it is not UTF-8 text (byte {exc.start})") from None
    with warnings.catch_warnings():  # nbformat warns about old or odd files; what matters is raised below
        warnings.simplefilter("ignore")
        try:
            notebook = nbformat.reader.reads(text)
            _check_version(notebook, name)
            _check_cells(notebook, name)
            notebook = nbformat.convert(notebook, 4)
        except NotebookProblem:
            raise
        except RecursionError:
            raise NotebookProblem(f"{name} is not a notebook: its JSON is nested too deeply") from None
        except Exception as exc:  # noqa: BLE001  nbformat's many parse errors: all mean "not a notebook"
            raise NotebookProblem(f"{name} is not a readable notebook ({_first_line(exc)}). "
                                  "Was it saved completely? Open it in Jupyter and save it again.") from None
        try:
            nbformat.validate(notebook)
        except nbformat.ValidationError as exc:
            where = "/".join(str(p) for p in getattr(exc, "absolute_path", ())) or "the top level"
            raise NotebookProblem(f"{name} is not a valid notebook: at {where}: {_first_line(exc)}. "
                                  "Open it in Jupyter and save it again.") from None
        except RecursionError:
            raise NotebookProblem(f"{name} is not a notebook: its JSON is nested too deeply") from None
        except Exception as exc:  # noqa: BLE001  nbformat asserts on some fields: still the file's problem
            raise NotebookProblem(f"{name} is not a valid notebook ({type(exc).__name__}: {_first_line(exc)}). "
                                  "Open it in Jupyter and save it again.") from None
    return notebook


def _check_version(notebook: Any, name: str) -> None:
    """nbformat asserts (a bare AssertionError) on a version field that is not a whole number."""
    for field in ("nbformat", "nbformat_minor"):
        if isinstance(notebook, dict) and field in notebook and type(notebook[field]) is not int:
            raise NotebookProblem(f"{name} is not a valid notebook: its {field} is {json.dumps(notebook[field])[:40]}, "
                                  "not a whole number. Open it in Jupyter and save it again.")


def _check_cells(notebook: Any, name: str) -> None:
    """Refuse more than MAX_CELLS cells (format 4's list, or format 3's worksheets) before anything walks them."""
    if not isinstance(notebook, dict):
        return
    lists, worksheets = [notebook.get("cells")], notebook.get("worksheets")
    if isinstance(worksheets, list):
        lists += [w.get("cells") for w in worksheets if isinstance(w, dict)]
    count = sum(len(cells) for cells in lists if isinstance(cells, list))
    if count > MAX_CELLS:
        raise NotebookProblem(f"{name} has {count} cells; a notebook of more than {MAX_CELLS} is not graded. "
                              "Delete the cells you do not need, save, and grade again.")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]


def read_notebook(path: Path) -> Any:
    return parse(read_bytes(path), path.name)


def output_bytes(notebook: Any) -> int:
    """Roughly how much of NOTEBOOK is outputs and attachments (characters of their data)."""
    total = 0
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            total += sum(len(str(v)) for v in output.get("data", {}).values()) + len(str(output.get("text", "")))
        total += sum(len(str(v)) for a in cell.get("attachments", {}).values() for v in a.values())
    return total


# --- writing ours ---------------------------------------------------------------------------------

def markdown_cell(text: str) -> Any:
    return _nbformat().v4.new_markdown_cell(text)


def code_cell(source: str, tags: tuple[str, ...] = ()) -> Any:
    cell = _nbformat().v4.new_code_cell(source)
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def new_notebook(cells: list[Any], metadata: dict[str, Any]) -> Any:
    return _nbformat().v4.new_notebook(cells=cells, metadata=metadata)


def dumps(notebook: Any) -> str:
    nbformat = _nbformat()
    nbformat.validate(notebook)  # ours: a failure here is a bug in the grader, raised as such
    return nbformat.writes(notebook)


def write_notebook(path: Path, notebook: Any) -> None:
    write_atomic(path, dumps(notebook))
