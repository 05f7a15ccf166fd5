"""The coverage dashboard and the managers' home: what the pages show, built from the coverage
engine (`coverage.py`), the targets and the official headcounts (`targets.py`).

The reader's `Filters` come from `access.filters_for`, so everything here is already narrowed to
what the reader may see; the breadcrumbs, too, start at the reader's own top (an officer's unit),
never above it: the names of the units over an officer are outside their subtree.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any, cast

import pandas as pd
from sqlalchemy import and_, case, exists, extract, func, select

from training.courses.models import Completion
from training.extensions import db
from training.org.history import UnitOnDay, valid_on
from training.org.models import Membership, Person, PersonFlag, PersonFlagPeriod, Unit
from training.records.paging import Page
from training.reports.columns import Table, names
from training.reports.coverage import (
    COMPLETED,
    IN_PROGRESS,
    NOT_STARTED,
    Filters,
    Scope,
    by_course,
    by_unit,
    people_statement,
)
from training.reports.overview import Overview
from training.reports.targets import Targets, below_target, short_rosters, targets_in_force

PEOPLE_PER_PAGE = 100
WEAKEST = 5
MONTHS = 12


@dataclass(frozen=True)
class UnitLine:
    """One unit's row of the dashboard, counting its whole subtree as it stood that day."""

    id: int
    code: str
    name: str
    depth: int
    staff: int
    priority_staff: int
    required: int
    completed: int
    in_progress: int
    not_started: int
    overdue: int
    staff_fully_trained: int
    coverage_pct: float | None
    priority_coverage_pct: float | None
    is_below_target: bool
    is_short_roster: bool
    has_sub_units: bool


@dataclass(frozen=True)
class PersonLine:
    """One person of the unit shown, with their required courses counted by status."""

    id: int
    full_name: str
    employee_id: str | None
    is_priority: bool
    required: int
    completed: int
    in_progress: int
    not_started: int
    overdue: int


@dataclass(frozen=True)
class MonthCount:
    month: date  # its first day
    completions: int


@dataclass(frozen=True)
class Dashboard:
    filters: Filters
    overview: Overview
    targets: Targets
    current: UnitLine | None  # the unit drilled into; None: the province
    official_headcount: int | None  # the current unit's biên chế
    breadcrumbs: list[UnitOnDay]  # the reader's top down to the current unit's parent
    sub_units: list[UnitLine]
    people: Page[PersonLine] | None  # the current unit's own people (not its sub-units')
    people_without_courses: int  # its own staff with nothing required (not in `people`)
    courses: list[dict[str, Any]]
    months: list[MonthCount]


@dataclass(frozen=True)
class HomeFigures:
    overview: Overview
    targets: Targets
    weakest: list[UnitLine]


def _pct(value: Any) -> float | None:
    return None if pd.isna(value) else float(value)


def _unit_lines(
    table: pd.DataFrame, scope: Scope, targets: Targets, *, with_rosters: bool = True
) -> dict[int, UnitLine]:
    """Every unit of the report by id. The table's rows are the scope's units, in order."""
    below = below_target(table, targets)
    short = short_rosters(table) if with_rosters else pd.Series(False, index=table.index)
    parents = {unit.parent_id for unit in scope.units}
    lines = {}
    for unit, row, is_below, is_short in zip(
        scope.units,
        table.to_dict("records"),
        below.tolist(),
        short.tolist(),
        strict=True,
    ):
        lines[unit.id] = UnitLine(
            id=unit.id,
            code=unit.code,
            name=unit.name,
            depth=unit.depth,
            staff=int(row["staff"]),
            priority_staff=int(row["priority_staff"]),
            required=int(row["required"]),
            completed=int(row["completed"]),
            in_progress=int(row["in_progress"]),
            not_started=int(row["not_started"]),
            overdue=int(row["overdue"]),
            staff_fully_trained=int(row["staff_fully_trained"]),
            coverage_pct=_pct(row["coverage_pct"]),
            priority_coverage_pct=_pct(row["priority_coverage_pct"]),
            is_below_target=bool(is_below),
            is_short_roster=bool(is_short),
            has_sub_units=unit.id in parents,
        )
    return lines


def _sub_unit_ids(scope: Scope) -> list[int]:
    """The units one level below the report's top: the province's top units (below its one
    root, when it has one), or the unit's children, as the tree stood that day."""
    if scope.root is None:
        tops = [unit.id for unit in scope.units if unit.depth == 0]
        # A province is usually one root (the People's Committee's tree): its agencies, communes
        # and enterprises are what the province's page compares, not the one total row.
        if len(tops) == 1 and scope.tree.children(tops[0]):
            return [unit.id for unit in scope.tree.children(tops[0])]
        return tops
    return [unit.id for unit in scope.tree.children(scope.root.id)]


def _breadcrumbs(scope: Scope, reader_root_id: int | None) -> list[UnitOnDay]:
    if scope.root is None:
        return []
    chain = scope.tree.ancestors(scope.root.id)
    if reader_root_id is not None:
        ids = [unit.id for unit in chain]
        chain = chain[ids.index(reader_root_id) :] if reader_root_id in ids else []
    return chain


def unit_people(
    filters: Filters, unit_id: int, *, page: int, scope: Scope | None = None
) -> Page[PersonLine]:
    """The people who sat in the unit itself that day, one row each, their requirements counted
    by status in SQL, a hundred to a page. Built on the people export's own statement, so a
    person's counts here add up to their lines in that file."""
    _scope, statement = people_statement(replace(filters, unit_id=unit_id), scope)
    rows = (
        statement.order_by(None)
        .add_columns(Person.id.label("person_id"))
        .where(Unit.id == unit_id)
        .subquery("rows")
    )
    column = dict(zip([*names(Table.PEOPLE), "person_id"], rows.c, strict=True))

    def count(status: str) -> Any:
        return func.sum(case((column["status"] == status, 1), else_=0))

    name = func.max(column["full_name"])
    grouped = (
        select(
            column["person_id"],
            name,
            func.max(column["employee_id"]),
            func.max(column["priority"]),
            func.count(),
            count(COMPLETED),
            count(IN_PROGRESS),
            count(NOT_STARTED),
            func.sum(case((column["overdue"] == 1, 1), else_=0)),
        )
        .group_by(column["person_id"])
        .order_by(name, column["person_id"])
    )
    total = db.session.scalar(select(func.count(func.distinct(column["person_id"])))) or 0
    first = Page[PersonLine]([], page, PEOPLE_PER_PAGE, int(total))
    found = db.session.execute(grouped.limit(PEOPLE_PER_PAGE).offset(first.offset)).all()
    return replace(
        first,
        items=[
            PersonLine(
                id=row[0],
                full_name=row[1],
                employee_id=row[2],
                is_priority=bool(row[3]),
                required=int(row[4]),
                completed=int(row[5] or 0),
                in_progress=int(row[6] or 0),
                not_started=int(row[7] or 0),
                overdue=int(row[8] or 0),
            )
            for row in found
        ],
    )


def first_of_month(day: date, months_back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def completions_by_month(filters: Filters, scope: Scope) -> list[MonthCount]:
    """Completions earned in each of the twelve months up to the report's day (that month
    counted up to that day), revoked ones left out.

    A completion counts where its holder sat *on the day they earned it*, if that unit is in
    the report's scope as the tree stood on the report's day: a person who moved in since
    brings no completions earned elsewhere, and one who left keeps theirs here. The course
    filter applies; with "priority only", a completion counts if its holder drafted classified
    documents that day or sat in a key subtree of the report's day."""
    start = first_of_month(filters.as_of, MONTHS - 1)
    year = extract("year", Completion.completed_on)
    month = extract("month", Completion.completed_on)
    conditions = [
        Completion.revoked_at.is_(None),
        Completion.completed_on >= start,
        Completion.completed_on <= filters.as_of,
    ]
    if scope.root is not None:
        conditions.append(Membership.unit_id.in_(scope.unit_ids))
    if filters.course_id is not None:
        conditions.append(Completion.course_id == filters.course_id)
    if filters.priority_only:
        tree = scope.tree
        key_units = [
            u.id for u in scope.units if any(tree.by_id[i].is_key_department for i in u.path)
        ]
        drafter = exists().where(
            PersonFlagPeriod.person_id == Completion.person_id,
            PersonFlagPeriod.flag == PersonFlag.DRAFTS_CLASSIFIED,
            valid_on(PersonFlagPeriod, Completion.completed_on),
        )
        conditions.append(drafter | Membership.unit_id.in_(key_units) if key_units else drafter)
    rows = db.session.execute(
        select(year, month, func.count())
        .select_from(Completion)
        .join(
            Membership,
            and_(
                Membership.person_id == Completion.person_id,
                valid_on(Membership, Completion.completed_on),
            ),
        )
        .where(*conditions)
        .group_by(year, month)
    ).all()
    counts = {(int(y), int(m)): int(n) for y, m, n in rows}
    months = [first_of_month(filters.as_of, back) for back in range(MONTHS - 1, -1, -1)]
    return [MonthCount(day, counts.get((day.year, day.month), 0)) for day in months]


def build_dashboard(
    filters: Filters, *, reader_root_id: int | None, lang: str, page: int = 1
) -> Dashboard:
    """The whole page. `reader_root_id`: the officer's unit, where their breadcrumbs start
    (None for the ICT admin, whose start at the province)."""
    report = by_unit(filters)
    scope = report.scope
    targets = targets_in_force()
    lines = _unit_lines(report.table, scope, targets)
    sub_units = [lines[i] for i in _sub_unit_ids(scope)]
    below = sum(1 for line in lines.values() if line.is_below_target) - (
        1 if scope.root is not None and lines[scope.root.id].is_below_target else 0
    )
    overview = replace(report.overview, units_below_target=below)
    current = lines[scope.root.id] if scope.root is not None else None
    people, without, headcount = None, 0, None
    if current is not None:
        people = unit_people(filters, current.id, page=page, scope=scope)
        own_staff = current.staff - sum(line.staff for line in sub_units)
        without = max(own_staff - people.total, 0)
        headcount = db.session.scalar(select(Unit.official_headcount).where(Unit.id == current.id))
    return Dashboard(
        filters=filters,
        overview=overview,
        targets=targets,
        current=current,
        official_headcount=headcount,
        breadcrumbs=_breadcrumbs(scope, reader_root_id),
        sub_units=sub_units,
        people=people,
        people_without_courses=without,
        courses=cast(
            list[dict[str, Any]], by_course(filters, lang=lang, scope=scope).to_dict("records")
        ),
        months=completions_by_month(filters, scope),
    )


def weakest(lines: list[UnitLine], count: int = WEAKEST) -> list[UnitLine]:
    """Lowest coverage first among units with anything required; more overdue breaks a tie."""
    counted = [line for line in lines if line.required > 0 and line.coverage_pct is not None]
    return sorted(counted, key=lambda line: (line.coverage_pct, -line.overdue, line.name))[:count]


def home_figures(filters: Filters) -> HomeFigures:
    """The managers' home: the scope's figures today and its weakest sub-units; a fixed number
    of queries whatever the size of the scope (the tree, the counts, the targets)."""
    report = by_unit(filters)
    targets = targets_in_force()
    lines = _unit_lines(report.table, report.scope, targets, with_rosters=False)
    return HomeFigures(
        overview=report.overview,
        targets=targets,
        weakest=weakest([lines[i] for i in _sub_unit_ids(report.scope)]),
    )
