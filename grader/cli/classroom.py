"""The instructor's class-scale commands: grade-all, gradebook merge, export gradescope."""
from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from grader.classroom import gradebook
from grader.cli import cli
from grader.cli.options import WholeNumber, check_isolation, course_option, instructor_course, isolation_option
from grader.errors import GraderBug, LearnError
from grader.storage import write_atomic

if TYPE_CHECKING:  # imported where used: `learn grade-all` starts its fork server before they load
    from grader.classroom import plan as planning, pool


def _id_column_option(function: Any) -> Any:
    return click.option("--id-column", default=gradebook.DEFAULT_ID_COLUMN, show_default=True,
                        help="Header of the gradebook's first column, as your LMS import expects "
                        "(e.g. \"SIS User ID\").")(function)


def _progress_line(record: dict[str, Any], done: int, total: int) -> str:
    from grader.classroom.analytics import grader_failures
    from grader.reports.text import shown
    if record.get("outcome") != "graded":
        return f"[{done}/{total}] {record['student']}: grader error: {shown(record.get('reason', ''), 'terminal')}"
    results = record["results"]
    failed = grader_failures(results)
    if failed:  # not a score: the gradebook leaves it blank
        return (f"[{done}/{total}] {record['student']}: grader error on {'; '.join(failed)} (not final: "
                f"{results['score']:g}/{results['max_score']:g} without those tests; {record['duration']:.1f} s)")
    return f"[{done}/{total}] {record['student']}: {results['score']:g}/{results['max_score']:g} ({record['duration']:.1f} s)"


@cli.command(name="grade-all")
@click.argument("submissions", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--out", "-o", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="The results folder (gradebook.csv, summary, one folder per student).")
@click.option("--jobs", "-j", type=WholeNumber(1, 256), default=None,
              help="Grading processes, each pinned to a CPU [default: the CPUs this process may use].")
@course_option
@click.option("--seed-secret", "seed_secret", metavar="ENV", default=None,
              help="Name of the environment variable holding the secret that seeds are derived from.")
@click.option("--shard", default=None, metavar="I/N|auto", help="Grade only the I-th of N deterministic shares "
              "(1 <= I <= N); `auto` reads I and N from the Slurm array, Kubernetes Indexed Job, GitLab "
              "`parallel:` or GitHub matrix this runs in.")
@click.option("--resume", is_flag=True, help="Re-grade only students that are missing or changed.")
@click.option("--submitted-at", "submitted_at", metavar="git|FILE.csv", default=None,
              help="When each student handed in, for course.yaml's late_policy: `git` (each student's folder "
              "is a clone: the last commit touching each exercise's file) or a CSV folder,submitted_at[,exercise].")
@isolation_option
@_id_column_option
def grade_all(submissions: Path, out: Path, jobs: int | None, course: Path | None, seed_secret: str | None,
              shard: str | None, resume: bool, submitted_at: str | None, id_column: str,
              require_isolation: str | None = None) -> None:
    """Grade every student's workspace in SUBMISSIONS (one subfolder each) into OUT.

    Writes OUT/gradebook.csv, OUT/summary.md, OUT/summary.html and OUT/<student>/ with
    results.json, report.html and report.md (<student> is the submission folder's own name).
    Without --seed-secret every student gets the fixed seed 0 (reproducible but predictable; a
    warning says so): pass a secret for real grading, the same in every shard. Exit status 3
    when the grader itself failed on some student (their gradebook rows say grader_error;
    --resume grades them again; a missing notebook install is named). The sandbox layer the
    workers get is printed on stderr and in the summary; without namespaces (the process layer)
    both warn, and --require-isolation namespaces refuses to grade.

    \b
    Examples:
      learn grade-all submissions/ --out results/ --seed-secret LEARN_SEED_SECRET
      learn grade-all submissions/ --out results/ --seed-secret SECRET --require-isolation namespaces
      learn grade-all submissions/ --out results-2/ --shard 2/3 --seed-secret LEARN_SEED_SECRET
      learn gradebook merge results-1/ results-2/ results-3/ --out results/
    """
    from grader.sandbox import client as forkserver
    server = forkserver.early_or_new()  # first: it imports numpy on another CPU while this process loads the course
    made_out = False  # OUT was created by this run: removed again if it fails before writing anything
    try:
        _check_out_is_outside(out, submissions)
        if require_isolation:  # refused before anything is read or written (the query waits for the server)
            check_isolation(server, require_isolation)
        from grader.classroom import class_files, engines, plan as planning, submitted
        from grader.sandbox import shield
        secret = None
        if seed_secret is not None:
            secret = os.environ.get(seed_secret)
            if not secret:
                raise LearnError(f"--seed-secret {seed_secret}: the environment variable {seed_secret} "
                                 "is not set or empty")
            shield.scrub_environment([seed_secret])  # read once: from now on it is in no /proc/*/environ
        else:
            click.echo("Warning: no --seed-secret: every student gets the fixed seed 0, which is predictable (a student "
                       "who knows it can hard-code the expected outputs). For real grading, put a secret in an "
                       "environment variable and pass its name: --seed-secret LEARN_SEED_SECRET.", err=True)
        shield.forbid_inspection()  # no process of this user reads our memory; grading processes inherit it
        shard_range, engine = engines.resolve(shard, os.environ) if shard else (None, "")
        if engine:
            click.echo(engine, err=True)
        the_course = instructor_course(course)
        if not the_course.has_solutions:
            raise LearnError(f"{the_course.root} has no solutions/ folder: class grading needs the hidden tests")
        for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ.setdefault(variable, "1")  # before numpy loads: the grading processes are forked from here
        plan = planning.plan_class(the_course, submissions, out, secret, shard_range, resume)
        if not any(s.holds_files for s in plan.found) and shard_range is None \
                and not any(s.student for s in plan.skipped):
            # a wrong path, most likely: a gradebook of nobody (or of zeros) would look like a finished run
            empty = [f"{s.name!r}: no Python file or notebook in it (looked {planning.SEARCH_DEPTH} folders deep)"
                     for s in plan.found]
            skipped = "; ".join((empty + [f"{s.name!r}: {s.reason}" for s in plan.skipped])[:5])
            raise LearnError(f"no student folder in {submissions}: each student's workspace is a subfolder holding "
                             "their exercises' files" + (f" (skipped {skipped})" if skipped else ""))
        if shard_range is None and plan.found and not any(planning.holds_course_file(s.path, the_course)
                                                          for s in plan.found if s.holds_files):
            # a class of another course: a gradebook of zeros would look like a finished run
            raise LearnError(f"none of the {len(plan.found)} student folders in {submissions} holds a file of the "
                             f"course {the_course.title!r} ({the_course.root}), in its place or elsewhere: did "
                             "the class work on another course? Pass it with --course")
        for student in plan.found:
            if not student.holds_files:  # graded all the same: their row says they handed in nothing
                click.echo(f"note: {student.name!r} holds no Python file or notebook (looked {planning.SEARCH_DEPTH} "
                           "folders deep): graded as nothing handed in", err=True)
        # A bad times file stops us here, before grading.
        times = submitted.for_class(the_course, [(s.name, s.path) for s in plan.found], submitted_at, submissions)
        if the_course.late_policy is not None and submitted_at is None:
            click.echo("The course has a late_policy but no --submitted-at was given: nobody's score is adjusted.",
                       err=True)
        made_out = not out.exists()
        out.mkdir(parents=True, exist_ok=True)  # so that it can be masked if it lies under a bound path
        # Before any worker, standby ones too. The working folder as well: in a container it is
        # often /usr/src/app, under a bound /usr, with other classes' folders in it.
        server.hide(the_course.root, submissions.resolve(), out.resolve(), Path.cwd())
        cpus = sorted(os.sched_getaffinity(0))
        # The server is ready before this process has loaded the hidden tests: it starts workers
        # for the first students on the other CPUs meanwhile (one CPU: nothing to gain).
        server.stand_by(planning.standby_files(the_course, plan) if len(cpus) > 1 else [], set(cpus[1:]))
        run = _grade_class(the_course, submissions, out, jobs, secret, shard_range, resume, server, plan,
                           require_isolation)
    except BaseException:
        server.close()
        if made_out:  # a course error found once the hidden tests load: no empty results folder
            with contextlib.suppress(OSError):
                out.rmdir()  # only if still empty
        raise
    server.hang_up()  # it exits (~10 ms: its workers' mounts, its memory) while the class files are written
    try:
        skipped = [(s.name, s.reason) for s in run.skipped]
        refused = [(s.name, s.reason) for s in run.skipped if s.student]
        for name, reason in skipped:
            click.echo(f"skipped {name!r}: {reason}", err=True)
        # A shard sees a share of the class: similarity is for the merge, which sees all of it.
        similarity = None if shard_range else _similarity(the_course, submissions, out / "similarity")
        late = None
        if the_course.late_policy is not None:
            from grader.classroom import late as lateness
            late = lateness.assess(the_course, times)
        class_files.write_run(out, shard_range and "{}/{}".format(*shard_range), skipped, run.duration, run.graded,
                              run.reused, refused, submissions=str(submissions.resolve()), course=str(the_course.root),
                              late=late)
        summary = class_files.write_class_files(out, run.records + class_files.refused_records(refused), skipped,
                                                run.duration, id_column, similarity, late, run.graded, run.reused)
        unfinished = f", {len(summary.grader_errors)} not final (the grader failed)" if summary.grader_errors else ""
        mean = f"mean {summary.mean:g}/{summary.max_score:g}" if summary.graded else "no final score"
        click.echo(f"Graded {run.graded} student(s), reused {run.reused} in {run.duration:.1f} s: "
                   f"{mean}{unfinished}. Wrote {out / 'gradebook.csv'} and {out / 'summary.html'}")
        if summary.grader_errors:  # the grader's own failure: exit status 3 (the gradebook leaves them blank)
            _say_why_the_grader_failed(run.records, len(summary.grader_errors))
            raise click.exceptions.Exit(GraderBug.exit_code)
    finally:
        server.close()


def _check_out_is_outside(out: Path, submissions: Path) -> None:
    """Results inside the submissions folder would be a student's folder to the next run: refused
    before anything is written (links resolved: a link to a folder inside is inside)."""
    results, root = out.resolve(), submissions.resolve()
    if results == root or root in results.parents:
        where = "is the submissions folder itself" if results == root else f"is inside the submissions folder {submissions}"
        raise LearnError(f"--out {out} {where}: the next run would take the results for a student's folder. "
                         f"Choose a results folder outside {submissions}.")


def _say_why_the_grader_failed(records: list[dict[str, Any]], failed: int) -> None:
    """One line per cause: a missing install is said once, with what to install (retrying cannot
    help until it is there); the rest are retried by --resume."""
    from grader.classroom.records import NOTEBOOK_SUPPORT_MISSING
    from grader.notebook import install_hint
    notebooks = sum(r.get("cause") == NOTEBOOK_SUPPORT_MISSING for r in records)
    if notebooks:
        click.echo(f"notebook support is not installed on this machine, so the notebooks of {notebooks} student(s) "
                   f"were not graded (their rows say grader_error): {install_hint()} (or pip install nbformat), "
                   "then run again with --resume to grade them.", err=True)
    if failed > notebooks:
        click.echo(f"The grader failed on {failed - notebooks} {'other ' if notebooks else ''}student(s); "
                   "rerun with --resume to retry them.", err=True)


def _grade_class(course: Any, submissions: Path, out: Path, jobs: int | None, secret: str | None,
                 shard_range: tuple[int, int] | None, resume: bool, server: Any,
                 plan: planning.ClassPlan, require_isolation: str | None) -> pool.BatchRun:
    from grader.classroom import pool
    from grader.grading import solution_for
    for exercise in course.exercises:
        solution_for(exercise)  # a broken course fails here, once, with its own message
    # Asked only now: the server has had the time the course took to load (a query waits for it).
    layer, why = check_isolation(server, require_isolation)
    click.echo(f"sandbox: {layer} ({why})", err=True)
    if layer != "namespaces":
        click.echo("Warning: grading WITHOUT namespaces. A submission runs as this user, on this file system, "
                   "kept from the instructor's files only by Landlock (where the kernel has it) and an audit "
                   "hook. Grade as root or where user namespaces are allowed; --require-isolation namespaces "
                   "refuses to grade otherwise. See docs/security.md.", err=True)
    tty = click.get_text_stream("stderr").isatty()
    bar: Any = None

    def progress(record: dict[str, Any], done: int, total: int) -> None:
        if bar is not None:
            bar.update(1)
        else:
            click.echo(_progress_line(record, done, total))

    with click.progressbar(length=len(plan.todo), label="Grading", file=click.get_text_stream("stderr")) if tty \
            else _nothing() as bar:
        return pool.grade_all(course, submissions, out, jobs or len(os.sched_getaffinity(0)), secret,
                               shard_range, resume, progress, server, plan)


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


@cli.group(name="gradebook")
def gradebook_group() -> None:
    """Combine class results (e.g. the shards of a CI matrix)."""


@gradebook_group.command(name="merge")
@click.argument("results", nargs=-1, required=True, type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--out", "-o", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Where the merged gradebook.csv and summary go.")
@_id_column_option
def merge(results: tuple[Path, ...], out: Path, id_column: str) -> None:
    """Merge the RESULTS folders of `learn grade-all --shard` runs into one gradebook and summary.

    Each of the N shards of one run must be given exactly once: a missing or duplicated shard
    is an error that names it. Merging again gives the same files. `learn gradebook export` and
    `learn similarity` take the merged folder as they take the shards.

    \b
    Example:
      learn gradebook merge results-1/ results-2/ results-3/ --out results/
    """
    from grader.classroom import class_files, lms, shards
    unique = tuple({folder.resolve(): folder for folder in results}.values())
    if len(unique) < len(results):  # read once: the count below is of the folders merged
        click.echo(f"{len(results) - len(unique)} folder(s) given more than once: each is merged once", err=True)
    results = unique
    graded = gradebook.load_records(results)
    refused = class_files.merged_refused(results)
    records = graded + class_files.refused_records(refused)
    from grader.classroom.similarity import graded_from
    runs = {str(folder): class_files.read_run(folder) for folder in results}
    shards.check_complete(runs)
    skipped, duration = class_files.merged_runs(results)
    similarity = None
    source = graded_from(list(runs.values()))
    if source:
        similarity = _similarity(source[1], source[0], out / "similarity")
    else:
        click.echo("Similarity not computed: the shards' submissions folder and course are not both here; "
                   "run `learn similarity SUBMISSIONS --out DIR` where they are.", err=True)
    from grader.classroom import late
    merged_late = late.merged(list(runs.values()))
    graded_in_runs = sum(int(r.get("graded", 0)) for r in runs.values() if r)
    reused = sum(int(r.get("reused", 0)) for r in runs.values() if r)
    out.mkdir(parents=True, exist_ok=True)
    # What `learn gradebook export OUT` and `learn similarity OUT` read: the merge has no student folders.
    class_files.write_run(out, None, skipped, duration, graded_in_runs, reused, sorted(dict(refused).items()),
                          merged_from=[str(folder.resolve()) for folder in results],
                          **({"submissions": str(source[0]), "course": str(source[1])} if source else {}),
                          late=merged_late, **{lms.GRADES_KEY: lms.grades(graded)})
    class_files.write_class_files(out, records, skipped, duration, id_column, similarity, merged_late,
                                  graded_in_runs, reused)
    click.echo(f"Merged {len(records)} students from {len(results)} folder(s) into {out / 'gradebook.csv'}")


@gradebook_group.command(name="export")
@click.argument("results", nargs=-1, required=True, type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--lms", required=True, type=click.Choice(["canvas", "moodle", "blackboard"]),
              help="The system whose grade import format to write.")
@click.option("--roster", required=True, type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="CSV mapping each submission folder (column `folder`) to its LMS identity.")
@click.option("--out", "-o", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The file to import.")
@click.option("--assignment", required=True, help="The grade column's name in the LMS.")
@click.option("--assignment-id", default=None, help="Canvas assignment id or Blackboard column id of an existing column "
              "(without it, the LMS creates a new column).")
@click.option("--moodle-id", type=click.Choice(["email", "username", "idnumber"]), default="email", show_default=True,
              help="The user field Moodle matches rows on (the roster column of that name).")
@click.option("--raw-scores", is_flag=True, help="Export the scores before the course's late policy "
              "(default: after it, when one is set).")
def export_lms(results: tuple[Path, ...], lms: str, roster: Path, out: Path, assignment: str,
               assignment_id: str | None, moodle_id: str, raw_scores: bool) -> None:
    """Write the grade import file of Canvas, Moodle or Blackboard from RESULTS (one grade-all
    results folder, every shard of one, or the folder `learn gradebook merge` wrote).

    Students in the results but not in the roster, in the roster without results, and those
    the grader failed on are listed on stderr and the exit status is 1 (the file is written,
    their grades left empty, which the LMS leaves unchanged).

    \b
    Example:
      learn gradebook export results/ --lms canvas --roster roster.csv --assignment "Linear algebra" \\
        --assignment-id 12345 --out canvas-grades.csv
    """
    from grader.classroom import lms as systems
    made = systems.export_results(results, lms, roster, assignment, assignment_id, moodle_id, raw_scores)
    write_atomic(out, made.text)
    for student in made.not_in_roster:
        click.echo(f"not in the roster, not exported: {student!r}", err=True)
    for student in made.no_results:
        click.echo(f"in the roster but not in the results, exported without a grade: {student!r}", err=True)
    for student, reason in made.not_graded:
        click.echo(f"the grader failed, exported without a grade: {student!r}: {reason}", err=True)
    click.echo(f"Wrote {out} for {lms}")
    if not made.complete:
        raise click.exceptions.Exit(1)


def _similarity(course: Any, submissions: Path, out: Path) -> dict[str, Any] | None:
    """The class's similarity report in OUT, for the summary; None (said on stderr) if it failed:
    the grades come first, and `learn similarity` can be run again on its own. COURSE: a
    loaded course, or the folder of one."""
    from grader.classroom.similarity import write_report
    try:
        return write_report(instructor_course(course) if isinstance(course, Path) else course, submissions, out)
    except Exception as exc:  # noqa: BLE001  (a bug here must not cost the gradebook)
        click.echo(f"Similarity not computed: {type(exc).__name__}: {exc}", err=True)
        return None


@cli.group(name="export")
def export_group() -> None:
    """Package the course for another grading platform."""


@export_group.command(name="gradescope")
@click.option("--out", "-o", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The autograder zip to upload to Gradescope.")
@course_option
def export_gradescope(out: Path, course: Path | None) -> None:
    """Build a Gradescope autograder zip (setup.sh, run_autograder, learn and the course).

    \b
    Example:
      learn export gradescope --out autograder.zip
    """
    from grader.classroom import gradescope_bundle
    the_course = instructor_course(course)
    write_atomic(out, gradescope_bundle.bundle(the_course))
    click.echo(f"Wrote {out}: upload it as the autograder of a Gradescope programming assignment")


def github_report(result: Any, workspace: Path, to_stdout: bool) -> None:
    """Under GitHub Actions: `::error` annotations on the student's lines and the job summary."""
    from grader import reports
    from grader.reports.annotations import github_annotations
    for command in github_annotations(result, workspace, Path(os.environ.get("GITHUB_WORKSPACE") or Path.cwd())):
        click.echo(command, err=not to_stdout)
    step_summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if step_summary:
        with open(step_summary, "a", encoding="utf-8") as handle:
            handle.write(reports.render(result, "markdown") + "\n")
