"""Options and argument resolution shared by several commands."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import click

from grader import locations
from grader.errors import CourseError, LearnError, WorkspaceError
from grader.workspace import STATE_DIR, Workspace, find_workspace

if TYPE_CHECKING:  # loaded when a course is (YAML is ~25 ms): `learn grade-all` starts its fork server first
    from grader.course import Course

def builtin_course_root() -> Path:
    """The course shipped with the package: inside it when installed, beside it in a checkout."""
    root = locations.builtin_course_root()
    if root is None:
        raise CourseError("the built-in course is missing from this installation; reinstall learn")
    return root


class WholeNumber(click.IntRange):
    """A whole number within bounds, named as a student reads it: click's own IntRange says
    "'abc' is not a valid integer range" and "not in the range 0<=x<=4294967295"."""
    name = "whole number"

    def _describe_range(self) -> str:
        return f"from {self.min} to {self.max}"


SEED = WholeNumber(0, 2 ** 32 - 1)  # numpy's SeedSequence takes any, but a report shows a 32-bit one


def workspace_option(function: Callable) -> Callable:
    return click.option("--workspace", "-w", type=click.Path(file_okay=False, path_type=Path),
                        default=None, help="The workspace folder (default: the one you are in).")(function)


def course_option(function: Callable) -> Callable:
    return click.option("--course", type=click.Path(file_okay=False, exists=True, path_type=Path),
                        default=None, help="A course folder (default: the workspace's course, "
                        "else the built-in one).")(function)


def isolation_option(function: Callable) -> Callable:
    return click.option("--require-isolation", "require_isolation", type=click.Choice(["namespaces"]),
                        default=None, metavar="namespaces",
                        help="Refuse to grade (exit 2) unless every worker gets namespaces (as root, "
                        "or in an unprivileged user namespace), not the weaker process layer.")(function)


def check_isolation(server: Any, wanted: str | None) -> tuple[str, str]:
    """The layer SERVER's workers get and why; a LearnError when WANTED is more than that."""
    layer, why = server.isolation, server.isolation_reason
    if wanted and layer != wanted:
        raise LearnError(f"--require-isolation {wanted}: this machine gives workers only the {layer} "
                         f"layer ({why}); see docs/security.md")
    return layer, why


def resolve_workspace(path: Path | None, in_a_course: bool = False) -> Workspace:
    """--workspace, else the nearest folder with .learn/, else the folder the command runs in,
    unless that is a course (IN_A_COURSE: the command only reads the course). A student who
    forgot to cd was told to move the course's solutions/<id>/ files into place, and
    `learn start` there would write their files into the course."""
    if path is not None:
        return Workspace(path.resolve())
    found = find_workspace(Path.cwd())
    course = None if in_a_course or (found / STATE_DIR).is_dir() else find_course(found)
    # the course itself, or its exercises/ or solutions/: a folder elsewhere under a course's
    # checkout (a student's `mkdir linalg` in the clone) is a workspace like any other
    if course is not None and found != course and not any(found == place or place in found.parents
                                                          for place in (course / "exercises", course / "solutions")):
        course = None
    if course is not None:
        raise WorkspaceError(f"{course} is a course (the exercises and solutions learn grades with), not a "
                             "workspace: cd into your workspace (the folder `learn start --workspace` made), or "
                             "pass --workspace")
    return Workspace(found)


def is_a_workspace(ws: Workspace, given: Path | None, course: Course | None = None) -> bool:
    """WS was named, or has .learn/, or (with COURSE) holds an exercise's folder (a repository
    cloned in CI, files collected by hand: DESIGN.md's workspace without .learn/)."""
    if given is not None or (ws.root / STATE_DIR).is_dir():
        return True
    return course is not None and any((ws.root / exercise.id).is_dir() for exercise in course.exercises)


def say_if_no_workspace(ws: Workspace, given: Path | None, course: Course | None = None) -> None:
    """On stderr, when WS is only the folder the command runs in (with COURSE: one that holds no
    exercise's folder either): a student who ran `learn` from the wrong folder was told "0/18 ...
    run: learn start" and made a second workspace."""
    if not is_a_workspace(ws, given, course):
        click.echo(f"(No workspace here: neither {ws.root} nor a folder above it has a {STATE_DIR} folder. "
                   "`learn start` makes this folder one; if you already have a workspace, cd into it "
                   "or pass --workspace.)", err=True)


def is_course(folder: Path) -> bool:
    """FOLDER holds a course: an exercises/ folder with a course.yaml or an exercise in it."""
    exercises = folder / "exercises"
    try:
        return exercises.is_dir() and ((exercises / "course.yaml").is_file()
                                       or next(exercises.glob("*/*/exercise.yaml"), None) is not None)
    except OSError:
        return False


def find_course(start: Path) -> Path | None:
    """The nearest course at or above START (an author works inside theirs), else None."""
    start = start.resolve()
    return next((folder for folder in (start, *start.parents) if is_course(folder)), None)


def instructor_course(course: Path | None) -> Course:
    """--course, else the course the command runs in (or above), else the built-in one. Which, on
    stderr when not given: validate and release used the built-in course from inside the
    author's own, and said nothing (a new instructor's review)."""
    from grader.course import load_course
    if course is not None:
        return load_course(course)
    here = find_course(Path.cwd())
    loaded = load_course(here or builtin_course_root())
    where = f"the course in {here}" if here else "the built-in course"
    why = "" if here else ": no course in this folder or above it"
    click.echo(f"Using {where} ({loaded.title}){why}; --course chooses another.", err=True)
    return loaded


def resolve_course(course: Path | None, workspace: Workspace | None = None) -> Course:
    from grader.course import load_course
    if course is not None:
        return load_course(course)
    if workspace is not None:
        recorded = workspace.load_state().get("course")
        if recorded:
            if not Path(recorded, "exercises").is_dir():
                raise CourseError(f"this workspace's course {recorded} no longer exists; "
                                  "pass --course to choose another")
            return load_course(Path(recorded))
    return load_course(builtin_course_root())


def complete_exercise(ctx: click.Context, param: Any, incomplete: str) -> list[str]:
    """Shell completion of exercise ids from the course in use."""
    try:
        course = resolve_course(ctx.params.get("course"), resolve_workspace(ctx.params.get("workspace")))
    except Exception:
        return []
    return [e.id for e in course.exercises if e.id.startswith(incomplete)]
