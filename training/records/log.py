"""The completion log: every completion recorded or revoked by a person's hand (a manual record,
an attendance that completes the course, an import from another platform), kept for good.

Rows are only ever added (the database refuses an UPDATE); the ICT admin reads them on a page
and exports them as CSV for an inspection or an audit. A log line carries what it needs to read
on its own — person, course, day, reason, evidence, who and when — so it stays true whatever
becomes of the completion afterwards.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, and_, func, select, true
from sqlalchemy.orm import aliased

from training.clock import VN_TZ
from training.courses.completions import method_label
from training.courses.models import (
    CompletionAction,
    CompletionLog,
    CompletionMethod,
    Course,
)
from training.extensions import db
from training.org.models import Person, Unit
from training.org.people import Actor
from training.records.actors import actor_id, require_admin
from training.records.paging import Page

# Text cells that a spreadsheet would run as a formula: `=HYPERLINK(…)` typed into a reason must
# reach the auditor as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def append(
    *,
    completion_id: int,
    action: CompletionAction,
    method: CompletionMethod,
    actor: Actor,
    person_id: int,
    course_id: int,
    completed_on: date,
    reason: str,
    evidence: str | None,
    now: datetime,
) -> CompletionLog:
    line = CompletionLog(
        completion_id=completion_id,
        action=action,
        method=method,
        actor_id=actor_id(actor),
        person_id=person_id,
        course_id=course_id,
        completed_on=completed_on,
        reason=reason,
        evidence=evidence,
        at=now,
    )
    db.session.add(line)
    return line


def action_label(action: CompletionAction) -> str:
    if action == CompletionAction.REVOKED:
        return _("Revoked")
    return _("Recorded")


@dataclass
class LogFilter:
    """The person's unit (as it is today, with its sub-units), the day the line was written
    (Vietnamese calendar, both ends included) and the completion's method."""

    unit: Unit | None = None
    since: date | None = None
    until: date | None = None
    method: CompletionMethod | None = None


@dataclass(frozen=True)
class LogLine:
    id: int
    at: datetime
    action: CompletionAction
    method: CompletionMethod
    completion_id: int
    person_id: int
    person_name: str
    employee_id: str | None
    unit_name: str
    course: Course
    completed_on: date
    reason: str
    evidence: str | None
    actor_name: str | None  # None: the server's console


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=VN_TZ)


def _conditions(filters: LogFilter) -> ColumnElement[bool]:
    condition: ColumnElement[bool] = true()
    if filters.unit is not None:
        condition = and_(condition, Unit.path.startswith(filters.unit.path, autoescape=True))
    if filters.since is not None:
        condition = and_(condition, CompletionLog.at >= _start_of(filters.since))
    if filters.until is not None:
        condition = and_(condition, CompletionLog.at < _start_of(filters.until + timedelta(1)))
    if filters.method is not None:
        condition = and_(condition, CompletionLog.method == filters.method)
    return condition


def _lines_query(filters: LogFilter) -> Select[CompletionLog, Person, Unit, Course, str]:
    actor = aliased(Person, name="actor")
    return (
        select(CompletionLog, Person, Unit, Course, actor.full_name)
        .join(Person, Person.id == CompletionLog.person_id)
        .join(Unit, Unit.id == Person.unit_id)
        .join(Course, Course.id == CompletionLog.course_id)
        .outerjoin(actor, actor.id == CompletionLog.actor_id)
        .where(_conditions(filters))
        .order_by(CompletionLog.at.desc(), CompletionLog.id.desc())
    )


def _line(
    entry: CompletionLog, person: Person, unit: Unit, course: Course, actor_name: str | None
) -> LogLine:
    return LogLine(
        entry.id,
        entry.at,
        entry.action,
        entry.method,
        entry.completion_id,
        person.id,
        person.full_name,
        person.employee_id,
        unit.name,
        course,
        entry.completed_on,
        entry.reason,
        entry.evidence,
        actor_name,
    )


def read_log(filters: LogFilter, *, actor: Actor, page: int, per_page: int) -> Page[LogLine]:
    """Two queries: the count and the page, each line with its person, unit, course and
    author."""
    require_admin(actor)
    total = db.session.scalar(
        select(func.count(CompletionLog.id))
        .join(Person, Person.id == CompletionLog.person_id)
        .join(Unit, Unit.id == Person.unit_id)
        .where(_conditions(filters))
    )
    rows = db.session.execute(
        _lines_query(filters).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return Page([_line(*row) for row in rows], page, per_page, int(total or 0))


def log_lines(filters: LogFilter, *, actor: Actor) -> list[LogLine]:
    require_admin(actor)
    return [_line(*row) for row in db.session.execute(_lines_query(filters)).all()]


def csv_headers() -> list[str]:
    return [
        _("Written at"),
        _("Action"),
        _("Method"),
        _("Completion ID"),
        _("Full name"),
        _("Employee ID"),
        _("Unit"),
        _("Course"),
        _("Completed on"),
        _("Reason"),
        _("Evidence"),
        _("By"),
    ]


def _cell(value: str | None) -> str:
    text = value or ""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def log_csv(lines: Sequence[LogLine], *, lang: str) -> bytes:
    """UTF-8 with a byte-order mark, so Excel on a Vietnamese Windows opens it with its
    diacritics; dates dd/mm/yyyy and times in Vietnam, as the pages show them."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(csv_headers())
    for line in lines:
        writer.writerow(
            [
                line.at.astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M"),
                action_label(line.action),
                method_label(line.method),
                str(line.completion_id),
                _cell(line.person_name),
                _cell(line.employee_id),
                _cell(line.unit_name),
                _cell(line.course.title(lang)),
                line.completed_on.strftime("%d/%m/%Y"),
                _cell(line.reason),
                _cell(line.evidence),
                _cell(line.actor_name) or _("Console"),
            ]
        )
    return out.getvalue().encode("utf-8-sig")
