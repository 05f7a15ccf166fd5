"""Classroom sessions (tập huấn) and who attended them.

A unit's officer (or the ICT admin) records a session held for one of their units — course,
day, place, trainer — and then its attendees. A session either completes the course by
attendance alone (the trainer tested in the room), in which case each attendee earns an
in-person completion dated the session's day at once, or it prepares for the quiz, in which
case an attendee's quiz pass on the site becomes the in-person completion
(`courses.completions.record_completion` looks the attendance up). Recording attendance after
the attendee already passed counts the same (`mark_passes_in_person`).

Attendees are people of the session's unit (and its sub-units) whom the actor manages: an
officer lists the learners of their units — not themselves, not another manager — exactly as
for a manual record, since an attendance-only session is one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import contains_eager

from training.courses.completions import (
    NOT_REVOKED,
    add_months,
    mark_passes_in_person,
    record_completion,
)
from training.courses.models import (
    Attendance,
    ClassroomSession,
    Completion,
    CompletionAction,
    CompletionMethod,
    Course,
)
from training.errors import FieldProblem, ImportRejected, NotAllowed, Problem, refuse_if_any
from training.extensions import db
from training.org.models import Person, Role, Unit
from training.org.people import Actor, may_manage
from training.org.scope import Scope
from training.records import log
from training.records.actors import actor_id, manager_scope, one_line, text_problems
from training.records.imports import EMPLOYEE_ID, people_by_employee_id, person_problem
from training.records.paging import Page
from training.tables import TableLimits, read_table
from training.text import fold, nfc

MAX_PLACE = 200
MAX_TRAINER = 200
CHECKLIST_LIMIT = 300  # people listed at once on the attendance page; a search narrows it


@dataclass
class SessionData:
    course: Course
    unit: Unit
    held_on: date
    place: str
    trainer: str
    attendance_completes: bool = False


def create_session(
    data: SessionData, *, actor: Actor, now: datetime, today: date
) -> ClassroomSession:
    """A session is recorded once held: attendance of a future one would complete nothing."""
    if not manager_scope(actor).contains(data.unit):
        raise NotAllowed(_("You can record sessions only for your own units."))
    place, trainer = one_line(data.place), one_line(data.trainer)
    problems = [
        *text_problems(
            "place", place, limit=MAX_PLACE, missing=_("Say where the session was held.")
        ),
        *text_problems("trainer", trainer, limit=MAX_TRAINER, missing=_("Name the trainer.")),
    ]
    if data.held_on > today:
        problems.append(
            FieldProblem("held_on", _("Record a session once it has been held, not before."))
        )
    if not data.unit.is_active:
        problems.append(
            FieldProblem("unit_id", _("Unit %(code)s is retired.", code=data.unit.code))
        )
    if not data.course.active:
        problems.append(FieldProblem("course_id", _("This course is no longer offered.")))
    refuse_if_any(problems)
    session = ClassroomSession(
        course_id=data.course.id,
        unit_id=data.unit.id,
        held_on=data.held_on,
        place=place,
        trainer=trainer,
        attendance_completes=data.attendance_completes,
        created_by_id=actor_id(actor),
        created_at=now,
    )
    db.session.add(session)
    db.session.flush()
    return session


def get_session_in_scope(scope: Scope, session_id: int) -> ClassroomSession | None:
    """Another unit's session reads as missing, like a missing one."""
    return db.session.scalar(
        select(ClassroomSession)
        .join(Unit, Unit.id == ClassroomSession.unit_id)
        .where(ClassroomSession.id == session_id, scope.units())
    )


@dataclass(frozen=True)
class SessionRow:
    session: ClassroomSession
    course: Course
    unit: Unit
    attendees: int


def sessions_in_scope(scope: Scope, *, page: int, per_page: int) -> Page[SessionRow]:
    """Newest first, each with its course, unit and head-count: two queries per page."""
    total = db.session.scalar(
        select(func.count(ClassroomSession.id))
        .join(Unit, Unit.id == ClassroomSession.unit_id)
        .where(scope.units())
    )
    counts = (
        select(Attendance.session_id, func.count(Attendance.id).label("people"))
        .group_by(Attendance.session_id)
        .subquery()
    )
    rows = db.session.execute(
        select(ClassroomSession, Course, Unit, func.coalesce(counts.c.people, 0))
        .join(Course, Course.id == ClassroomSession.course_id)
        .join(Unit, Unit.id == ClassroomSession.unit_id)
        .outerjoin(counts, counts.c.session_id == ClassroomSession.id)
        .where(scope.units())
        .order_by(ClassroomSession.held_on.desc(), ClassroomSession.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return Page(
        [SessionRow(s, course, unit, int(n)) for s, course, unit, n in rows],
        page,
        per_page,
        int(total or 0),
    )


def session_unit(session: ClassroomSession) -> Unit:
    return db.session.get_one(Unit, session.unit_id)


def session_course(session: ClassroomSession) -> Course:
    return db.session.get_one(Course, session.course_id)


def _attendable(session: ClassroomSession, actor: Actor) -> Select[Person]:
    """People the actor may list as attendees, in SQL: active, in the session's unit or below,
    and — for an officer — learners other than themselves (`may_manage`)."""
    unit = session_unit(session)
    query = (
        select(Person)
        .join(Person.unit)
        .options(contains_eager(Person.unit))
        .where(Unit.path.startswith(unit.path, autoescape=True), Person.active.is_(True))
    )
    if actor is not None and actor.role != Role.ICT_ADMIN:
        query = query.where(Person.role == Role.LEARNER, Person.id != actor.id)
    return query


@dataclass(frozen=True)
class Checklist:
    people: list[Person]
    attending: set[int]
    more: bool  # the search matched more people than are listed


def checklist(session: ClassroomSession, *, actor: Actor, search: str = "") -> Checklist:
    """The attendance page's list: two queries, whatever the unit's size (at most
    `CHECKLIST_LIMIT` people; the search narrows)."""
    query = _attendable(session, actor)
    for word in fold(nfc(search)).split():
        query = query.where(Person.search_key.contains(word, autoescape=True))
    people = db.session.scalars(
        query.order_by(Unit.path, Person.search_key, Person.id).limit(CHECKLIST_LIMIT + 1)
    ).all()
    attending = set(
        db.session.scalars(
            select(Attendance.person_id).where(Attendance.session_id == session.id)
        ).all()
    )
    return Checklist(list(people[:CHECKLIST_LIMIT]), attending, len(people) > CHECKLIST_LIMIT)


def attendable_people(
    session: ClassroomSession, ids: Sequence[int], *, actor: Actor
) -> list[Person]:
    """The people named by these IDs whom the actor may list; the caller compares the count
    with the IDs sent, so a forged one is noticed, not skipped."""
    if not ids:
        return []
    return list(
        db.session.scalars(_attendable(session, actor).where(Person.id.in_(sorted(set(ids))))).all()
    )


@dataclass
class AttendanceResult:
    added: list[Person] = field(default_factory=list)
    already: list[Person] = field(default_factory=list)
    completions: int = 0  # recorded by attendance alone, or quiz passes now marked in person


def _session_summary(session: ClassroomSession) -> str:
    """The log line's reason for an attendance that completes: the session, in its own words."""
    return f"{session.held_on:%d/%m/%Y} · {session.place} · {session.trainer}"


def add_attendees(
    session: ClassroomSession, people: Sequence[Person], *, actor: Actor, now: datetime
) -> AttendanceResult:
    """Someone already listed is left as is, so adding the same list twice changes nothing."""
    unit = session_unit(session)
    course = session_course(session)
    for person in people:
        if not (Scope(root=unit).contains(person.unit) and may_manage(actor, person)):
            raise NotAllowed(
                _("%(name)s is not one of the people you can record.", name=person.full_name)
            )
    listed = set(
        db.session.scalars(
            select(Attendance.person_id).where(Attendance.session_id == session.id)
        ).all()
    )
    result = AttendanceResult()
    for person in people:
        if person.id in listed:
            result.already.append(person)
            continue
        listed.add(person.id)
        result.added.append(person)
        db.session.add(Attendance(session_id=session.id, person_id=person.id, created_at=now))
    db.session.flush()
    if session.attendance_completes:
        for person in result.added:
            completion_id = record_completion(
                person_id=person.id,
                course_id=course.id,
                course_hash=course.current_hash,
                validity_months=course.validity_months,
                completed_on=session.held_on,
                method=CompletionMethod.IN_PERSON,
                classroom_id=session.id,
                recorded_by_id=actor_id(actor),
            )
            if completion_id is None:  # already completed that day: the pass is marked below
                continue
            result.completions += 1
            log.append(
                completion_id=completion_id,
                action=CompletionAction.RECORDED,
                method=CompletionMethod.IN_PERSON,
                actor=actor,
                person_id=person.id,
                course_id=course.id,
                completed_on=session.held_on,
                reason=_session_summary(session),
                evidence=None,
                now=now,
            )
    result.completions += mark_passes_in_person(
        session, [p.id for p in result.added], validity_months=course.validity_months
    )
    return result


@dataclass(frozen=True)
class AttendeeLine:
    """An attendee and what the session earned them: the completion it covers (in person,
    or another way since the session), or None while they still have to pass the quiz."""

    person: Person
    completion: Completion | None


def attendees_of(session: ClassroomSession) -> list[AttendeeLine]:
    """One query: each attendee with their unit and the completions the session covers."""
    course = session_course(session)
    covered = and_(
        Completion.person_id == Person.id,
        Completion.course_id == session.course_id,
        NOT_REVOKED,
        Completion.completed_on >= session.held_on,
        Completion.completed_on <= add_months(session.held_on, course.validity_months),
    )
    rows = db.session.execute(
        select(Person, Completion)
        .select_from(Attendance)
        .join(Person, Person.id == Attendance.person_id)
        .join(Person.unit)
        .outerjoin(Completion, covered)
        .options(contains_eager(Person.unit))
        .where(Attendance.session_id == session.id)
        .order_by(Person.search_key, Person.id, Completion.completed_on)
    ).all()
    lines: dict[int, AttendeeLine] = {}
    for person, completion in rows:
        current = lines.get(person.id)
        if current is None or (
            completion is not None
            and completion.classroom_id == session.id
            and (current.completion is None or current.completion.classroom_id != session.id)
        ):
            lines[person.id] = AttendeeLine(person, completion)
    return list(lines.values())


@dataclass
class AttendancePlan:
    """What importing an attendance file would do: who would be added, who is listed already,
    and every problem, each with its row and column."""

    new: list[Person] = field(default_factory=list)
    already: list[Person] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def plan_attendance(
    session: ClassroomSession,
    data: bytes,
    *,
    filename: str,
    actor: Actor,
    limits: TableLimits,
    encoding: str | None = None,
    sheet: str | None = None,
) -> AttendancePlan:
    """Reads and checks the whole file and writes nothing; a problem of the file as a whole
    raises `ImportRejected`. Two queries besides the file: the people it names, and those
    already listed."""
    manager_scope(actor)
    rows = read_table(
        data,
        filename=filename,
        columns=(EMPLOYEE_ID,),
        limits=limits,
        encoding=encoding,
        sheet=sheet,
    )
    people = people_by_employee_id(row.values.get(EMPLOYEE_ID.key, "") for row in rows)
    listed = set(
        db.session.scalars(
            select(Attendance.person_id).where(Attendance.session_id == session.id)
        ).all()
    )
    unit = session_unit(session)
    plan = AttendancePlan()
    first_line: dict[str, int] = {}
    for row in rows:
        employee_id = row.values.get(EMPLOYEE_ID.key, "")
        column = row.label(EMPLOYEE_ID.key)
        problem: str | None
        if not employee_id:
            problem = _("The employee ID is missing.")
        elif employee_id in first_line:
            problem = _("Row %(line)d names the same person.", line=first_line[employee_id])
        else:
            first_line[employee_id] = row.line
            person = people.get(employee_id)
            problem = person_problem(person, employee_id, actor=actor, within=unit)
            if problem is None and person is not None:
                if not person.active:
                    problem = _("%(name)s's account is deactivated.", name=person.full_name)
                else:
                    (plan.already if person.id in listed else plan.new).append(person)
        if problem is not None:
            plan.problems.append(Problem(row.line, problem, column))
    return plan


def import_attendance(
    session: ClassroomSession,
    data: bytes,
    *,
    filename: str,
    actor: Actor,
    now: datetime,
    limits: TableLimits,
    encoding: str | None = None,
    sheet: str | None = None,
) -> AttendanceResult:
    """All or nothing: one problem anywhere in the file and nothing is written."""
    plan = plan_attendance(
        session, data, filename=filename, actor=actor, limits=limits, encoding=encoding, sheet=sheet
    )
    if plan.problems:
        raise ImportRejected(plan.problems)
    return add_attendees(session, [*plan.new, *plan.already], actor=actor, now=now)
