"""`flask --app app reminders send`: the daily reminder job, for cron.

One transaction: the day's reminder rows are written and the messages queued, then the commit
sends them (or, without `MAIL_SERVER`, writes them to the log, and the command says so). A run
that fails before the commit sends nothing; a second run the same day finds every row written
and sends nothing again.
"""

from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_babel import ngettext

from training.assignments.reminders import ReminderReport, send_reminders
from training.cli_support import DateParam
from training.clock import today_vn
from training.extensions import db
from training.i18n import dateformat
from training.mail import mail_configured, take_unsent

reminders_cli = AppGroup("reminders", help="E-mail reminders of required training.")
commands = (reminders_cli,)


@reminders_cli.command("send")
@click.option("--dry-run", is_flag=True, help="Print what would be sent; write and send nothing.")
@click.option(
    "--today",
    "today",
    type=DateParam(),
    default=None,
    help="Act as on this date (dd/mm/yyyy); default: today in Vietnam.",
)
def send_command(dry_run: bool, today: date | None) -> None:
    """E-mail each learner whose required courses are due within 7 days, overdue or expired,
    and each unit officer a digest of their overdue people. Run it daily: a second run the
    same day sends nothing new."""
    day = today or today_vn()
    report = send_reminders(day, dry_run=dry_run)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()  # the messages leave here
    _print(report)
    unsent = take_unsent()
    if unsent:
        raise click.ClickException(
            ngettext(
                "The mail server did not take %(num)d message (see the log); its reminders "
                "are recorded as sent today and go again tomorrow if still due.",
                "The mail server did not take %(num)d messages (see the log); their reminders "
                "are recorded as sent today and go again tomorrow if still due.",
                unsent,
            )
        )


def _print(report: ReminderReport) -> None:
    click.echo(_("Reminders for %(date)s", date=dateformat(report.day)))
    logged = not mail_configured()
    if report.dry_run:
        click.echo(_("Dry run: nothing is written or sent."))
    if logged:
        click.echo(
            _("No MAIL_SERVER is set: messages are written to the log instead of being sent.")
        )
    for reminder in report.learners:
        click.echo(
            "  "
            + ngettext(
                "%(username)s <%(email)s>, %(unit)s: %(num)d course (%(overdue)d overdue)",
                "%(username)s <%(email)s>, %(unit)s: %(num)d courses (%(overdue)d overdue)",
                len(reminder.items),
                username=reminder.person.username,
                email=reminder.person.email,
                unit=reminder.person.unit_code,
                overdue=reminder.overdue,
            )
        )
    for digest in report.digests:
        click.echo(
            "  "
            + ngettext(
                "digest for %(username)s <%(email)s>, %(unit)s: %(num)d person overdue",
                "digest for %(username)s <%(email)s>, %(unit)s: %(num)d people overdue",
                digest.people,
                username=digest.officer.username,
                email=digest.officer.email,
                unit=digest.officer.unit_code,
            )
        )
    reminders = ngettext("%(num)d reminder", "%(num)d reminders", report.reminders)
    people = ngettext("%(num)d person", "%(num)d people", len(report.learners))
    digests = ngettext("%(num)d digest", "%(num)d digests", len(report.digests))
    if report.dry_run:
        summary = _(
            "Would send %(reminders)s to %(people)s and %(digests)s.",
            reminders=reminders,
            people=people,
            digests=digests,
        )
    elif logged:
        summary = _(
            "Wrote %(reminders)s to %(people)s and %(digests)s to the log.",
            reminders=reminders,
            people=people,
            digests=digests,
        )
    else:
        summary = _(
            "Sent %(reminders)s to %(people)s and %(digests)s.",
            reminders=reminders,
            people=people,
            digests=digests,
        )
    click.echo(summary)
    if report.without_email:
        click.echo(
            ngettext(
                "%(num)d person with courses due has no e-mail address: %(names)s.",
                "%(num)d people with courses due have no e-mail address: %(names)s.",
                len(report.without_email),
                names=", ".join(p.username for p in report.without_email[:20])
                + (", …" if len(report.without_email) > 20 else ""),
            )
        )
