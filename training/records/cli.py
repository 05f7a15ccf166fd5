"""`flask --app app records …`: the same services as the records pages, one commit per command,
every problem of a file printed with its row and column, a non-zero exit on bad input.

Commands act as the server's operator (the console can reach the database anyway, and the log
names no person for them) unless `--as USERNAME` names an officer or admin, whose scope then
applies exactly as on the web.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TypeVar

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext as _

from training.cli_support import DateParam
from training.cli_support import run_or_exit as _run
from training.clock import VN_TZ, today_vn, utcnow
from training.courses.models import CompletionMethod
from training.errors import ImportRejected, KhienError, Problem
from training.extensions import db
from training.org.models import Person
from training.org.people import Actor, find_by_username
from training.org.units import require_unit
from training.records import classroom, external, manual
from training.records import log as completion_log
from training.records.actors import manager_scope
from training.records.imports import import_limits
from training.tables import describe_problem

T = TypeVar("T")

records_cli = AppGroup(
    "records", help="Completions outside the quiz: sessions, manual records, other platforms."
)
commands = (records_cli,)

FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def _end_dry_run(problems: Sequence[Problem], summary: str) -> None:
    """A dry run lists its problems and its summary, then writes nothing, whatever happens;
    problems make it exit 1, as the real import would refuse the file."""
    _echo_problems(problems)
    click.echo(summary)
    db.session.rollback()
    if problems:
        raise SystemExit(1)


def _planned(plan: Callable[[], T]) -> T:
    """A dry run's plan; a file that cannot be read at all lists its problems and stops."""
    try:
        return plan()
    except ImportRejected as err:
        _echo_problems(err.problems)
        raise click.ClickException(_("The file cannot be imported.")) from err


def _echo_problems(problems: Sequence[Problem]) -> None:
    for problem in problems:
        click.echo(describe_problem(problem), err=True)


def _person(username: str) -> Person:
    person = find_by_username(username)
    if person is None:
        raise click.ClickException(
            _("No person has the username %(name)s.", name=username.strip().lower())
        )
    return person


def _actor(username: str | None) -> Actor:
    """None, the console, unless `--as` names an active officer or admin."""
    if username is None:
        return None
    person = _person(username)
    if not person.active:
        raise click.ClickException(_("%(name)s cannot sign in.", name=person.username))
    try:
        manager_scope(person)
    except KhienError as err:
        raise click.ClickException(err.message) from err
    return person


AS_OPTION = click.option(
    "--as",
    "as_username",
    default=None,
    metavar="USERNAME",
    help="Act as this officer or admin, within their scope (default: the console).",
)
ENCODING_OPTION = click.option(
    "--encoding", default=None, help="The CSV file's encoding (default: UTF-8, else CP1258)."
)
SHEET_OPTION = click.option("--sheet", default=None, help="The XLSX sheet (default: the first).")


@records_cli.command("session-add")
@click.argument("course_slug")
@click.argument("unit_code")
@click.option("--on", "held_on", type=DateParam(), required=True, help="Day held (dd/mm/yyyy).")
@click.option("--place", required=True)
@click.option("--trainer", required=True)
@click.option(
    "--attendance-completes",
    is_flag=True,
    help="Attendance alone completes the course (the trainer tested in the room).",
)
@AS_OPTION
def session_add_command(
    course_slug: str,
    unit_code: str,
    held_on: date,
    place: str,
    trainer: str,
    attendance_completes: bool,
    as_username: str | None,
) -> None:
    """Record a classroom session (tập huấn) held for UNIT_CODE; prints its ID."""
    actor = _actor(as_username)
    session = _run(
        lambda: classroom.create_session(
            classroom.SessionData(
                course=manual.find_course(course_slug),
                unit=require_unit(unit_code),
                held_on=held_on,
                place=place,
                trainer=trainer,
                attendance_completes=attendance_completes,
            ),
            actor=actor,
            now=utcnow(),
            today=today_vn(),
        )
    )
    click.echo(f"{session.id}")


@records_cli.command("attendance-import")
@click.argument("session_id", type=int)
@click.argument("path", type=FILE)
@click.option("--dry-run", is_flag=True, help="Check the file and show what would change.")
@AS_OPTION
@ENCODING_OPTION
@SHEET_OPTION
def attendance_import_command(
    session_id: int,
    path: Path,
    dry_run: bool,
    as_username: str | None,
    encoding: str | None,
    sheet: str | None,
) -> None:
    """Add a session's attendees from a CSV or XLSX file with an employee ID column; one bad
    row and nothing is written."""
    actor = _actor(as_username)
    session = classroom.get_session_in_scope(manager_scope(actor), session_id)
    if session is None:
        raise click.ClickException(_("No session has the ID %(id)d.", id=session_id))
    data, limits = path.read_bytes(), import_limits(current_app.config)
    if dry_run:
        plan = _planned(
            lambda: classroom.plan_attendance(
                session,
                data,
                filename=path.name,
                actor=actor,
                limits=limits,
                encoding=encoding,
                sheet=sheet,
            )
        )
        for person in plan.new:
            click.echo(f"+ {person.employee_id}  {person.full_name}")
        _end_dry_run(
            plan.problems,
            _(
                "%(new)d to add, %(already)d already listed, %(problems)d problems; "
                "nothing was written.",
                new=len(plan.new),
                already=len(plan.already),
                problems=len(plan.problems),
            ),
        )
        return
    result = _run(
        lambda: classroom.import_attendance(
            session,
            data,
            filename=path.name,
            actor=actor,
            now=utcnow(),
            limits=limits,
            encoding=encoding,
            sheet=sheet,
        )
    )
    click.echo(
        _(
            "%(added)d added, %(already)d already listed, %(completions)d completions recorded.",
            added=len(result.added),
            already=len(result.already),
            completions=result.completions,
        )
    )


@records_cli.command("manual-add")
@click.argument("username")
@click.argument("course_slug")
@click.option("--on", "completed_on", type=DateParam(), required=True, help="dd/mm/yyyy")
@click.option("--reason", required=True, help="Why it is recorded by hand (10+ characters).")
@click.option("--evidence", required=True, help="Document number or other reference.")
@AS_OPTION
def manual_add_command(
    username: str,
    course_slug: str,
    completed_on: date,
    reason: str,
    evidence: str,
    as_username: str | None,
) -> None:
    """Record a completion by hand; prints its ID and certificate code."""
    actor = _actor(as_username)
    completion = _run(
        lambda: manual.record_manual(
            _person(username),
            manual.find_course(course_slug),
            completed_on=completed_on,
            reason=reason,
            evidence=evidence,
            actor=actor,
            now=utcnow(),
            today=today_vn(),
        )
    )
    click.echo(f"{completion.id} {completion.code}")


@records_cli.command("manual-revoke")
@click.argument("completion_id", type=int)
@click.option("--reason", required=True, help="Why it is revoked (10+ characters).")
@AS_OPTION
def manual_revoke_command(completion_id: int, reason: str, as_username: str | None) -> None:
    """Revoke a completion: it stays, marked, and no longer counts anywhere."""
    actor = _actor(as_username)
    completion = manual.get_completion_in_scope(manager_scope(actor), completion_id)
    if completion is None:
        raise click.ClickException(_("No completion has the ID %(id)d.", id=completion_id))
    _run(lambda: manual.revoke_completion(completion, reason=reason, actor=actor, now=utcnow()))
    click.echo(_("Completion %(id)d revoked.", id=completion_id))


@records_cli.command("log")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option("--unit", "unit_code", default=None, help="People of this unit and below.")
@click.option("--from", "since", type=DateParam(), default=None, help="dd/mm/yyyy")
@click.option("--to", "until", type=DateParam(), default=None, help="dd/mm/yyyy")
@click.option("--method", type=click.Choice([m.value for m in CompletionMethod]), default=None)
def log_command(
    csv_path: Path | None,
    unit_code: str | None,
    since: date | None,
    until: date | None,
    method: str | None,
) -> None:
    """Print the completion log, newest first, or write it as CSV (UTF-8 with BOM, for Excel)."""
    try:
        filters = completion_log.LogFilter(
            unit=require_unit(unit_code) if unit_code else None,
            since=since,
            until=until,
            method=CompletionMethod(method) if method else None,
        )
    except KhienError as err:
        raise click.ClickException(err.message) from err
    lines = completion_log.log_lines(filters, actor=None)
    lang = str(current_app.config["BABEL_DEFAULT_LOCALE"])
    if csv_path is not None:
        csv_path.write_bytes(completion_log.log_csv(lines, lang=lang))
        click.echo(_("%(num)d lines written to %(path)s.", num=len(lines), path=str(csv_path)))
        return
    for line in lines:
        click.echo(
            "\t".join(
                [
                    f"{line.at.astimezone(VN_TZ):%d/%m/%Y %H:%M}",
                    line.action.value,
                    line.method.value,
                    str(line.completion_id),
                    line.employee_id or "",
                    line.person_name,
                    line.course.slug,
                    f"{line.completed_on:%d/%m/%Y}",
                    line.actor_name or "console",
                    line.reason.replace("\n", " "),
                    line.evidence or "",
                ]
            )
        )


@records_cli.command("external-map")
@click.argument("source")
@click.argument("title")
@click.argument("course_slug")
@click.option("--note", default=None)
def external_map_command(source: str, title: str, course_slug: str, note: str | None) -> None:
    """Map the outside course TITLE of platform SOURCE to a Khiên course (or point an
    existing mapping at it)."""
    mapping, added = _run(
        lambda: external.map_external(
            source, title, manual.find_course(course_slug), note=note, actor=None
        )
    )
    click.echo(
        f"{mapping.id}: {mapping.source} / {mapping.title} → {course_slug}"
        + ("" if added else " (updated)")
    )


@records_cli.command("external-import")
@click.argument("path", type=FILE)
@click.option("--dry-run", is_flag=True, help="Check the file and show what would change.")
@AS_OPTION
@ENCODING_OPTION
@SHEET_OPTION
def external_import_command(
    path: Path, dry_run: bool, as_username: str | None, encoding: str | None, sheet: str | None
) -> None:
    """Import completions earned elsewhere (employee ID, platform, outside course, completion
    date, certificate reference); one bad row and nothing is written."""
    actor = _actor(as_username)
    data, limits, today = path.read_bytes(), import_limits(current_app.config), today_vn()
    if dry_run:
        plan = _planned(
            lambda: external.plan_external_import(
                data,
                filename=path.name,
                actor=actor,
                today=today,
                limits=limits,
                encoding=encoding,
                sheet=sheet,
            )
        )
        for item in plan.new:
            click.echo(
                f"+ {item.person.employee_id}  {item.course.slug}  "
                f"{item.completed_on:%d/%m/%Y}  {item.reference}"
            )
        _end_dry_run(
            plan.problems,
            _(
                "%(new)d to record, %(already)d already recorded, %(problems)d problems; "
                "nothing was written.",
                new=len(plan.new),
                already=len(plan.already),
                problems=len(plan.problems),
            ),
        )
        return
    result = _run(
        lambda: external.import_external(
            data,
            filename=path.name,
            actor=actor,
            now=utcnow(),
            today=today,
            limits=limits,
            encoding=encoding,
            sheet=sheet,
        )
    )
    click.echo(
        _(
            "%(recorded)d recorded, %(already)d already recorded.",
            recorded=result.recorded,
            already=result.already,
        )
    )
