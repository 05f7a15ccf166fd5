"""Head-counts for the management home pages.

One grouped query per page, whatever the size of the province: the counts are summed in SQL per
unit and rolled up the tree in Python, which is cheap because units number in hundreds, not
millions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, case, func, or_, select

from training.extensions import db
from training.org.models import Person, Unit
from training.org.scope import Scope
from training.org.units import units_under


@dataclass
class HeadCount:
    people: int = 0
    priority: int = 0
    drafts_classified: int = 0
    it_staff: int = 0

    def add(self, other: HeadCount) -> None:
        self.people += other.people
        self.priority += other.priority
        self.drafts_classified += other.drafts_classified
        self.it_staff += other.it_staff


@dataclass
class UnitRow:
    unit: Unit
    own: HeadCount
    total: HeadCount = field(default_factory=HeadCount)


def _counts_by_unit(scope: Scope) -> dict[int, HeadCount]:
    def count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.sum(case((condition, 1), else_=0))

    rows = db.session.execute(
        select(
            Person.unit_id,
            func.count(Person.id),
            count_if(or_(Person.drafts_classified.is_(True), Unit.is_key_department.is_(True))),
            count_if(Person.drafts_classified.is_(True)),
            count_if(Person.is_it_staff.is_(True)),
        )
        .join(Person.unit)
        .where(Person.active.is_(True), scope.people())
        .group_by(Person.unit_id)
    ).all()
    return {
        unit_id: HeadCount(int(n), int(p or 0), int(c or 0), int(i or 0))
        for unit_id, n, p, c, i in rows
    }


def unit_rows(scope: Scope, *, include_retired: bool = False) -> Sequence[UnitRow]:
    """Every active unit in scope (and the retired and merged ones, if asked), in tree order,
    with its own and its subtree's head-count. A retired unit counts nobody: a merger moved its
    people and retiring needs it empty, so the totals are the same either way."""
    counts = _counts_by_unit(scope)
    units = units_under(scope.root, include_retired=include_retired)
    rows = {u.id: UnitRow(unit=u, own=counts.get(u.id, HeadCount())) for u in units}
    for row in rows.values():
        for ancestor_id in (int(part) for part in row.unit.path.strip("/").split("/")):
            if ancestor_id in rows:
                rows[ancestor_id].total.add(row.own)
    return [rows[u.id] for u in units]


def scope_total(rows: Sequence[UnitRow]) -> HeadCount:
    total = HeadCount()
    for row in rows:
        total.add(row.own)
    return total
