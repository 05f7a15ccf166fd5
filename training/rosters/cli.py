"""`flask --app app staff …`: roster import and first sign-in codes from the command line, with
the same services and rules as the pages; one commit per command, problems on stderr and a
non-zero exit."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_babel import ngettext

from training.auth.models import TokenKind
from training.auth.tokens import issue_codes
from training.clock import VN_TZ, today_vn, utcnow
from training.errors import ImportRejected, Problem, RuleViolation
from training.extensions import db
from training.mail import mail_configured
from training.org.models import Person, Role, Unit
from training.org.people import Actor, find_by_username
from training.org.units import require_unit
from training.rosters.services import FIELD_LABELS, ImportPlan, apply_plan, plan_file
from training.rosters.slips import Slip, awaiting_first_sign_in, render_slips_file, slips_of
from training.tables import describe_problem, limits_from_config

staff_cli = AppGroup("staff", help="Staff rosters: import a staff list, print sign-in codes.")
commands = (staff_cli,)

# A plan this large shows a progress bar while it is written.
PROGRESS_FROM = 200


def _actor(username: str | None) -> Actor:
    """Without --as, the server's operator, who may do anything; with it, that officer's or
    admin's scope and rules, exactly as on the web."""
    if username is None:
        return None
    person = find_by_username(username)
    if person is None or not person.active or person.role == Role.LEARNER:
        raise click.ClickException(
            _("%(name)s is not an active IT officer or administrator.", name=username)
        )
    return person


def _unit(code: str | None) -> Unit | None:
    if code is None:
        return None
    try:
        return require_unit(code)
    except RuleViolation as err:
        raise click.ClickException(err.message) from err


def _echo_problems(problems: Sequence[Problem]) -> None:
    for problem in problems:
        click.echo(describe_problem(problem), err=True)


def _show(value: object) -> str:
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if isinstance(value, Unit):
        return value.code
    return str(value) if value not in (None, "") else "—"


def _echo_plan(plan: ImportPlan) -> None:
    click.echo(
        _(
            "%(rows)d rows: %(new)d to add, %(updated)d to update, %(moved)d to move, "
            "%(deactivated)d to deactivate, %(unchanged)d unchanged.",
            rows=plan.rows,
            new=len(plan.creates),
            updated=len(plan.updates),
            moved=len(plan.moves),
            deactivated=len(plan.deactivations),
            unchanged=plan.unchanged,
        )
    )
    row = _("row")
    for new in plan.creates:
        click.echo(
            f"  + {row} {new.line}: {new.data.employee_id}  {new.data.full_name}  "
            f"{new.data.username}  {new.data.unit.code or '?'}  {new.data.email or ''}".rstrip()
        )
    for change in plan.changes:
        what = "; ".join(
            f"{FIELD_LABELS[d.field]} {_show(d.old)} → {_show(d.new)}" for d in change.differences
        )
        click.echo(
            f"  ~ {row} {change.line}: {change.person.employee_id}  "
            f"{change.person.full_name}: {what}"
        )
    for person in plan.deactivations:
        click.echo(f"  - {person.employee_id or '—'}  {person.full_name}  {person.unit.code}")


def _slips_path(output: Path | None) -> Path:
    stamp = datetime.now(VN_TZ).strftime("%Y%m%d-%H%M%S")
    return output or Path(f"sign-in-codes-{stamp}.html")


def _write_slips(slips: Sequence[Slip], output: Path | None) -> None:
    """Codes are secrets: the file is readable by its owner only. `-` prints the page."""
    html = render_slips_file(slips)
    if output is not None and str(output) == "-":
        click.echo(html)
        return
    path = _slips_path(output)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(html)
    click.echo(
        ngettext(
            "%(num)d sign-in slip written to %(path)s: print it and hand each slip over.",
            "%(num)d sign-in slips written to %(path)s: print it and hand each slip over.",
            len(slips),
            path=str(path),
        )
    )


@staff_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--unit", "unit_code", help="Unit of rows without a unit code, and of --deactivate-missing."
)
@click.option("--dry-run", is_flag=True, help="Show what would change, and write nothing.")
@click.option(
    "--deactivate-missing",
    is_flag=True,
    help="Deactivate the learners under --unit who are not in the file.",
)
@click.option("--encoding", help="Encoding of a CSV file, e.g. cp1258 (default: detected).")
@click.option("--sheet", help="Sheet of an XLSX workbook (default: the first).")
@click.option("--as", "as_username", help="Act as this officer or admin, within their scope.")
@click.option(
    "--slips",
    "slips_path",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="Where to write the sign-in code slips (HTML; default sign-in-codes-<time>.html).",
)
def import_command(
    path: Path,
    unit_code: str | None,
    dry_run: bool,
    deactivate_missing: bool,
    encoding: str | None,
    sheet: str | None,
    as_username: str | None,
    slips_path: Path | None,
) -> None:
    """Import a staff list (CSV or XLSX): show what it changes and every problem, then write
    all of it — or, if any row has a problem, nothing."""
    actor = _actor(as_username)
    unit = _unit(unit_code)
    limits = limits_from_config(current_app.config, "ROSTER")
    with path.open("rb") as handle:
        data = handle.read(limits.max_bytes + 1)  # enough to know it is too big
    try:
        plan = plan_file(
            data,
            filename=path.name,
            limits=limits,
            encoding=encoding,
            sheet=sheet,
            actor=actor,
            default_unit=unit,
            deactivate_missing=deactivate_missing,
            today=today_vn(),
        )
    except ImportRejected as err:
        _echo_problems(err.problems)
        raise click.ClickException(_("Nothing was imported.")) from err
    _echo_plan(plan)
    if plan.problems:
        db.session.rollback()
        _echo_problems(plan.problems)
        raise click.ClickException(
            ngettext(
                "%(num)d problem: nothing was imported.",
                "%(num)d problems: nothing was imported.",
                len(plan.problems),
            )
        )
    if dry_run or plan.nothing_to_do:
        db.session.rollback()
        click.echo(_("Dry run: nothing was written.") if dry_run else _("Nothing to import."))
        return
    links = mail_configured()
    try:
        if plan.size >= PROGRESS_FROM:
            with click.progressbar(length=plan.size, label=_("Importing")) as bar:
                result = apply_plan(
                    plan,
                    actor=actor,
                    today=today_vn(),
                    now=utcnow(),
                    links=links,
                    progress=bar.update,
                )
        else:
            result = apply_plan(plan, actor=actor, today=today_vn(), now=utcnow(), links=links)
    except ImportRejected as err:
        db.session.rollback()
        _echo_problems(err.problems)
        raise click.ClickException(_("Nothing was imported.")) from err
    slips = slips_of(result.tokens)
    emailed = sum(1 for t in result.tokens if t.kind == TokenKind.LINK)
    db.session.commit()
    click.echo(
        _(
            "Imported: %(new)d added, %(updated)d updated, %(moved)d moved, "
            "%(deactivated)d deactivated.",
            new=len(result.created),
            updated=result.updated,
            moved=result.moved,
            deactivated=result.deactivated,
        )
    )
    if emailed:
        click.echo(
            ngettext("%(num)d sign-in link e-mailed.", "%(num)d sign-in links e-mailed.", emailed)
        )
    elif result.created and not links:
        click.echo(_("No MAIL_SERVER is set: every new person gets a printed code."))
    if slips:
        _write_slips(slips, slips_path)


@staff_cli.command("codes")
@click.option("--unit", "unit_code", help="People under this unit who have not signed in yet.")
@click.option(
    "--people",
    "usernames",
    multiple=True,
    help="These usernames (repeat, or separate with commas).",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="The slips file (HTML; default sign-in-codes-<time>.html; - prints it).",
)
@click.option("--as", "as_username", help="Act as this officer or admin, within their scope.")
def codes_command(
    unit_code: str | None,
    usernames: tuple[str, ...],
    output: Path | None,
    as_username: str | None,
) -> None:
    """Issue new first sign-in codes, and write the slips to print. Earlier unused codes and
    links of these people stop working; people with a password are left out."""
    names = [n for value in usernames for n in value.replace(",", " ").split()]
    if not names and unit_code is None:
        raise click.UsageError(_("Name a unit (--unit) or people (--people)."))
    actor = _actor(as_username)
    unit = _unit(unit_code)
    people = awaiting_first_sign_in(actor=actor, under=unit, usernames=names)
    found = {p.username for p in people}
    missing = [n.lower() for n in names if n.lower() not in found]
    if missing:
        known = {p.username: p for p in (find_by_username(n) for n in missing) if p is not None}
        for name in missing:
            click.echo(_why_not(known.get(name), name), err=True)
    if not people:
        raise click.ClickException(_("Nobody to issue a code to."))
    slips = slips_of(issue_codes(people, actor=actor, now=utcnow()))
    db.session.commit()
    _write_slips(slips, output)


def _why_not(person: Person | None, name: str) -> str:
    if person is None:
        return _("No person has the username %(name)s.", name=name)
    if person.password_hash is not None:
        return _("%(name)s has a password already: no code.", name=name)
    if not person.active:
        return _("%(name)s is deactivated: no code.", name=name)
    return _("%(name)s is not under that unit, or not someone you manage: no code.", name=name)
