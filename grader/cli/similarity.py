"""`learn similarity`: who shares unusual code with whom (grader.classroom.similarity explains how)."""
from __future__ import annotations

from pathlib import Path

import click

from grader.cli import cli
from grader.cli.options import course_option, instructor_course
from grader.errors import LearnError


@cli.command(name="similarity")
@click.argument("path", metavar="RESULTS_OR_SUBMISSIONS", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where pairs.csv, pairs.json, index.html and pairs/ go [default: RESULTS/similarity, "
              "required for a submissions folder].")
@course_option
def similarity(path: Path, out: Path | None, course: Path | None) -> None:
    """Find pairs and clusters of submissions that share unusual code, per exercise.

    RESULTS_OR_SUBMISSIONS is a folder of student workspaces, or a `learn grade-all` results
    folder (its run.json names the submissions it graded). Names, comments, docstrings,
    formatting and the stub's own code are normalized away; fragments are weighted by how rare
    they are in the class, so what every correct student writes alike is not flagged.

    \b
    Example:
      learn similarity results/        (writes results/similarity/index.html)
    """
    from grader.classroom.similarity import compare, write_report
    submissions = compare.submissions_of(path)
    if out is None:
        if submissions == path:
            raise LearnError(f"{path} is a submissions folder: pass --out DIR for the similarity report")
        out = path / "similarity"
    data = write_report(instructor_course(course), submissions, out)
    flagged = [p for p in data["pairs"] if p["flagged"]]
    for pair in flagged[:10]:
        click.echo(f"{pair['score']:.2f}  {pair['exercise']}: {pair['a']!r} and {pair['b']!r}  ({out / pair['page']})")
    pairs_of_two = [e["id"] for e in data["exercises"] if e["submissions"] == 2]
    if pairs_of_two:  # all they share is in every submission: nothing is rare, nothing can be flagged
        click.echo(f"Only 2 submissions of {', '.join(pairs_of_two)}: what they share is in all of them and weighs "
                   "nothing, so no pair there can be flagged (rarity needs at least 3).")
    click.echo(f"{len(flagged)} flagged pair(s) of {len(data['pairs'])} listed, in "
               f"{sum(len(e['clusters']) for e in data['exercises'])} cluster(s). Wrote {out / 'index.html'} and "
               f"{out / 'pairs.csv'}")
