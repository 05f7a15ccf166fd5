"""`flask --app app bench-data`: a synthetic province to time the coverage reports on.

A developer's command, kept out of the translated catalogue like `seed-demo`: its messages are
English only. It writes nothing unless the database holds no one real (`bench_data.
refuse_reason`), and commits once, so a failure halfway leaves the database as it was.
"""

from __future__ import annotations

import time
from datetime import date

import click
from flask.cli import with_appcontext
from sqlalchemy import text

from training.cli_support import DateParam
from training.clock import today_vn
from training.errors import KhienError
from training.extensions import db
from training.reports import bench_data


@click.command("bench-data")
@click.option("--staff", default=60_000, show_default=True, help="How many people.")
@click.option("--units", default=400, show_default=True, help="How many units, the root too.")
@click.option("--courses", default=10, show_default=True, help="How many courses are required.")
@click.option("--seed", default=1, show_default=True, help="The same seed makes the same data.")
@click.option(
    "--today",
    type=DateParam(),
    default=None,
    help="The day the history ends (dd/mm/yyyy); default: today in Vietnam.",
)
@click.option("--replace", is_flag=True, help="Delete the bench data of an earlier run first.")
@with_appcontext
def bench_data_command(
    staff: int, units: int, courses: int, seed: int, today: date | None, replace: bool
) -> None:
    """Fill an empty database with a province for benchmarks: a reorganised unit tree,
    priority staff, two years of requirements and completions. Refuses a database that holds
    real people or units, and a production site."""
    reason = bench_data.refuse_reason()
    if reason is not None:
        raise click.ClickException(reason)
    if bench_data.has_bench_data() and not replace:
        raise click.ClickException(
            "This database already holds bench data: add --replace to make it again."
        )
    began = time.perf_counter()
    try:
        removed = bench_data.remove_bench_data() if replace else 0
        summary = bench_data.generate(staff, units, courses, seed, today=today or today_vn())
        db.session.commit()
    except KhienError as err:
        db.session.rollback()
        raise click.ClickException(err.message) from err
    except BaseException:
        db.session.rollback()
        raise
    if db.engine.url.get_backend_name() == "postgresql":
        # Statistics for the planner now, as autovacuum would give them some minutes later: a
        # report timed right after the load would otherwise be planned on empty tables.
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    elapsed = time.perf_counter() - began
    if removed:
        click.echo(f"Removed {removed:,} rows of earlier bench data.")
    click.echo(
        f"Units: {summary.units:,} ({summary.key_departments} key departments, "
        f"{summary.retired_units} merged), {summary.placements:,} placements, "
        f"{summary.unit_events:,} events"
    )
    click.echo(
        f"People: {summary.people:,} ({summary.inactive_people:,} inactive, "
        f"{summary.priority_staff:,} priority staff today), {summary.memberships:,} memberships, "
        f"{summary.flag_periods:,} flag periods"
    )
    click.echo(
        f"Courses: {summary.courses} ({summary.courses_created} synthetic), "
        f"{summary.assignments} assignments, {summary.requirements:,} requirements"
    )
    click.echo(
        f"Completions: {summary.completions:,} ({summary.classroom_sessions:,} classroom "
        f"sessions); in progress: {summary.lesson_reads:,} lesson reads, "
        f"{summary.attempts:,} failed attempts"
    )
    click.echo(f"Done in {elapsed:.1f} s on {db.engine.url.get_backend_name()}.")
