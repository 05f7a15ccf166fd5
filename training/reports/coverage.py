"""Training coverage as of a day, by unit, by course and person by person.

The definitions are the README's ("Coverage reports", "What every number means"), and every
report, screen, snapshot and the yearly report reads them from here. In short, for a day D:

- *staff*: people with a membership on D and not deactivated on D, counted in the unit they sat
  in on D; *priority* staff drafted classified documents on D or sat in a key department (or
  below one) as the tree stood on D;
- a *requirement* is a (person, course) pair with an assignment's requirement holding on D;
- it is *completed* if a completion of that course earned on or before D is still valid on D
  (revoked ones never count); *in progress* if not, and the person read a lesson or began the
  quiz on or before D, after their last completion of it (a lapsed certificate needs a fresh
  start); *not started* otherwise; *overdue* if not completed and its due date is before D.

The counting is SQL: one statement per table, whatever the number of units, and per-person rows
never reach Python for the unit and course tables. pandas then rolls each unit's own counts up
the tree of D (a unit counts its sub-units as they stood that day) and shapes the tables of the
export contract (`columns.py`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    distinct,
    exists,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import aliased
from sqlalchemy.sql.selectable import CTE, Subquery

from training.assignments.models import Requirement
from training.clock import VN_TZ, utcnow
from training.courses.models import Completion, Course, LessonRead
from training.db import vn_day
from training.extensions import db
from training.org.history import TreeOnDay, UnitOnDay, tree_on, valid_on
from training.org.models import Membership, Person, PersonFlag, PersonFlagPeriod, Unit
from training.planner import planned
from training.quizzes.models import Attempt
from training.reports.columns import Table, names
from training.reports.overview import Overview

# The three statuses of the people export; overdue is a flag beside the last two.
COMPLETED, IN_PROGRESS, NOT_STARTED = "completed", "in_progress", "not_started"

_COUNTS = ("required", "completed", "in_progress", "not_started", "overdue")
# What the by-course statement counts; not_started is the rest of required.
_COURSE_COUNTS = (
    "required",
    "completed",
    "in_progress",
    "overdue",
    "priority_required",
    "priority_completed",
)


@dataclass(frozen=True)
class Filters:
    """What a report is of. `unit_id` None: the whole province (or the officer's unit, which
    the caller puts here: an officer never reaches a report without it)."""

    as_of: date
    unit_id: int | None = None
    course_id: int | None = None
    priority_only: bool = False


class UnitNotStanding(LookupError):
    """The unit did not exist on the report's day (not founded yet, or merged away)."""


@dataclass(frozen=True)
class Scope:
    """The units a report covers, as they stood on its day."""

    tree: TreeOnDay
    root: UnitOnDay | None  # None: the province
    units: list[UnitOnDay]

    @property
    def unit_ids(self) -> list[int]:
        return [unit.id for unit in self.units]


def scope_on(filters: Filters, known: Scope | None = None) -> Scope:
    """The report's units. `known`: the scope a page already read for the same day and unit
    (the dashboard asks three reports of one scope), so its tree is not read again."""
    if known is not None:
        root_id = known.root.id if known.root is not None else None
        if known.tree.day != filters.as_of or root_id != filters.unit_id:
            raise ValueError("a scope of another day or unit")
        return known
    tree = tree_on(filters.as_of)
    if filters.unit_id is None:
        return Scope(tree, None, list(tree))
    if filters.unit_id not in tree:
        raise UnitNotStanding(filters.unit_id)
    return Scope(tree, tree.by_id[filters.unit_id], tree.subtree(filters.unit_id))


def _key_unit_ids(tree: TreeOnDay) -> list[int]:
    """Units in a key subtree that day (D2): their staff were priority staff then."""
    return sorted(
        unit.id for unit in tree if any(tree.by_id[i].is_key_department for i in unit.path)
    )


def _staff(filters: Filters, scope: Scope, *, materialized: bool = False) -> CTE:
    """person_id, unit_id, priority (0/1): the people a report counts, where they sat that day.
    `materialized`: for a statement that reads `priority` more than once, which SQLite would
    otherwise work out again, with its lookups, at each mention."""
    day = filters.as_of
    inactive = exists().where(
        PersonFlagPeriod.person_id == Membership.person_id,
        PersonFlagPeriod.flag == PersonFlag.INACTIVE,
        valid_on(PersonFlagPeriod, day),
    )
    drafter = exists().where(
        PersonFlagPeriod.person_id == Membership.person_id,
        PersonFlagPeriod.flag == PersonFlag.DRAFTS_CLASSIFIED,
        valid_on(PersonFlagPeriod, day),
    )
    key_units = _key_unit_ids(scope.tree)
    in_key_unit = Membership.unit_id.in_(key_units) if key_units else literal(False)
    priority = case((or_(drafter, in_key_unit), 1), else_=0)
    conditions: list[ColumnElement[bool]] = [valid_on(Membership, day), ~inactive]
    if scope.root is not None:
        conditions.append(Membership.unit_id.in_(scope.unit_ids))
    if filters.priority_only:
        conditions.append(or_(drafter, in_key_unit))
    staff = (
        select(
            Membership.person_id.label("person_id"),
            Membership.unit_id.label("unit_id"),
            priority.label("priority"),
        )
        .where(*conditions)
        .cte("staff")
    )
    return staff.prefix_with("MATERIALIZED", dialect="sqlite") if materialized else staff


@dataclass(frozen=True)
class _Inputs:
    """What each source of a report reads for its day (and course, and people, when the report
    is narrowed): the requirements holding, the lesson reads and the quiz attempts begun on or
    before it. Completions are joined per requirement pair, so they need no conditions of
    their own."""

    holding: list[ColumnElement[bool]]
    reads: list[ColumnElement[bool]]
    tries: list[ColumnElement[bool]]


def _inputs(filters: Filters, staff: CTE, *, scoped: bool) -> _Inputs:
    day = filters.as_of
    before = datetime.combine(day + timedelta(days=1), time(), tzinfo=VN_TZ)
    inputs = _Inputs(
        holding=[
            Requirement.starts_on <= day,
            or_(Requirement.ended_on.is_(None), Requirement.ended_on > day),
        ],
        reads=[LessonRead.read_at < before],
        tries=[Attempt.started_on <= day],
    )
    if filters.course_id is not None:
        inputs.holding.append(Requirement.course_id == filters.course_id)
        inputs.reads.append(LessonRead.course_id == filters.course_id)
        inputs.tries.append(Attempt.course_id == filters.course_id)
    if scoped:
        people = select(staff.c.person_id)
        inputs.holding.append(Requirement.person_id.in_(people))
        inputs.reads.append(LessonRead.person_id.in_(people))
        inputs.tries.append(Attempt.person_id.in_(people))
    return inputs


def _active(inputs: _Inputs) -> CTE:
    """person_id, course_id, active_on: per pair, the last day of a sign of activity (a lesson
    read, a quiz attempt begun)."""
    signs = union_all(
        select(
            LessonRead.person_id.label("person_id"),
            LessonRead.course_id.label("course_id"),
            vn_day(LessonRead.read_at).label("active_on"),
        ).where(*inputs.reads),
        select(Attempt.person_id, Attempt.course_id, Attempt.started_on).where(*inputs.tries),
    ).subquery("signs")
    return (
        select(
            signs.c.person_id,
            signs.c.course_id,
            func.max(signs.c.active_on).label("active_on"),
        )
        .group_by(signs.c.person_id, signs.c.course_id)
        .cte("active")
    )


@contextmanager
def streamed(*, hash_joins: bool = False) -> Iterator[None]:
    """PostgreSQL: plan the report as merged streams over the (person, course) indexes instead
    of hash tables of every pair, with room to sort in memory. Measured at 60,000 staff
    (bench/coverage.py): hashing half a million pairs per key set, spilling to disk at the
    default work_mem, cost three to five times the merge. The by-course report keeps hash
    joins (measured about a tenth faster with them: it sorts its pairs by course either way),
    and so does the people export, which joins names, units and courses to every row."""
    with planned(hash_agg=False, hash_joins=hash_joins):
        yield


def _one(value: Any) -> ColumnElement[int]:
    return func.coalesce(func.sum(value), 0)


def _requirement_pair(other: Any) -> ColumnElement[bool]:
    """`other`'s (person_id, course_id) is the requirement row's pair."""
    return and_(other.person_id == Requirement.person_id, other.course_id == Requirement.course_id)


def _held(day: date) -> tuple[Any, ColumnElement[bool]]:
    """A completion of the requirement row's pair in force on the day, to outer-join row by
    row: a pair with two in force (a renewal) gives two rows, which the counts must count once;
    a pair with none gives one row of NULLs. Read through the (person, course) index of
    completions in force."""
    held = aliased(Completion)
    return held, and_(
        _requirement_pair(held),
        held.revoked_at.is_(None),
        held.completed_on <= day,
        held.valid_until >= day,
    )


def _started(
    person_id: Any, course_id: Any, done: ColumnElement[bool], active_on: Any, day: date
) -> ColumnElement[bool]:
    """In progress: nothing in force, a sign of activity, and no completion earned between
    that sign and the day (a lapsed certificate needs a fresh start). The lookup runs only
    for the few pairs that get that far."""
    earned_since = aliased(Completion)
    return and_(
        ~done,
        active_on.is_not(None),
        ~exists().where(
            earned_since.person_id == person_id,
            earned_since.course_id == course_id,
            earned_since.revoked_at.is_(None),
            earned_since.completed_on <= day,
            earned_since.completed_on >= active_on,
        ),
    )


def _person_counts(filters: Filters, staff: CTE, *, scoped: bool) -> Subquery:
    """person_id, required, completed, in_progress, overdue: one row per person with a
    requirement, counted straight from the requirement rows in (person, course) order.

    The same definitions as `_pair_facts`, without first grouping half a million rows into
    pairs: a course required twice of a person (two assignments) is counted once by counting
    distinct courses. At 60,000 staff (bench/coverage.py) this took 1.0 s on SQLite where
    grouping the pairs first, then counting them per person, took 1.4 s (it sorted the pairs
    into a temporary B-tree), and 0.5 s on PostgreSQL against 0.65 s."""
    day = filters.as_of
    inputs = _inputs(filters, staff, scoped=scoped)
    active = _active(inputs)
    a = active.c
    held, in_force = _held(day)
    done = held.valid_until.is_not(None)
    started = _started(Requirement.person_id, Requirement.course_id, done, a.active_on, day)

    def courses(when: ColumnElement[bool] | None = None) -> ColumnElement[int]:
        course = Requirement.course_id if when is None else case((when, Requirement.course_id))
        return func.count(distinct(course))

    return (
        select(
            Requirement.person_id,
            courses().label("required"),
            courses(done).label("completed"),
            courses(started).label("in_progress"),
            courses(and_(~done, Requirement.due_on < day)).label("overdue"),
        )
        .outerjoin(held, in_force)
        .outerjoin(active, _requirement_pair(a))
        .where(*inputs.holding)
        .group_by(Requirement.person_id)
        .subquery("person")
    )


def _own_counts(filters: Filters, scope: Scope) -> pd.DataFrame:
    """Each unit's own people (not its sub-units'), one row per unit with anyone in it."""
    staff = _staff(filters, scope, materialized=True)
    person = _person_counts(filters, staff, scoped=scope.root is not None or filters.priority_only)
    p, s = person.c, staff.c
    required = func.coalesce(p.required, 0)
    completed = func.coalesce(p.completed, 0)
    in_progress = func.coalesce(p.in_progress, 0)
    statement = (
        select(
            s.unit_id,
            func.count().label("staff"),
            _one(s.priority).label("priority_staff"),
            _one(required).label("required"),
            _one(completed).label("completed"),
            _one(in_progress).label("in_progress"),
            _one(required - completed - in_progress).label("not_started"),
            _one(p.overdue).label("overdue"),
            _one(case((and_(required > 0, completed == required), 1), else_=0)).label(
                "staff_fully_trained"
            ),
            _one(s.priority * required).label("priority_required"),
            _one(s.priority * completed).label("priority_completed"),
        )
        .select_from(staff)
        .outerjoin(person, p.person_id == s.person_id)
        .group_by(s.unit_id)
    )
    with streamed():
        rows = db.session.execute(statement).all()
    columns = ["unit_id", "staff", "priority_staff", *_COUNTS, "staff_fully_trained"]
    columns += ["priority_required", "priority_completed"]
    return pd.DataFrame(rows, columns=columns).astype("int64").set_index("unit_id")


_SUMMED = [
    "staff",
    "priority_staff",
    *_COUNTS,
    "staff_fully_trained",
    "priority_required",
    "priority_completed",
]


def _with_pct(frame: pd.DataFrame) -> pd.DataFrame:
    frame["coverage_pct"] = _pct_column(frame["completed"], frame["required"])
    frame["priority_coverage_pct"] = _pct_column(
        frame["priority_completed"], frame["priority_required"]
    )
    return frame


def _pct_column(done: pd.Series, required: pd.Series) -> pd.Series:
    """100 × done / required, one decimal, NaN (an empty cell) where nothing was required;
    rounded half up like `overview.pct` (pandas would round half to even)."""
    ratio = (1000 * done / required.where(required > 0)).astype("float64")
    return pd.Series(np.floor(ratio + 0.5) / 10, index=ratio.index)


@dataclass(frozen=True)
class UnitReport:
    """The by-unit table and the scope's totals."""

    scope: Scope
    table: pd.DataFrame  # the contract's columns, in the tree's display order
    overview: Overview


def by_unit(filters: Filters, scope: Scope | None = None) -> UnitReport:
    """Every unit of the scope as it stood on the day, each counting its whole subtree."""
    scope = scope_on(filters, scope)
    own = _own_counts(filters, scope)
    units = scope.units
    # Each unit's counts go to itself and to every ancestor within the scope: a frame of
    # (ancestor, unit) pairs, at most units × depth rows, summed by ancestor.
    in_scope = set(scope.unit_ids)
    links = pd.DataFrame(
        [(ancestor, unit.id) for unit in units for ancestor in unit.path if ancestor in in_scope],
        columns=["ancestor", "unit_id"],
    )
    rolled = (
        links.join(own, on="unit_id", how="inner").groupby("ancestor")[_SUMMED].sum()
        if not own.empty
        else pd.DataFrame(columns=_SUMMED)
    )
    rolled = rolled.reindex([u.id for u in units], fill_value=0).astype("int64")
    by_id = scope.tree.by_id
    table = pd.DataFrame(
        {
            "unit_code": [u.code for u in units],
            "unit_name": [u.name for u in units],
            "parent_code": [
                by_id[u.parent_id].code if u.parent_id in by_id else None for u in units
            ],
            "depth": pd.array([u.depth for u in units], dtype="int64"),
        }
    )
    for name in _SUMMED:
        table[name] = rolled[name].to_numpy()
    table = _with_pct(table)[names(Table.UNIT)]
    totals = own[_SUMMED].sum() if not own.empty else pd.Series(0, index=_SUMMED)
    return UnitReport(scope, table, _overview(filters, scope, totals))


def _overview(filters: Filters, scope: Scope, totals: pd.Series) -> Overview:
    def count(name: str) -> int:
        return int(totals[name])

    return Overview(
        as_of=filters.as_of,
        scope_code=scope.root.code if scope.root else None,
        scope_name=scope.root.name if scope.root else "",
        generated_at=utcnow(),
        staff=count("staff"),
        priority_staff=count("priority_staff"),
        required=count("required"),
        completed=count("completed"),
        in_progress=count("in_progress"),
        not_started=count("not_started"),
        overdue=count("overdue"),
        staff_fully_trained=count("staff_fully_trained"),
        priority_required=count("priority_required"),
        priority_completed=count("priority_completed"),
    )


def _pair_facts(filters: Filters, staff: CTE, *, scoped: bool) -> Subquery:
    """person_id, course_id, due_on (earliest), completed_on and valid_until (of the completion
    in force, or NULL), active_on (the last sign of activity, or NULL), priority: one row per
    requirement pair, grouped as the requirement rows come in (person, course) order, with what
    each pair needs joined on the way rather than grouped apart and merged afterwards (four
    sets grouped on their own and then merged took about a third longer on SQLite,
    bench/coverage.py)."""
    day = filters.as_of
    inputs = _inputs(filters, staff, scoped=scoped)
    active = _active(inputs)
    held, in_force = _held(day)
    return (
        select(
            Requirement.person_id,
            Requirement.course_id,
            func.min(Requirement.due_on).label("due_on"),
            func.max(held.completed_on).label("completed_on"),
            func.max(held.valid_until).label("valid_until"),
            func.max(active.c.active_on).label("active_on"),
            func.max(staff.c.priority).label("priority"),
        )
        .join(staff, staff.c.person_id == Requirement.person_id)
        .outerjoin(held, in_force)
        .outerjoin(active, _requirement_pair(active.c))
        .where(*inputs.holding)
        .group_by(Requirement.person_id, Requirement.course_id)
        .subquery("pair_facts")
    )


def by_course(filters: Filters, *, lang: str = "vi", scope: Scope | None = None) -> pd.DataFrame:
    """Every course required of anyone in the scope on the day: one row per course."""
    scope = scope_on(filters, scope)
    staff = _staff(filters, scope, materialized=True)
    pairs = _pair_facts(filters, staff, scoped=scope.root is not None or filters.priority_only)
    c = pairs.c
    day = filters.as_of
    done = c.valid_until.is_not(None)
    started = _started(c.person_id, c.course_id, done, c.active_on, day)
    counts = (
        select(
            c.course_id,
            func.count().label("required"),
            _one(case((done, 1), else_=0)).label("completed"),
            _one(case((started, 1), else_=0)).label("in_progress"),
            _one(case((and_(~done, c.due_on < day), 1), else_=0)).label("overdue"),
            _one(c.priority).label("priority_required"),
            _one(case((done, c.priority), else_=0)).label("priority_completed"),
        )
        .group_by(c.course_id)
        .subquery("counts")
    )
    title = Course.title_en if lang == "en" else Course.title_vi
    statement = (
        select(
            Course.slug,
            func.coalesce(title, Course.title_vi),
            Course.audience,
            *(counts.c[name] for name in _COURSE_COUNTS),
        )
        .join(counts, counts.c.course_id == Course.id)
        .order_by(Course.position, Course.slug)
    )
    with streamed(hash_joins=True):
        rows = db.session.execute(statement).all()
    frame = pd.DataFrame(
        [(slug, name, str(audience.value), *numbers) for slug, name, audience, *numbers in rows],
        columns=["course_slug", "course_title", "audience", *_COURSE_COUNTS],
    ).astype({name: "int64" for name in _COURSE_COUNTS})
    frame["not_started"] = frame["required"] - frame["completed"] - frame["in_progress"]
    return _with_pct(frame)[names(Table.COURSE)]


def people_statement(filters: Filters, scope: Scope | None = None) -> tuple[Scope, Select[Any]]:
    """The people export: one row per requirement, in the contract's order, for streaming."""
    scope = scope_on(filters, scope)
    staff = _staff(filters, scope)
    pairs = _pair_facts(filters, staff, scoped=scope.root is not None or filters.priority_only)
    c, s = pairs.c, staff.c
    day = filters.as_of
    done = c.valid_until.is_not(None)
    status = case(
        (done, COMPLETED),
        (_started(c.person_id, c.course_id, done, c.active_on, day), IN_PROGRESS),
        else_=NOT_STARTED,
    )
    statement = (
        select(
            Person.employee_id,
            Person.full_name,
            Unit.code,
            s.priority,
            Course.slug,
            status,
            case((and_(~done, c.due_on < day), 1), else_=0),
            c.due_on,
            c.completed_on,
            c.valid_until,
        )
        .select_from(pairs)
        .join(staff, s.person_id == c.person_id)
        .join(Person, Person.id == c.person_id)
        .join(Unit, Unit.id == s.unit_id)
        .join(Course, Course.id == c.course_id)
        .order_by(c.person_id, c.course_id)
    )
    return scope, statement


def people_rows(filters: Filters) -> Iterator[tuple[Any, ...]]:
    """The people export's rows, streamed from the database in batches (a server-side cursor
    on PostgreSQL): 600,000 rows never sit in memory at once. Run on the session's connection
    rather than through the ORM: the rows are plain columns, and the ORM's handling of each
    row took as long as reading it (bench/coverage.py)."""
    _scope, statement = people_statement(filters)
    with streamed(hash_joins=True):
        yield from _people_tuples(
            db.session.connection().execute(statement, execution_options={"yield_per": 5000})
        )


def _people_tuples(result: Any) -> Iterator[tuple[Any, ...]]:
    for employee_id, name, unit, priority, slug, status, overdue, due, done, until in result:
        yield (
            employee_id,
            name,
            unit,
            bool(priority),
            slug,
            status,
            bool(overdue),
            due,
            done,
            until,
        )


def people_count(filters: Filters) -> int:
    """How many rows `people_rows` will give: a background export's progress bar needs it."""
    _scope, statement = people_statement(filters)
    return int(
        db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
        or 0
    )


def plain_group_by(day: date) -> Select[int, int]:
    """The floor the benchmark measures the unit report against: the same requirement rows of
    the day, joined to the memberships of the day, counted per unit by one GROUP BY."""
    return (
        select(Membership.unit_id, func.count())
        .join(Requirement, Requirement.person_id == Membership.person_id)
        .where(
            valid_on(Membership, day),
            Requirement.starts_on <= day,
            or_(Requirement.ended_on.is_(None), Requirement.ended_on > day),
        )
        .group_by(Membership.unit_id)
    )
