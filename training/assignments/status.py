"""Where each person stands with each course required of them, on any day.

One statement answers for any set of people: the requirements holding that day (one pair per
person and course, with the earliest deadline), joined to the person's completions and to any
sign of a start (a lesson read, a quiz attempt), with the status worked out by a CASE in SQL. So
the officer's grid, the learner's home, the reminders and the reports share one definition and
cost the same few queries for five people or sixty thousand.

A completion counts from its day until its `valid_until` (the course's validity, a year by
default); after that the person must take the course again: the pair is *expired* until they
do. A revoked completion never counts.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Any, NamedTuple

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    ColumnElement,
    Date,
    Select,
    bindparam,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)

from training.assignments.models import Requirement
from training.clock import VN_TZ
from training.courses.models import Completion, LessonRead
from training.extensions import db
from training.org.models import Person
from training.planner import planned
from training.quizzes.models import Attempt

EXPIRING_WITHIN_DAYS = 30


class Status(enum.StrEnum):
    OVERDUE = "overdue"
    EXPIRED = "expired"
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    EXPIRING = "expiring"
    COMPLETED = "completed"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])

    @property
    def needs_action(self) -> bool:
        return self not in (Status.COMPLETED, Status.EXPIRING)


STATUS_LABELS = {
    Status.OVERDUE: _l("Overdue"),
    Status.EXPIRED: _l("Expired: take it again"),
    Status.NOT_STARTED: _l("Not started"),
    Status.IN_PROGRESS: _l("In progress"),
    Status.EXPIRING: _l("Expiring soon"),
    Status.COMPLETED: _l("Completed"),
}


_STATUS = {status.value: status for status in Status}


def _end_of(day: date) -> datetime:
    """The first instant after `day` on the Vietnamese calendar: a lesson read at 23:30 in Hà
    Nội belongs to that day, though it is the next day's 16:30 in UTC."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=VN_TZ)


def pairs_on(
    day: date | ColumnElement[date], people: Select[int] | None = None
) -> Select[int, int, date]:
    """The (person, course) pairs required on `day`, with the earliest deadline among the
    assignments that require it. `people`: a SELECT of person ids to restrict to."""
    holding = [
        Requirement.starts_on <= day,
        or_(Requirement.ended_on.is_(None), Requirement.ended_on > day),
    ]
    if people is not None:
        holding.append(Requirement.person_id.in_(people))
    return (
        select(
            Requirement.person_id,
            Requirement.course_id,
            func.min(Requirement.due_on).label("due_on"),
        )
        .where(*holding)
        .group_by(Requirement.person_id, Requirement.course_id)
    )


def status_statement(
    day: date, people: Select[int] | None = None
) -> Select[int, int, date, date | None, date | None, str]:
    """person_id, course_id, due_on, valid_until (of the completion in force, if any),
    last_until (of the latest completion earned by then, in force or not) and status, one row
    per required pair."""
    return _status_select(day, day + timedelta(days=EXPIRING_WITHIN_DAYS), _end_of(day), people)


def _status_select(
    day: date | ColumnElement[date],
    soon: date | ColumnElement[date],
    before: datetime | ColumnElement[datetime],
    people: Select[int] | None,
) -> Select[int, int, date, date | None, date | None, str]:
    """The statement, with its days as values or as bound parameters (`_one_person`).

    Every fact about a pair — required (with its deadline), completed (until when), started —
    is one row of a UNION ALL, grouped once by (person, course); groups without a requirement
    drop out. One pass over each table, and no lookup per pair: per-pair subqueries were copied
    into each branch of the CASE by both databases' planners and ran up to six times a pair
    (bench/assignments.py measured 3× to 17× a plain GROUP BY; this form stays under 3×)."""
    holding = [
        Requirement.starts_on <= day,
        or_(Requirement.ended_on.is_(None), Requirement.ended_on > day),
    ]
    earned = [Completion.completed_on <= day, Completion.revoked_at.is_(None)]
    reads = [LessonRead.read_at < before]
    tries = [Attempt.started_on <= day]
    if people is not None:
        holding.append(Requirement.person_id.in_(people))
        earned.append(Completion.person_id.in_(people))
        reads.append(LessonRead.person_id.in_(people))
        tries.append(Attempt.person_id.in_(people))
    no_date = cast(null(), Date)
    facts = union_all(
        select(
            Requirement.person_id,
            Requirement.course_id,
            Requirement.due_on.label("due_on"),
            no_date.label("valid_until"),
            literal(0).label("started"),
            literal(1).label("required"),
        ).where(*holding),
        select(
            Completion.person_id,
            Completion.course_id,
            no_date,
            Completion.valid_until,
            literal(0),
            literal(0),
        ).where(*earned),
        select(
            LessonRead.person_id, LessonRead.course_id, no_date, no_date, literal(1), literal(0)
        ).where(*reads),
        select(
            Attempt.person_id, Attempt.course_id, no_date, no_date, literal(1), literal(0)
        ).where(*tries),
    ).subquery("facts")
    fact = facts.c
    pairs = (
        select(
            fact.person_id,
            fact.course_id,
            func.min(fact.due_on).label("due_on"),
            func.max(case((fact.valid_until >= day, fact.valid_until))).label("valid_until"),
            func.max(fact.valid_until).label("last_until"),
            func.max(fact.started).label("started"),
        )
        # Course first: sorted that way, the pairs reach a per-course count already in order.
        .group_by(fact.course_id, fact.person_id)
        .having(func.max(fact.required) == 1)
        .subquery("pairs")
    )
    pair = pairs.c
    status = case(
        (pair.valid_until.is_not(None) & (pair.valid_until <= soon), Status.EXPIRING.value),
        (pair.valid_until.is_not(None), Status.COMPLETED.value),
        (pair.last_until.is_not(None), Status.EXPIRED.value),
        (pair.due_on < day, Status.OVERDUE.value),
        (pair.started == 1, Status.IN_PROGRESS.value),
        else_=Status.NOT_STARTED.value,
    )
    return select(
        pair.person_id,
        pair.course_id,
        pair.due_on,
        pair.valid_until,
        pair.last_until,
        status.label("status"),
    )


class PairStatus(NamedTuple):
    """A tuple, not a dataclass: a report builds hundreds of thousands of them."""

    person_id: int
    course_id: int
    due_on: date
    valid_until: date | None
    last_until: date | None
    status: Status
    day: date

    @property
    def days_left(self) -> int:
        """Days until the deadline (negative when overdue), or until the completion expires."""
        end = self.valid_until if self.valid_until is not None else self.due_on
        return (end - self.day).days


def statuses(day: date, people: Select[int] | None = None) -> list[PairStatus]:
    """Every required pair of these people on `day`; one query."""
    return [
        PairStatus(person_id, course_id, due_on, valid_until, last_until, _STATUS[status], day)
        for person_id, course_id, due_on, valid_until, last_until, status in db.session.execute(
            status_statement(day, people)
        )
    ]


def status_of(value: str) -> Status:
    return _STATUS[value]


@cache
def one_person_statement() -> Select[int, int, date, date | None, date | None, str]:
    """Built once per process: the learner's home and "My courses" ask it on every view, and
    building the statement (about 5 ms) cost more than running it for one person. Its bound
    parameters are `one_person_params`."""
    return _status_select(
        bindparam("day"),
        bindparam("soon"),
        bindparam("before"),
        select(Person.id).where(Person.id == bindparam("person_id")),
    )


def one_person_params(person_id: int, day: date) -> dict[str, Any]:
    return {
        "person_id": person_id,
        "day": day,
        "soon": day + timedelta(days=EXPIRING_WITHIN_DAYS),
        "before": _end_of(day),
    }


def statuses_by_person(day: date, person_ids: Iterable[int]) -> dict[int, dict[int, PairStatus]]:
    """person → course → status, for a page of people; one query."""
    ids = sorted(set(person_ids))
    found: dict[int, dict[int, PairStatus]] = {i: {} for i in ids}
    if not ids:
        return found
    for pair in statuses(day, select(Person.id).where(Person.id.in_(ids))):
        found[pair.person_id][pair.course_id] = pair
    return found


def status_counts(
    day: date, people: Select[int] | None = None, *, by_course: bool = False
) -> dict[tuple[int | None, Status], int]:
    """How many pairs stand in each status on `day` (per course when asked); one statement.

    A count per status in one row per course (not a GROUP BY on the status too): PostgreSQL
    underestimates the pairs, and grouping them again on two keys made it sort them all."""
    rows = status_statement(day, people).subquery("rows")
    columns = [
        func.coalesce(func.sum(case((rows.c.status == status.value, 1), else_=0)), 0)
        for status in Status
    ]
    statement = select(rows.c.course_id, *columns) if by_course else select(literal(None), *columns)
    if by_course:
        statement = statement.group_by(rows.c.course_id)
    counts: dict[tuple[int | None, Status], int] = {}
    with planned(hash_agg=False):  # pairs sorted in memory, then counted as they come
        found = db.session.execute(statement).all()
    for course_id, *numbers in found:
        for status, n in zip(Status, numbers, strict=True):
            if n:
                counts[course_id, status] = int(n)
    return counts
