"""`flask --app app init` and `flask --app app seed-demo`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade

from training.assignments.defaults import ensure_default_assignments
from training.clock import today_vn
from training.content.sync import run_sync
from training.extensions import db
from training.org.demo import DEMO_PASSWORD, demo_logins, seed_demo_province
from training.site.demo import seed_demo_training


@click.command("init")
@with_appcontext
def init_command() -> None:
    """Create or upgrade the database, load the courses, and make the directive's default
    assignments for courses that have none; safe to run again. A broken course is refused
    (exit 1) and the version loaded before stays in use."""
    upgrade()
    click.echo(f"Database ready: {db.engine.url.render_as_string(hide_password=True)}")
    if run_sync():
        raise SystemExit(1)
    made = ensure_default_assignments(today_vn())
    db.session.commit()
    for assignment in made:
        click.echo(
            f"Default assignment ({assignment.clause}): {assignment.course.slug} for "
            f"{assignment.audience.value}, {assignment.due_days} days"
        )


@click.command("seed-demo")
@click.option(
    "--force",
    is_flag=True,
    help="Seed a database other than SQLite (a test server); never a production site.",
)
@with_appcontext
def seed_demo_command(force: bool) -> None:
    """Set up the database and a demo province with its people; prints the demo logins.

    The demo logins share a published password, so they must never reach a real site: the
    command refuses production mode, and a server database unless --force says it is a test."""
    if current_app.config.get("KHIEN_ENV") == "production":
        raise click.ClickException("The demo province is not for a production site.")
    if db.engine.url.get_backend_name() != "sqlite" and not force:
        raise click.ClickException(
            "The demo logins share a published password: seed-demo only writes to SQLite. "
            "For a test server on PostgreSQL, add --force."
        )
    upgrade()
    run_sync()
    created = seed_demo_province(today=today_vn())
    if created:
        seed_demo_training(today=today_vn())
    db.session.commit()
    click.echo("Demo province created." if created else "Demo province already present.")
    click.echo(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
    for login in demo_logins():
        mark = " *" if login.is_priority else ""
        click.echo(
            f"  {login.role.value:<13} {login.username:<18} {login.full_name}"
            f" — {login.unit_name}{mark}"
        )
    click.echo("  (* priority: drafts classified documents or works in a key department)")


commands = (init_command, seed_demo_command)
