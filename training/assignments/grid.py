"""The officer's status grid: their people × the courses required of them, a page at a time.

A page costs the same handful of queries for fifty people or sixty thousand: the counts at the
top in one GROUP BY, the page of people in one query (with a second that counts them), and the
statuses of that page's people in one more. Every filter is SQL: "overdue only" and "status"
select the people who have such a pair through the same status statement the counts use, so a
filter never loads people to throw them away.

Priority staff come first and are counted apart (D2); their priority is today's, the same
`priority_now()` that gives them their shorter deadlines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from math import ceil

from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.orm import contains_eager

from training.assignments.status import PairStatus, Status, status_statement, statuses_by_person
from training.courses.models import Course
from training.extensions import db
from training.org.models import Person, Unit
from training.org.priority import priority_now
from training.org.scope import Scope


@dataclass(frozen=True)
class GridFilter:
    unit: Unit | None = None  # a unit of the scope: it and its sub-units
    course_id: int | None = None
    status: Status | None = None
    priority_only: bool = False
    overdue_only: bool = False

    @property
    def statuses(self) -> set[str] | None:
        """The statuses a person must have one pair in, or None for anyone."""
        wanted = {s.value for s in Status}
        if self.status is not None:
            wanted &= {self.status.value}
        if self.overdue_only:
            wanted &= {Status.OVERDUE.value}
        return None if len(wanted) == len(Status) else wanted


@dataclass(frozen=True)
class Page:
    """What the pager macro reads, like Flask-SQLAlchemy's pagination."""

    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def next_num(self) -> int:
        return self.page + 1


@dataclass(frozen=True)
class GridRow:
    person: Person
    is_priority: bool
    cells: dict[int, PairStatus]  # course id → the pair's status; absent: not required


@dataclass(frozen=True)
class StatusCount:
    status: Status
    everyone: int
    priority: int


@dataclass(frozen=True)
class Grid:
    day: date
    courses: Sequence[Course]
    rows: Sequence[GridRow]
    page: Page
    counts: Sequence[StatusCount]
    course_counts: dict[int, dict[Status, int]] = field(default_factory=dict)

    @property
    def total_pairs(self) -> int:
        return sum(c.everyone for c in self.counts)

    @property
    def priority_pairs(self) -> int:
        return sum(c.priority for c in self.counts)


def _people(scope: Scope, filters: GridFilter) -> Select[int]:
    """The people the grid is about before any status filter: active, in scope, in the unit."""
    people = select(Person.id).where(Person.active.is_(True), scope.people())
    if filters.unit is not None:
        people = people.where(
            Person.unit_id.in_(
                select(Unit.id).where(Unit.path.startswith(filters.unit.path, autoescape=True))
            )
        )
    return people


def _counts(
    day: date, people: Select[int], course_id: int | None
) -> dict[tuple[int, Status], tuple[int, int]]:
    """(course, status) → (pairs, pairs of priority staff): one GROUP BY."""
    pairs = status_statement(day, people).subquery("pairs")
    flagged = select(pairs.c.course_id, pairs.c.status, priority_now().label("is_priority")).join(
        Person, Person.id == pairs.c.person_id
    )
    if course_id is not None:
        flagged = flagged.where(pairs.c.course_id == course_id)
    rows = flagged.subquery("flagged")
    counted = db.session.execute(
        select(
            rows.c.course_id,
            rows.c.status,
            func.count(),
            func.sum(case((rows.c.is_priority, 1), else_=0)),
        ).group_by(rows.c.course_id, rows.c.status)
    )
    return {
        (course, Status(status)): (int(n), int(priority or 0))
        for course, status, n, priority in counted
    }


def _matching(day: date, people: Select[int], filters: GridFilter) -> list[ColumnElement[bool]]:
    """SQL conditions on `Person` for the course and status filters: the person has a pair
    of that course, in one of those statuses, on `day`. An uncorrelated IN over the status
    statement, computed once, rather than an EXISTS a database might run per person."""
    wanted = filters.statuses
    if wanted is None and filters.course_id is None:
        return []
    pairs = status_statement(day, people).subquery("pairs")
    having = select(pairs.c.person_id)
    if filters.course_id is not None:
        having = having.where(pairs.c.course_id == filters.course_id)
    if wanted is not None:
        having = having.where(pairs.c.status.in_(sorted(wanted)))
    return [Person.id.in_(having)]


def status_grid(scope: Scope, filters: GridFilter, *, day: date, page: int, per_page: int) -> Grid:
    people = _people(scope, filters)
    counts = _counts(day, people, filters.course_id)
    course_ids = sorted({course_id for course_id, _status in counts})
    if filters.course_id is not None:
        course_ids = [filters.course_id]
    courses = db.session.scalars(
        select(Course).where(Course.id.in_(course_ids)).order_by(Course.position, Course.slug)
    ).all()

    priority = priority_now()
    chosen = [Person.id.in_(people), *_matching(day, people, filters)]
    if filters.priority_only:
        chosen.append(priority)
    total = db.session.scalar(select(func.count()).select_from(Person).where(*chosen)) or 0
    shown = Page(page, per_page, total)
    found = db.session.execute(
        select(Person, priority.label("is_priority"))
        .join(Person.unit)
        .options(contains_eager(Person.unit))
        .where(*chosen)
        .order_by(priority.desc(), Person.search_key, Person.id)
        .limit(per_page)
        .offset((page - 1) * per_page)  # past the end: an empty page, as the people list
    ).all()
    cells = statuses_by_person(day, (person.id for person, _p in found))
    rows = [GridRow(person, bool(is_priority), cells[person.id]) for person, is_priority in found]

    by_status = {s: [0, 0] for s in Status}
    by_course: dict[int, dict[Status, int]] = {}
    for (course_id, status), (n, in_priority) in counts.items():
        by_status[status][0] += n
        by_status[status][1] += in_priority
        by_course.setdefault(course_id, {})[status] = n
    return Grid(
        day,
        courses,
        rows,
        shown,
        [StatusCount(s, n, p) for s, (n, p) in by_status.items()],
        by_course,
    )
