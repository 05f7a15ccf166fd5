"""Completions: recording one, and what is valid on a date.

A completion is the course's record that a person is trained, whatever earned it; the
certificate, assignments ("is it done?") and reports ("completed and valid on D?") read it here,
so none of them needs the quiz engine or the records domain. A completion is earned by passing
the quiz (the attempt is the evidence), in a classroom session, by an officer's manual record or
on another platform; `method` says which, and every question below counts them alike. A revoked
completion is kept, so its certificate code can answer "revoked", and nothing here counts it.
"""

from __future__ import annotations

import calendar
import secrets
from collections.abc import Callable, Iterable
from datetime import date
from functools import cache
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Insert, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from training.courses.models import Attendance, ClassroomSession, Completion, CompletionMethod
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


# A completion counts unless it was revoked: every question below, and any other domain that
# reads `Completion` rows, adds this condition.
NOT_REVOKED: ColumnElement[bool] = Completion.revoked_at.is_(None)

METHOD_LABELS = {
    CompletionMethod.QUIZ: _l("Quiz on Khiên"),
    CompletionMethod.IN_PERSON: _l("In person"),
    CompletionMethod.MANUAL: _l("Recorded manually"),
    CompletionMethod.EXTERNAL: _l("Earned elsewhere"),
}


def method_label(method: CompletionMethod | str, source: str | None = None) -> str:
    """How a completion was earned, in words; an outside one names its platform."""
    if CompletionMethod(method) == CompletionMethod.EXTERNAL and source:
        return _("Earned elsewhere: %(source)s", source=source)
    return str(METHOD_LABELS[CompletionMethod(method)])


@cache
def _insert_unless_done_that_day(dialect: str) -> Insert:
    """Built once per database kind: on a quiz submit, building the statement cost more than
    running it."""
    table = Completion.__table__
    return (
        _INSERT_UNLESS[dialect](table)
        .on_conflict_do_nothing(
            index_elements=[table.c.person_id, table.c.course_id, table.c.completed_on],
            index_where=table.c.revoked_at.is_(None),
        )
        .returning(table.c.id)
    )


# The latest classroom session of the course the person attended, held on or before `on` and
# no earlier than `since`. One statement, built once; `ix_attendances_person_id` finds the
# person's few attendances.
_ATTENDED_SESSION = (
    select(ClassroomSession.id)
    .join(Attendance, Attendance.session_id == ClassroomSession.id)
    .where(
        Attendance.person_id == bindparam("person_id"),
        ClassroomSession.course_id == bindparam("course_id"),
        ClassroomSession.held_on <= bindparam("on"),
        ClassroomSession.held_on >= bindparam("since"),
    )
    .order_by(ClassroomSession.held_on.desc(), ClassroomSession.id.desc())
    .limit(1)
)


def attended_session(
    person_id: int, course_id: int, *, on: date, validity_months: int
) -> int | None:
    """The session that taught what a quiz passed on `on` checked: one of the course, attended,
    held that day or before, and recently enough that a completion earned there would still
    be in force."""
    session_id: int | None = db.session.scalar(
        _ATTENDED_SESSION,
        {
            "person_id": person_id,
            "course_id": course_id,
            "on": on,
            "since": add_months(on, -validity_months),
        },
    )
    return session_id


def record_completion(
    *,
    person_id: int,
    course_id: int,
    course_hash: str,
    validity_months: int,
    completed_on: date,
    method: CompletionMethod = CompletionMethod.QUIZ,
    attempt_id: int | None = None,
    classroom_id: int | None = None,
    external_course_id: int | None = None,
    recorded_by_id: int | None = None,
    reason: str | None = None,
    evidence: str | None = None,
) -> int | None:
    """The new completion's id, or None when the person already holds one of the course that
    day: a second pass the same day earns no second certificate, an import repeated writes
    nothing.

    The database decides, not a read before the write: the insert skips a row that would
    break `uq_completions_person_course_day` (revoked completions left aside), so a completion
    recorded the same day by another request never fails this one. Any other unique
    constraint (the attempt's own, the code's) still fails the caller's transaction. The
    course version and validity are the caller's: a quiz pass keeps those of the day the
    attempt started. Written at once; the caller flushes what the completion refers to first.

    A quiz pass by someone who attended a session of the course (`attended_session`) is
    recorded in person, with that session: the classroom taught, the quiz checked it. Every
    call passes the same columns, so the statement compiles once."""
    if method == CompletionMethod.QUIZ and classroom_id is None:
        classroom_id = attended_session(
            person_id, course_id, on=completed_on, validity_months=validity_months
        )
        if classroom_id is not None:
            method = CompletionMethod.IN_PERSON
    statement = _insert_unless_done_that_day(db.session.get_bind().dialect.name)
    completion_id: int | None = db.session.execute(
        statement,
        {
            "person_id": person_id,
            "course_id": course_id,
            "course_hash": course_hash,
            "attempt_id": attempt_id,
            "method": method,
            "classroom_id": classroom_id,
            "external_course_id": external_course_id,
            "recorded_by_id": recorded_by_id,
            "reason": reason,
            "evidence": evidence,
            "completed_on": completed_on,
            "valid_until": add_months(completed_on, validity_months),
            "code": new_code(),
        },
    ).scalar_one_or_none()
    return completion_id


def mark_passes_in_person(
    session: ClassroomSession, person_ids: Iterable[int], *, validity_months: int
) -> int:
    """Quiz passes of these attendees that the session covers (held on or before the pass, no
    longer ago than the validity) become in-person completions of it: recording attendance
    after the learner already passed gives the same result as recording it before. One
    statement; how many completions it marked."""
    ids = sorted(set(person_ids))
    if not ids:
        return 0
    result = db.session.execute(
        update(Completion)
        .where(
            Completion.person_id.in_(ids),
            Completion.course_id == session.course_id,
            Completion.method == CompletionMethod.QUIZ,
            NOT_REVOKED,
            Completion.completed_on >= session.held_on,
            Completion.completed_on <= add_months(session.held_on, validity_months),
        )
        .values(method=CompletionMethod.IN_PERSON, classroom_id=session.id)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# In force on a day: earned by then and not yet expired. A renewal earned later does not count
# for an earlier date. The statements are built once: the learner's home and course pages ask
# them on every view, and building one costs about as much as running it.
_IN_FORCE = (
    (Completion.person_id == bindparam("person_id"))
    & (Completion.completed_on <= bindparam("on"))
    & (Completion.valid_until >= bindparam("on"))
    & NOT_REVOKED
)
_VALID_COMPLETION = (
    select(Completion)
    .where(_IN_FORCE, Completion.course_id == bindparam("course_id"))
    .order_by(Completion.completed_on.desc())
    .limit(1)
)
# The id of that completion, for a page that reads it in a statement of its own, next to other
# things (bind `person_id`, `course_id` and `on`; join `completions` aliased to it).
VALID_COMPLETION_ID = (
    select(Completion.id)
    .where(_IN_FORCE, Completion.course_id == bindparam("course_id"))
    .order_by(Completion.completed_on.desc())
    .limit(1)
    .scalar_subquery()
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
    """The latest completion in force on that day, however it was earned; never a revoked one."""
    return db.session.scalar(
        _VALID_COMPLETION, {"person_id": person_id, "course_id": course_id, "on": on}
    )


def valid_until_by_course(person_id: int, *, on: date) -> dict[int, date]:
    """Until when each course the person holds a completion in force for on that day stays
    valid; one query for every course."""
    rows = db.session.execute(_VALID_UNTIL, {"person_id": person_id, "on": on})
    return {course_id: valid_until for course_id, valid_until in rows}
