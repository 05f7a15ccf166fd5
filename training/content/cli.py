"""`flask --app app content check | sync | trace | cues`."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from training.content.catalog import content_dirs, read_catalog
from training.content.province_cli import province_cli
from training.content.sync import run_sync
from training.content.trace import coverage, markdown_table
from training.quizzes.cues import CUE_CEILING, shape_warnings, simulate
from training.sources.problems import Severity

content_cli = AppGroup("content", help="Course and quiz files: check, load, trace.")
commands = (content_cli, province_cli)


@content_cli.command("check")
def check_command() -> None:
    """Validate every course and quiz file; one 'path:line: message' per problem."""
    catalog = read_catalog(*content_dirs())
    problems = catalog.all_problems()
    for problem in problems:
        click.echo(problem.render(catalog.root), err=True)
    errors = sum(p.severity == Severity.ERROR for p in problems)
    click.echo(
        f"{len(catalog.courses)} courses, {len(catalog.quizzes)} quizzes, "
        f"{sum(len(q.questions) for q in catalog.quizzes)} questions: "
        f"{errors} errors, {len(problems) - errors} warnings."
    )
    if problems:
        sys.exit(1)


@content_cli.command("sync")
def sync_command() -> None:
    """Load courses into the database; a broken course is refused and keeps its old version."""
    if run_sync():
        sys.exit(1)


@content_cli.command("trace")
@click.option("--lang", type=click.Choice(["vi", "en"]), default="en", show_default=True)
def trace_command(lang: str) -> None:
    """Print, for each directive clause, the lessons and questions that cover it."""
    rows = coverage(read_catalog(*content_dirs()))
    click.echo(markdown_table(rows, lang))
    gaps = [row.clause.id for row in rows if row.is_gap]
    if gaps:
        click.echo(f"\nRequired clauses not both taught and tested: {', '.join(gaps)}", err=True)
        sys.exit(1)


@content_cli.command("cues")
@click.argument("slugs", nargs=-1)
@click.option(
    "--attempts", default=3000, show_default=True, help="Simulated attempts per strategy."
)
def cues_command(slugs: tuple[str, ...], attempts: int) -> None:
    """How often a learner who never read the course passes each quiz by surface cues alone
    (the longest option, careful wording, a fixed place, always true or false); exits 1 when
    any strategy passes more than 2 % of attempts or the bank shows a pattern."""
    catalog = read_catalog(*content_dirs())
    quizzes = [q for q in catalog.quizzes if not slugs or q.slug in slugs]
    leaking = False
    for quiz in quizzes:
        click.echo(f"{quiz.slug}:")
        for message in shape_warnings(quiz):
            leaking = True
            click.echo(f"  warning: {message}")
        for name, rate in simulate(quiz, attempts=attempts).items():
            flag = "  <- above 2 %" if rate > CUE_CEILING else ""
            leaking = leaking or rate > CUE_CEILING
            click.echo(f"  {name:18} {rate:6.1%}{flag}")
    if leaking:
        sys.exit(1)
