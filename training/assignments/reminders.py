"""Reminders: the daily e-mail to learners whose required courses are due soon, overdue or
expired, and the daily digest of overdue people each unit officer receives (issue 10, points
12 and 13).

"Never the same reminder for the same pair twice a day" is the database's rule, not a read
before a write: each reminder is a `Reminder` row, unique per person, course and day, written
with INSERT … ON CONFLICT DO NOTHING … RETURNING, and a message is queued only for the rows
that statement actually wrote. Two jobs started at once, or the daily job and an officer's
"send a reminder now", therefore send each reminder once. Messages go through `training.mail`:
they leave after the caller's commit, and a rollback sends nothing, so a reminder is never
mailed for a row that was not saved.

The work is set-based: the status of every pair comes from one `statuses` query, and the
people, officers and courses from a fixed number of queries whatever the size of the province.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from training.assignments.models import OfficerDigest, Reminder, Requirement
from training.assignments.reminder_mail import queue_digest, queue_reminder
from training.assignments.status import PairStatus, Status, statuses
from training.courses.models import Course
from training.errors import NotAllowed, RuleViolation
from training.extensions import Model, db
from training.org.models import Person, Role, Unit
from training.org.priority import key_subtree_ids
from training.org.scope import scope_of

# A learner hears about a course from a week before its deadline: early enough to fit it into
# a working week, late enough that a 90-day assignment does not nag for three months.
REMINDER_WINDOW_DAYS = 7

# Both databases skip a row that would break a unique constraint; SQLAlchemy spells it per
# dialect (as `courses/completions.py` does for completions).
_INSERT_UNLESS: dict[str, Callable[..., Any]] = {
    "sqlite": sqlite.insert,
    "postgresql": postgresql.insert,
}
# Rows per INSERT: well under SQLite's and PostgreSQL's limits on bound parameters.
_CHUNK = 500


@dataclass(frozen=True)
class Recipient:
    """What a message needs to know about a person, read in bulk as plain columns: the daily
    job may address tens of thousands of people, and ORM objects for each would cost memory
    and, worse, a lazy load of each one's unit."""

    id: int
    username: str
    full_name: str
    email: str | None
    locale: str | None
    role: Role
    unit_id: int
    unit_code: str
    unit_name: str
    unit_path: str
    is_priority: bool

    @property
    def unit_ids(self) -> list[int]:
        """The person's unit and every unit above it: the officers of any of them see them."""
        return [int(part) for part in self.unit_path.strip("/").split("/") if part]


@dataclass(frozen=True)
class ReminderItem:
    pair: PairStatus
    course: Course


@dataclass(frozen=True)
class LearnerReminder:
    person: Recipient
    items: tuple[ReminderItem, ...]

    @property
    def overdue(self) -> int:
        return sum(1 for item in self.items if item.pair.status == Status.OVERDUE)


@dataclass(frozen=True)
class OverdueLine:
    person: Recipient
    course: Course
    due_on: date
    days_overdue: int


@dataclass(frozen=True)
class OfficerDigestPlan:
    officer: Recipient
    day: date
    lines: tuple[OverdueLine, ...]

    @property
    def people(self) -> int:
        return len({line.person.id for line in self.lines})


@dataclass(frozen=True)
class ReminderPlan:
    """What a run on `day` would send: the pairs and digests not yet sent that day.
    `without_email`: people with courses to be reminded of but no address to write to (their
    officers' digests list the overdue ones)."""

    day: date
    learners: tuple[LearnerReminder, ...]
    digests: tuple[OfficerDigestPlan, ...]
    without_email: tuple[Recipient, ...]


@dataclass(frozen=True)
class ReminderReport:
    """What a run sent (or, with `dry_run`, would send)."""

    day: date
    dry_run: bool
    learners: tuple[LearnerReminder, ...]
    digests: tuple[OfficerDigestPlan, ...]
    without_email: tuple[Recipient, ...]

    @property
    def reminders(self) -> int:
        """One per (person, course) pair: the number of `Reminder` rows written."""
        return sum(len(learner.items) for learner in self.learners)


def needs_reminder(pair: PairStatus) -> bool:
    """Not completed (or no longer valid) and due within the window, or past it. An expired
    completion counts from its requirement's deadline like a course never taken: the usual
    re-certification (deadline long past) is reminded at once, while a new assignment of a
    course whose old certificate lapsed waits, like any new course, for its last week."""
    return pair.status.needs_action and pair.due_on <= pair.day + timedelta(
        days=REMINDER_WINDOW_DAYS
    )


def _item_order(item: ReminderItem) -> tuple[int, date, int, int]:
    late = item.pair.status in (Status.OVERDUE, Status.EXPIRED)
    return (0 if late else 1, item.pair.due_on, item.course.position, item.course.id)


def _line_order(line: OverdueLine) -> tuple[bool, str, str, int, int, int]:
    """Priority staff first (D2: they are trained first), then by unit and name."""
    person = line.person
    return (
        not person.is_priority,
        person.unit_name.casefold(),
        person.full_name.casefold(),
        person.id,
        line.course.position,
        line.course.id,
    )


def _candidates(day: date) -> Select[int]:
    """The active people with a requirement holding on `day` that is due by the end of the
    window: a superset of everyone who can need a reminder (a pair's deadline is the earliest
    of its requirements'), so the status query reads only them."""
    window_end = day + timedelta(days=REMINDER_WINDOW_DAYS)
    due_soon = select(Requirement.person_id).where(
        Requirement.starts_on <= day,
        or_(Requirement.ended_on.is_(None), Requirement.ended_on > day),
        Requirement.due_on <= window_end,
    )
    return select(Person.id).where(Person.active.is_(True), Person.id.in_(due_soon))


def _recipients(condition: ColumnElement[bool]) -> dict[int, Recipient]:
    key_units = key_subtree_ids()
    rows = db.session.execute(
        select(
            Person.id,
            Person.username,
            Person.full_name,
            Person.email,
            Person.locale,
            Person.role,
            Person.drafts_classified,
            Unit.id,
            Unit.code,
            Unit.name,
            Unit.path,
        )
        .join(Unit, Unit.id == Person.unit_id)
        .where(Person.active.is_(True), condition)
    )
    return {
        row[0]: Recipient(
            id=row[0],
            username=row[1],
            full_name=row[2],
            email=row[3] or None,
            locale=row[4],
            role=Role(row[5]),
            unit_id=row[7],
            unit_code=row[8],
            unit_name=row[9],
            unit_path=row[10],
            is_priority=bool(row[6]) or row[7] in key_units,
        )
        for row in rows
    }


def recipient_of(person: Person) -> Recipient:
    return Recipient(
        id=person.id,
        username=person.username,
        full_name=person.full_name,
        email=person.email or None,
        locale=person.locale,
        role=person.role,
        unit_id=person.unit_id,
        unit_code=person.unit.code,
        unit_name=person.unit.name,
        unit_path=person.unit.path,
        is_priority=person.is_priority,
    )


def plan_reminders(today: date) -> ReminderPlan:
    """Who would hear what on `today`, leaving out what was already sent that day. Writes
    nothing; `send_reminders` writes the rows that decide. Six queries, whatever the number
    of people.

    Learners get reminders; unit officers get the digest, which lists them too when they are
    overdue themselves; ICT administrators get neither (their view is the province's grid)."""
    candidates = _candidates(today)
    pairs = [pair for pair in statuses(today, candidates) if needs_reminder(pair)]
    sent_today = {
        (person_id, course_id)
        for person_id, course_id in db.session.execute(
            select(Reminder.person_id, Reminder.course_id).where(Reminder.sent_on == today)
        )
    }
    digested_today = set(
        db.session.scalars(select(OfficerDigest.officer_id).where(OfficerDigest.sent_on == today))
    )
    people = _recipients(
        or_(Person.id.in_(candidates), Person.role == Role.UNIT_OFFICER),
    )
    courses = {course.id: course for course in db.session.scalars(select(Course))}

    items: dict[int, list[ReminderItem]] = defaultdict(list)
    overdue: list[OverdueLine] = []
    for pair in pairs:
        person, course = people.get(pair.person_id), courses.get(pair.course_id)
        if person is None or course is None:
            continue
        if pair.status == Status.OVERDUE:
            overdue.append(OverdueLine(person, course, pair.due_on, -pair.days_left))
        if person.role == Role.LEARNER and (pair.person_id, pair.course_id) not in sent_today:
            items[pair.person_id].append(ReminderItem(pair, course))

    learners, without_email = [], []
    for person_id, person_items in items.items():
        person = people[person_id]
        if person.email:
            learners.append(LearnerReminder(person, tuple(sorted(person_items, key=_item_order))))
        else:
            without_email.append(person)

    return ReminderPlan(
        day=today,
        learners=tuple(
            sorted(learners, key=lambda r: (r.person.full_name.casefold(), r.person.id))
        ),
        digests=_digests(today, people.values(), overdue, digested_today),
        without_email=tuple(sorted(without_email, key=lambda p: (p.full_name.casefold(), p.id))),
    )


def _digests(
    day: date,
    people: Iterable[Recipient],
    overdue: Sequence[OverdueLine],
    digested_today: set[int],
) -> tuple[OfficerDigestPlan, ...]:
    """Each overdue line is filed under every unit above its person, so an officer's digest is
    one dictionary lookup: no scan of the province per officer."""
    by_unit: dict[int, list[OverdueLine]] = defaultdict(list)
    for line in sorted(overdue, key=_line_order):
        for unit_id in line.person.unit_ids:
            by_unit[unit_id].append(line)
    officers = sorted(
        (
            p
            for p in people
            if p.role == Role.UNIT_OFFICER and p.email and p.id not in digested_today
        ),
        key=lambda p: (p.full_name.casefold(), p.id),
    )
    return tuple(
        OfficerDigestPlan(officer, day, tuple(by_unit[officer.unit_id]))
        for officer in officers
        if by_unit.get(officer.unit_id)
    )


def _insert_new(
    model: type[Model], keys: Sequence[str], rows: list[dict[str, Any]]
) -> set[tuple[Any, ...]]:
    """Insert the rows the unique constraint on `keys` lets in; the keys of those it did. A
    row another job wrote first (committed, or pending in a transaction this one then waits
    for) is skipped, and so is its message."""
    if not rows:
        return set()
    table = model.__table__
    columns = [table.c[key] for key in keys]
    dialect = db.session.get_bind().dialect.name
    written: set[tuple[Any, ...]] = set()
    for start in range(0, len(rows), _CHUNK):
        statement = (
            _INSERT_UNLESS[dialect](table)
            .values(rows[start : start + _CHUNK])
            .on_conflict_do_nothing(index_elements=columns)
            .returning(*columns)
        )
        written.update(tuple(row) for row in db.session.execute(statement))
    return written


def _write_reminders(
    today: date, pairs: Iterable[tuple[int, int]], *, sent_by_id: int | None
) -> set[tuple[int, int]]:
    rows = [
        {"person_id": p, "course_id": c, "sent_on": today, "sent_by_id": sent_by_id}
        for p, c in pairs
    ]
    return {
        (person_id, course_id)
        for person_id, course_id, _day in _insert_new(
            Reminder, ("person_id", "course_id", "sent_on"), rows
        )
    }


def send_reminders(today: date, *, dry_run: bool) -> ReminderReport:
    """Writes the day's `Reminder` and `OfficerDigest` rows and queues a message for each
    learner and officer whose rows this call wrote; the caller commits, and the messages leave
    then. With `dry_run`, only the plan: nothing is written or queued."""
    plan = plan_reminders(today)
    if dry_run:
        return ReminderReport(today, True, plan.learners, plan.digests, plan.without_email)

    written = _write_reminders(
        today,
        ((r.person.id, item.course.id) for r in plan.learners for item in r.items),
        sent_by_id=None,
    )
    learners = []
    for reminder in plan.learners:
        kept = tuple(i for i in reminder.items if (reminder.person.id, i.course.id) in written)
        if kept:
            learners.append(LearnerReminder(reminder.person, kept))

    digest_rows = [
        {"officer_id": d.officer.id, "sent_on": today, "overdue": d.people} for d in plan.digests
    ]
    digested = {
        officer_id
        for officer_id, _day in _insert_new(OfficerDigest, ("officer_id", "sent_on"), digest_rows)
    }
    digests = [d for d in plan.digests if d.officer.id in digested]

    for reminder in learners:
        queue_reminder(reminder)
    for digest in digests:
        queue_digest(digest)
    return ReminderReport(today, False, tuple(learners), tuple(digests), plan.without_email)


def may_remind(actor: Person, person: Person) -> bool:
    """An officer reminds the people of their own subtree (officers of sub-units included:
    they are staff with courses too); the ICT admin anyone; a learner nobody."""
    if actor.role == Role.ICT_ADMIN:
        return True
    return actor.role == Role.UNIT_OFFICER and scope_of(actor).contains(person.unit)


def send_reminder_now(person: Person, course: Course, *, actor: Person, today: date) -> bool:
    """The officer's "send a reminder now": the same once-a-day row as the daily job, so a
    button pressed twice, by two officers, or after the morning's job sends one message.
    False when the pair was already reminded today. Refuses (`NotAllowed`) outside the actor's
    scope, and (`RuleViolation`) a person who cannot be written to or has nothing to do."""
    if not may_remind(actor, person):
        raise NotAllowed(_("You can only remind the people of your own units."))
    if not person.active:
        raise RuleViolation(None, _("%(name)s's account is deactivated.", name=person.full_name))
    if not person.email:
        raise RuleViolation(
            None,
            _("%(name)s has no e-mail address: remind them in person.", name=person.full_name),
        )
    found = [
        pair
        for pair in statuses(today, select(Person.id).where(Person.id == person.id))
        if pair.course_id == course.id
    ]
    if not found:
        raise RuleViolation(
            None, _("This course is not required of %(name)s.", name=person.full_name)
        )
    if not found[0].status.needs_action:
        raise RuleViolation(None, _("%(name)s has completed this course.", name=person.full_name))
    if not _write_reminders(today, [(person.id, course.id)], sent_by_id=actor.id):
        return False
    queue_reminder(LearnerReminder(recipient_of(person), (ReminderItem(found[0], course),)))
    return True
