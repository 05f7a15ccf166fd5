"""`flask --app app report …`: coverage exports, targets, headcounts and frozen snapshots from
the console, where the ICT department scripts its monthly figures. The console sees the whole
province; `--for USERNAME` gives exactly what that person would get on the web."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import click
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from training.cli_support import DateParam
from training.clock import today_vn, utcnow
from training.courses.models import Course
from training.errors import KhienError
from training.extensions import db
from training.org.models import Person
from training.org.scope import NoScope
from training.org.units import require_unit
from training.reports import snapshots as snapshot_service
from training.reports.access import OutOfScope, filters_for
from training.reports.annual_cli import annual_command
from training.reports.bench_cli import bench_data_command
from training.reports.columns import Table
from training.reports.coverage import (
    Filters,
    by_course,
    by_unit,
    people_rows,
)
from training.reports.exports import (
    csv_bytes,
    csv_chunks,
    json_bytes,
    json_chunks,
    people_workbook,
    summary_workbook,
)
from training.reports.job_cli import purge_command
from training.reports.models import Snapshot, TargetGroup
from training.reports.targets import (
    parse_percent,
    set_headcount,
    set_target,
    targets_in_force,
    withdraw_target,
)

FORMATS = ("csv", "xlsx", "json")


@click.group("report")
def report_group() -> None:
    """Training coverage: exports, targets, headcounts, frozen snapshots."""


def _filters(
    as_of: date | None,
    unit_code: str | None,
    course_slug: str | None,
    priority_only: bool,
    reader_name: str | None,
) -> Filters:
    day = as_of or today_vn()
    try:
        unit_id = require_unit(unit_code).id if unit_code else None
        course_id = _course_id(course_slug) if course_slug else None
        reader = None
        if reader_name is not None:
            reader = db.session.scalar(select(Person).where(Person.username == reader_name))
            if reader is None:
                raise click.ClickException(
                    _("No person has the username %(name)s.", name=reader_name)
                )
        return filters_for(
            reader, as_of=day, unit_id=unit_id, course_id=course_id, priority_only=priority_only
        )
    except KhienError as err:
        raise click.ClickException(err.message) from err
    except (OutOfScope, NoScope) as err:
        raise click.ClickException(
            _("That unit is outside what this person may see, or did not exist on that day.")
        ) from err


def _course_id(slug: str) -> int:
    course_id = db.session.scalar(select(Course.id).where(Course.slug == slug))
    if course_id is None:
        raise click.ClickException(_("No course has the name %(slug)s.", slug=slug))
    return course_id


@report_group.command("coverage")
@click.option("--by", "table", type=click.Choice([t.value for t in Table]), default="unit")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--unit", "unit_code", help="Report this unit and its sub-units only.")
@click.option("--as-of", "as_of", type=DateParam(), help="dd/mm/yyyy; default today.")
@click.option("--course", "course_slug", help="One course only.")
@click.option("--priority-only", is_flag=True, help="Priority staff only.")
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", help="Workbook headers.")
@click.option("--for", "reader_name", help="Exactly what this officer may see.")
def coverage_command(
    table: str,
    fmt: str,
    out: Path,
    unit_code: str | None,
    as_of: date | None,
    course_slug: str | None,
    priority_only: bool,
    lang: str,
    reader_name: str | None,
) -> None:
    """Write the coverage by unit, by course or person by person (columns in the README)."""
    filters = _filters(as_of, unit_code, course_slug, priority_only, reader_name)
    kind = Table(table)
    with force_locale(lang):
        if kind == Table.PEOPLE:
            _write_people(filters, fmt, out, lang)
        else:
            _write_summary(filters, kind, fmt, out, lang)
    click.echo(_("Written: %(path)s", path=str(out)))


def _write_summary(filters: Filters, kind: Table, fmt: str, out: Path, lang: str) -> None:
    report = by_unit(filters)
    courses = by_course(filters, lang=lang)
    if fmt == "xlsx":
        buffer = io.BytesIO()
        summary_workbook(
            buffer,
            report.overview,
            {Table.UNIT: report.table, Table.COURSE: courses},
            lang=lang,
            target_pct=targets_in_force().everyone_pct,
        )
        out.write_bytes(buffer.getvalue())
        return
    frame = report.table if kind == Table.UNIT else courses
    out.write_bytes(csv_bytes(frame, kind) if fmt == "csv" else json_bytes(frame, kind))


def _write_people(filters: Filters, fmt: str, out: Path, lang: str) -> None:
    rows = people_rows(filters)
    with out.open("wb") as file:
        if fmt == "xlsx":
            people_workbook(file, rows, by_unit(filters).overview, lang=lang)
            return
        chunks = csv_chunks(rows, Table.PEOPLE) if fmt == "csv" else json_chunks(rows, Table.PEOPLE)
        for chunk in chunks:
            file.write(chunk)


@report_group.command("target")
@click.option("--group", type=click.Choice([g.value for g in TargetGroup]), required=True)
@click.option("--percent", help="e.g. 90 or 92,5")
@click.option("--by", "due_on", type=DateParam(), help="dd/mm/yyyy: the date to reach it by.")
@click.option("--withdraw", is_flag=True, help="Withdraw the group's target.")
def target_command(group: str, percent: str | None, due_on: date | None, withdraw: bool) -> None:
    """Set (or withdraw) the coverage target of everyone or of priority staff."""
    try:
        if withdraw:
            withdraw_target(TargetGroup(group), actor=None, now=utcnow())
        else:
            if percent is None or due_on is None:
                raise click.UsageError(_("Give --percent and --by, or --withdraw."))
            set_target(TargetGroup(group), parse_percent(percent), due_on, actor=None, now=utcnow())
    except KhienError as err:
        db.session.rollback()
        raise click.ClickException(err.message) from err
    db.session.commit()
    targets = targets_in_force()
    for name, target in (("everyone", targets.everyone), ("priority", targets.priority)):
        shown = f"{target.percent}% by {target.due_on:%d/%m/%Y}" if target else "-"
        click.echo(f"{name}: {shown}")


@report_group.command("headcount")
@click.argument("unit_code")
@click.argument("headcount")
def headcount_command(unit_code: str, headcount: str) -> None:
    """Record a unit's official headcount (biên chế); `none` forgets it."""
    try:
        unit = require_unit(unit_code)
        value = None if headcount.lower() == "none" else int(headcount)
        set_headcount(unit, value)
    except ValueError as err:
        raise click.ClickException(
            _("The official headcount is a whole number of people.")
        ) from err
    except KhienError as err:
        db.session.rollback()
        raise click.ClickException(err.message) from err
    db.session.commit()
    click.echo(
        f"{unit.code}: {unit.official_headcount if unit.official_headcount is not None else '-'}"
    )


@report_group.command("freeze")
@click.option("--as-of", "as_of", type=DateParam(), required=True, help="dd/mm/yyyy")
@click.option("--title", required=True, help="What the snapshot is for.")
def freeze_command(as_of: date, title: str) -> None:
    """Freeze the province's coverage of a day for good; prints its checksum."""
    try:
        snapshot = snapshot_service.freeze(as_of, title=title, actor=None, now=utcnow())
    except KhienError as err:
        db.session.rollback()
        raise click.ClickException(err.message) from err
    db.session.commit()
    click.echo(f"{snapshot.id}\t{snapshot.as_of:%d/%m/%Y}\tSHA-256 {snapshot.checksum}")


@report_group.command("snapshots")
def snapshots_command() -> None:
    """List the frozen snapshots with their checksums."""
    for snapshot in snapshot_service.snapshots():
        day = f"{snapshot.as_of:%d/%m/%Y}"
        click.echo(f"{snapshot.id}\t{day}\t{snapshot.title}\tSHA-256 {snapshot.checksum}")


@report_group.command("snapshot")
@click.argument("snapshot_id", type=int)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="xlsx")
@click.option("--by", "table", type=click.Choice([Table.UNIT.value, Table.COURSE.value]))
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi")
def snapshot_command(snapshot_id: int, fmt: str, table: str | None, out: Path, lang: str) -> None:
    """Write a frozen snapshot: the workbook, or one table in CSV or JSON (--by)."""
    snapshot = db.session.get(Snapshot, snapshot_id)
    if snapshot is None:
        raise click.ClickException(_("No snapshot %(id)d.", id=snapshot_id))
    if fmt != "xlsx" and table is None:
        raise click.UsageError(_("CSV and JSON hold one table: add --by unit or --by course."))
    if not snapshot_service.verify(snapshot):
        raise click.ClickException(_("The stored figures no longer match their checksum."))
    with force_locale(lang):
        data = snapshot_service.render(snapshot, Table(table) if table else None, fmt, lang=lang)
    out.write_bytes(data)
    click.echo(f"{out}\tSHA-256 {snapshot.checksum}")


report_group.add_command(purge_command)
report_group.add_command(annual_command)

commands = [report_group, bench_data_command]
