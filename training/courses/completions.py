"""Completions: recording one, and what is valid on a date.

A completion is the course's record that a person is trained, whatever earned it; the
certificate, assignments ("is it done?") and reports ("completed and valid on D?") read it here,
so none of them needs the quiz engine. Today a passed quiz attempt is the only way in, and the
attempt is kept as the evidence (`attempt_id`).
"""

from __future__ import annotations

import calendar
import secrets
from collections.abc import Callable
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import Insert, bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite

from training.courses.models import Completion
from training.extensions import db

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: codes are read aloud

# Both databases can skip a row that breaks a named unique constraint; SQLAlchemy spells it
# per dialect.
_INSERT_UNLESS: dict[str, Callable[..., Any]] = {
    "sqlite": sqlite.insert,
    "postgresql": postgresql.insert,
}


def add_months(day: date, months: int) -> date:
    """Calendar months; the 31st becomes the last day of a shorter month."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def new_code() -> str:
    """12 characters from 32 (60 bits): unguessable, and easy to read out and type."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


@cache
def _insert_unless_done_that_day(dialect: str) -> Insert:
    """Built once per database kind: on a quiz submit, building the statement cost more than
    running it."""
    table = Completion.__table__
    return (
        _INSERT_UNLESS[dialect](table)
        .on_conflict_do_nothing(
            index_elements=[table.c.person_id, table.c.course_id, table.c.completed_on]
        )
        .returning(table.c.id)
    )


def record_completion(
    *,
    person_id: int,
    course_id: int,
    course_hash: str,
    validity_months: int,
    completed_on: date,
    attempt_id: int,
) -> int | None:
    """The new completion's id, or None when the person already completed the course that
    day: a second pass the same day earns no second certificate.

    The database decides, not a read before the write: the insert skips a row that would
    break `uq_completions_person_course_day`, so a completion recorded the same day by
    another request never fails this one. Any other unique constraint (the attempt's own, the
    code's) still fails the caller's transaction. The course version and validity are the
    caller's: a quiz pass keeps those of the day the attempt started. Written at once; the
    caller flushes what the completion refers to first."""
    statement = _insert_unless_done_that_day(db.session.get_bind().dialect.name)
    completion_id: int | None = db.session.execute(
        statement,
        {
            "person_id": person_id,
            "course_id": course_id,
            "course_hash": course_hash,
            "attempt_id": attempt_id,
            "completed_on": completed_on,
            "valid_until": add_months(completed_on, validity_months),
            "code": new_code(),
        },
    ).scalar_one_or_none()
    return completion_id


# In force on a day: earned by then and not yet expired. A renewal earned later does not count
# for an earlier date. The statements are built once: the learner's home and course pages ask
# them on every view, and building one costs about as much as running it.
_IN_FORCE = (
    (Completion.person_id == bindparam("person_id"))
    & (Completion.completed_on <= bindparam("on"))
    & (Completion.valid_until >= bindparam("on"))
)
_VALID_COMPLETION = (
    select(Completion)
    .where(_IN_FORCE, Completion.course_id == bindparam("course_id"))
    .order_by(Completion.completed_on.desc())
    .limit(1)
)
# Per course, until when the person's completions in force on `on` last. A subquery, so a list of
# courses can join it and come with it in one statement (bind `person_id` and `on`).
IN_FORCE_UNTIL = (
    select(Completion.course_id, func.max(Completion.valid_until).label("valid_until"))
    .where(_IN_FORCE)
    .group_by(Completion.course_id)
    .subquery("in_force_until")
)
_VALID_UNTIL = select(IN_FORCE_UNTIL.c.course_id, IN_FORCE_UNTIL.c.valid_until)


def valid_completion(person_id: int, course_id: int, *, on: date) -> Completion | None:
    """The latest completion in force on that day."""
    return db.session.scalar(
        _VALID_COMPLETION, {"person_id": person_id, "course_id": course_id, "on": on}
    )


def valid_until_by_course(person_id: int, *, on: date) -> dict[int, date]:
    """Until when each course the person holds a completion in force for on that day stays
    valid; one query for every course."""
    rows = db.session.execute(_VALID_UNTIL, {"person_id": person_id, "on": on})
    return {course_id: valid_until for course_id, valid_until in rows}
