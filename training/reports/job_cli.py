"""`flask --app app report purge-exports`: deletes the background exports past their time, rows
and files. Run it daily (cron or a systemd timer): nothing else deletes them."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_babel import ngettext

from training.clock import utcnow
from training.reports.jobs import purge_expired


@click.command("purge-exports")
@with_appcontext
def purge_command() -> None:
    """Delete expired background exports and their files."""
    count = purge_expired(utcnow())
    click.echo(
        ngettext("%(num)d expired export deleted.", "%(num)d expired exports deleted.", count)
    )
