"""The organisation as it stood on a past day: the tree, who sat where, which departments were key.

Reports and certificates count people where they were, under the names their units had then,
across the reorganisations of 2025. Every question here is one SQL statement, whatever the
size of the province: the tree is walked by a recursive CTE (SQLite and PostgreSQL alike), never
by a query per unit or per person, so a report over thousands of people costs the same few
round trips as one over ten.

All dated rows share one convention: a row holds on `valid_from <= day < valid_to` (`valid_to`
exclusive, NULL while open), as `move_person_to_unit` writes memberships.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Text,
    and_,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import aliased

from training.extensions import db
from training.org.models import (
    Membership,
    Person,
    Unit,
    UnitKeyPeriod,
    UnitKind,
    UnitPlacement,
)
from training.text import fold


def valid_on(model: Any, day: Any) -> ColumnElement[bool]:
    """The one as-of test for every dated table (`valid_to` exclusive); `day` may be a date or
    a column, so a query can ask "on the day of each completion"."""
    return and_(model.valid_from <= day, or_(model.valid_to.is_(None), model.valid_to > day))


@dataclass(frozen=True)
class UnitOnDay:
    """A unit as it stood on one day: its name and parent then, and the chain of ids from the
    root then (`path[-1]` is the unit itself)."""

    id: int
    code: str
    kind: UnitKind
    name: str
    parent_id: int | None
    path: tuple[int, ...]
    is_key_department: bool

    @property
    def depth(self) -> int:
        return len(self.path) - 1


@dataclass(frozen=True)
class TreeOnDay:
    """The whole tree of one day, in display order (siblings by the names they had then)."""

    day: date
    units: list[UnitOnDay]
    by_id: dict[int, UnitOnDay] = field(repr=False)

    def __iter__(self) -> Iterator[UnitOnDay]:
        return iter(self.units)

    def __len__(self) -> int:
        return len(self.units)

    def __contains__(self, unit_id: object) -> bool:
        return unit_id in self.by_id

    def ancestors(self, unit_id: int) -> list[UnitOnDay]:
        """From the root down to the unit's parent, as they stood that day."""
        return [self.by_id[i] for i in self.by_id[unit_id].path[:-1]]

    def children(self, unit_id: int) -> list[UnitOnDay]:
        return [u for u in self.units if u.parent_id == unit_id]

    def subtree(self, unit_id: int) -> list[UnitOnDay]:
        """The unit and everything below it that day, in display order."""
        return [u for u in self.units if unit_id in u.path]


def tree_on(day: date) -> TreeOnDay:
    """Every unit standing on `day`, with the parent and name it had then.

    A unit whose parent did not stand that day (possible only in data older than these rows'
    rules) is shown as a root rather than dropped."""
    placed = (
        select(UnitPlacement.unit_id, UnitPlacement.parent_id, UnitPlacement.name)
        .where(valid_on(UnitPlacement, day))
        .cte("placed")
    )
    walk = (
        select(
            placed.c.unit_id,
            cast(literal("/") + cast(placed.c.unit_id, Text) + literal("/"), Text).label("path"),
        )
        .where(
            or_(
                placed.c.parent_id.is_(None),
                placed.c.parent_id.not_in(select(placed.c.unit_id).scalar_subquery()),
            )
        )
        .cte("walk", recursive=True)
    )
    child = placed.alias("child")
    walk = walk.union_all(
        select(
            child.c.unit_id,
            cast(walk.c.path + cast(child.c.unit_id, Text) + literal("/"), Text),
        ).join(walk, child.c.parent_id == walk.c.unit_id)
    )
    is_key = exists().where(UnitKeyPeriod.unit_id == Unit.id, valid_on(UnitKeyPeriod, day))
    rows = db.session.execute(
        select(
            Unit.id,
            Unit.code,
            Unit.kind,
            placed.c.name,
            placed.c.parent_id,
            walk.c.path,
            is_key.label("is_key"),
        )
        .join(placed, placed.c.unit_id == Unit.id)
        .join(walk, walk.c.unit_id == Unit.id)
    ).all()
    units = [
        UnitOnDay(
            id=row.id,
            code=row.code,
            kind=row.kind,
            name=row.name,
            parent_id=row.parent_id,
            path=tuple(int(part) for part in row.path.strip("/").split("/")),
            is_key_department=bool(row.is_key),
        )
        for row in rows
    ]
    by_id = {u.id: u for u in units}

    def sort_key(unit: UnitOnDay) -> tuple[tuple[str, str], ...]:
        return tuple((fold(by_id[i].name), by_id[i].code) for i in unit.path)

    return TreeOnDay(day, sorted(units, key=sort_key), by_id)


@dataclass(frozen=True)
class PersonOnDay:
    id: int
    username: str
    full_name: str
    unit_id: int


def people_on(day: date, *, unit_ids: Collection[int] | None = None) -> list[PersonOnDay]:
    """Who sat in which unit on `day` (from memberships), by unit then name; only in `unit_ids`
    when given (a subtree of `tree_on`, say)."""
    query = (
        select(Person.id, Person.username, Person.full_name, Membership.unit_id)
        .join(Membership, Membership.person_id == Person.id)
        .where(valid_on(Membership, day))
    )
    if unit_ids is not None:
        query = query.where(Membership.unit_id.in_(list(unit_ids)))
    rows = db.session.execute(query)
    people = [PersonOnDay(r.id, r.username, r.full_name, r.unit_id) for r in rows]
    return sorted(people, key=lambda p: (p.unit_id, fold(p.full_name), p.id))


def units_of_people_on(day: date, person_ids: Collection[int]) -> dict[int, int]:
    """Each person's unit on `day`; a person not yet (or no longer) in a unit is absent."""
    rows = db.session.execute(
        select(Membership.person_id, Membership.unit_id).where(
            Membership.person_id.in_(list(person_ids)), valid_on(Membership, day)
        )
    )
    return {row.person_id: row.unit_id for row in rows}


def key_departments_on(day: date) -> set[int]:
    """The units that were key departments on `day`: their staff were priority then (D2)."""
    return set(
        db.session.scalars(select(UnitKeyPeriod.unit_id).where(valid_on(UnitKeyPeriod, day)))
    )


def was_key_department_on(unit_id: int, day: date) -> bool:
    return bool(
        db.session.scalar(
            select(exists().where(UnitKeyPeriod.unit_id == unit_id, valid_on(UnitKeyPeriod, day)))
        )
    )


def names_on(day: date, unit_ids: Collection[int]) -> dict[int, str]:
    """The names the units had on `day`; a unit that did not stand that day is absent."""
    rows = db.session.execute(
        select(UnitPlacement.unit_id, UnitPlacement.name).where(
            UnitPlacement.unit_id.in_(list(unit_ids)), valid_on(UnitPlacement, day)
        )
    )
    return {row.unit_id: row.name for row in rows}


def name_on(unit_id: int, day: date) -> str | None:
    return names_on(day, [unit_id]).get(unit_id)


@dataclass(frozen=True)
class PersonUnitOnDay:
    """A person's unit on a day, named as it was then, with its parent's name then."""

    unit_id: int
    kind: UnitKind
    name: str
    parent_name: str | None


def person_unit_on(person_id: int, day: date) -> PersonUnitOnDay | None:
    """One statement for the membership, the unit's name then and its parent's name then.

    Rows older than the placements (a unit whose history starts after the membership) fall back
    on today's name and parent rather than on nothing."""
    own, above = aliased(UnitPlacement), aliased(UnitPlacement)
    parent = aliased(Unit)
    parent_id = func.coalesce(own.parent_id, Unit.parent_id)
    row = db.session.execute(
        select(
            Unit.id,
            Unit.kind,
            func.coalesce(own.name, Unit.name).label("name"),
            func.coalesce(above.name, parent.name).label("parent_name"),
        )
        .select_from(Membership)
        .join(Unit, Unit.id == Membership.unit_id)
        .outerjoin(own, and_(own.unit_id == Unit.id, valid_on(own, day)))
        .outerjoin(parent, parent.id == parent_id)
        .outerjoin(above, and_(above.unit_id == parent.id, valid_on(above, day)))
        .where(Membership.person_id == person_id, valid_on(Membership, day))
        .order_by(Membership.valid_from.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return PersonUnitOnDay(row.id, row.kind, row.name, row.parent_name)


def was_below_on_or_after(unit_id: int, ancestor_ids: Collection[int], day: date) -> bool:
    """Whether `unit_id` stood below any of `ancestor_ids` on `day` or on any later day.

    Today's tree has no cycle, but a move dated in the past could make one on the days between
    (A under B until June, B moved under A from March): the tree of those days would lose both.
    The ancestors of `unit_id` are walked for every day on which any row begins or ends, in one
    recursive statement; UNION (not UNION ALL) makes it stop even on a cycle."""
    days = (
        select(literal(day, Date).label("day"))
        .union(
            select(UnitPlacement.valid_from).where(UnitPlacement.valid_from > day),
            select(UnitPlacement.valid_to).where(UnitPlacement.valid_to > day),
        )
        .cte("days")
    )
    chain = select(days.c.day, literal(unit_id, Integer).label("unit_id")).cte(
        "chain", recursive=True
    )
    chain = chain.union(
        select(chain.c.day, UnitPlacement.parent_id).join(
            UnitPlacement,
            and_(
                UnitPlacement.unit_id == chain.c.unit_id,
                valid_on(UnitPlacement, chain.c.day),
                UnitPlacement.parent_id.is_not(None),
            ),
        )
    )
    found = select(chain.c.unit_id).where(chain.c.unit_id.in_(list(ancestor_ids))).limit(1)
    return db.session.scalar(found) is not None
