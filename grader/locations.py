"""Where the grader's own things are, found without loading anything heavy."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # importlib.metadata loads only when an install hint is shown
    from importlib.metadata import Distribution

PACKAGE_DIR = Path(__file__).resolve().parent


def builtin_course_root() -> Path | None:
    """The course shipped with the package: inside it when installed, beside it in a checkout."""
    for candidate in (PACKAGE_DIR / "_course", PACKAGE_DIR.parent):
        if (candidate / "exercises").is_dir():
            return candidate
    return None


DISTRIBUTION = "learn-grader"


def install_command(extra: str) -> str:
    """The command that adds EXTRA (``jupyter``) to the learn that is running, as it was installed.

    PEP 610's ``direct_url.json`` says where an installed distribution came from: a local folder
    (``pip install .`` or ``-e .`` from a checkout: the package is on no index, so the hint names
    that folder), a VCS or an archive URL (named as a direct reference), or, without the file, an
    index (the distribution's name). A checkout that runs uninstalled names itself; when nothing
    tells, both forms are given.
    """
    import importlib.metadata as metadata  # here: only a command that shows this hint pays for it
    try:
        found: Distribution | None = metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        found = None
    if found is not None:
        name = found.metadata["Name"] or DISTRIBUTION
        source, folder = _installed_from(found)
        runs_from_it = (folder is not None and folder == PACKAGE_DIR.parent) or \
            Path(str(found.locate_file("grader/__init__.py"))).resolve().parent == PACKAGE_DIR
        if runs_from_it and folder is not None:
            return _pip(f"{folder}[{extra}]")
        if runs_from_it and source == "index":
            return _pip(f"{name}[{extra}]")
        if runs_from_it and source:
            return _pip(f"{name}[{extra}] @ {source}")
    if (PACKAGE_DIR.parent / "pyproject.toml").is_file():  # a checkout, run without installing it
        return _pip(f"{PACKAGE_DIR.parent}[{extra}]")
    return f"{_pip(f'.[{extra}]')} in the folder learn was installed from, or {_pip(f'{DISTRIBUTION}[{extra}]')}"


def _installed_from(distribution: Distribution) -> tuple[str, Path | None]:
    """("index", None), (a direct reference's URL, None), ("", the local folder), or ("", None) when
    the folder it was installed from is gone or the record cannot be read."""
    import json
    from urllib.parse import unquote, urlparse
    try:
        text = distribution.read_text("direct_url.json")
        record = json.loads(text) if text is not None else None
    except (OSError, ValueError):
        return "", None
    if record is None:
        return "index", None
    url = record.get("url") if isinstance(record, dict) else None
    if not isinstance(url, str):
        return "", None
    if "dir_info" in record:
        parsed = urlparse(url)
        folder = Path(unquote(parsed.path)) if parsed.scheme == "file" else None
        return "", folder.resolve() if folder is not None and (folder / "pyproject.toml").is_file() else None
    vcs = record.get("vcs_info")
    if isinstance(vcs, dict) and isinstance(vcs.get("vcs"), str):
        commit = vcs.get("commit_id")
        return f"{vcs['vcs']}+{url}" + (f"@{commit}" if isinstance(commit, str) else ""), None
    return url, None  # an archive


def _pip(requirement: str) -> str:
    import shlex
    return f"pip install {shlex.quote(requirement)}"
