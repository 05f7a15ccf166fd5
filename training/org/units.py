"""Rules for the organisation tree: adding, renaming, moving, merging and retiring units.

Every change is dated and logged as a `UnitEvent`; people and key-department flags keep dated
rows, so nothing a later report needs is overwritten. Functions flush, never commit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, func, select, update

from training.errors import RuleViolation
from training.extensions import db
from training.org.models import (
    Membership,
    Person,
    Unit,
    UnitEvent,
    UnitEventKind,
    UnitKeyPeriod,
    UnitKind,
)
from training.text import fold, nfc

CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9_.-]{0,31}$")


def normalise_code(code: str) -> str:
    return code.strip().upper()


def get_unit_by_code(code: str) -> Unit | None:
    return db.session.scalar(select(Unit).where(Unit.code == normalise_code(code)))


def require_unit(code: str) -> Unit:
    unit = get_unit_by_code(code)
    if unit is None:
        raise RuleViolation("unit", _("No unit has the code %(code)s.", code=normalise_code(code)))
    return unit


def subtree_filter(root: Unit) -> ColumnElement[bool]:
    return Unit.path.startswith(root.path, autoescape=True)


def is_in_subtree(unit: Unit, root: Unit) -> bool:
    return unit.path.startswith(root.path)


def _log(
    unit: Unit,
    kind: UnitEventKind,
    today: date,
    old: str | None,
    new: str | None,
    note: str | None = None,
) -> None:
    db.session.add(
        UnitEvent(unit=unit, kind=kind, effective_on=today, old_value=old, new_value=new, note=note)
    )


def _require_active_parent(parent: Unit | None) -> None:
    if parent is not None and not parent.is_active:
        raise RuleViolation(
            "parent", _("Unit %(code)s is retired and cannot take new units.", code=parent.code)
        )


def add_unit(
    code: str,
    name: str,
    *,
    kind: UnitKind,
    parent: Unit | None,
    is_key_department: bool = False,
    today: date,
) -> Unit:
    code = normalise_code(code)
    name = nfc(name).strip()
    if not CODE_PATTERN.match(code):
        raise RuleViolation("code", _("A unit code is 1 to 32 letters, digits, '.', '_' or '-'."))
    if not name:
        raise RuleViolation("name", _("A unit needs a name."))
    if get_unit_by_code(code) is not None:
        raise RuleViolation("code", _("The code %(code)s is already in use.", code=code))
    _require_active_parent(parent)
    unit = Unit(
        code=code, name=name, kind=kind, parent=parent, path="", is_key_department=is_key_department
    )
    db.session.add(unit)
    db.session.flush()  # the id is part of the path
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    _log(unit, UnitEventKind.CREATED, today, None, name)
    if is_key_department:
        db.session.add(UnitKeyPeriod(unit_id=unit.id, valid_from=today))
    return unit


def rename_unit(unit: Unit, name: str, *, today: date) -> None:
    name = nfc(name).strip()
    if not name:
        raise RuleViolation("name", _("A unit needs a name."))
    if name == unit.name:
        return
    _log(unit, UnitEventKind.RENAMED, today, unit.name, name)
    unit.name = name


def _reparent(unit: Unit, new_parent: Unit) -> None:
    old_prefix = unit.path
    new_prefix = f"{new_parent.path}{unit.id}/"
    db.session.execute(
        update(Unit)
        .where(Unit.path.startswith(old_prefix, autoescape=True))
        .values(path=new_prefix + func.substr(Unit.path, len(old_prefix) + 1))
        .execution_options(synchronize_session=False)
    )
    unit.parent = new_parent
    db.session.flush()
    db.session.expire_all()


def move_unit(unit: Unit, new_parent: Unit, *, today: date) -> None:
    """Refuses a cycle (a unit under itself or its descendant) and a retired parent."""
    if not unit.is_active:
        raise RuleViolation("unit", _("Unit %(code)s is retired.", code=unit.code))
    if is_in_subtree(new_parent, unit):
        raise RuleViolation(
            "parent",
            _("%(code)s cannot move under itself or one of its own sub-units.", code=unit.code),
        )
    _require_active_parent(new_parent)
    if unit.parent_id == new_parent.id:
        return
    old = unit.parent.code if unit.parent else None
    _log(unit, UnitEventKind.MOVED, today, old, new_parent.code)
    _reparent(unit, new_parent)


def active_children(unit: Unit) -> Sequence[Unit]:
    return db.session.scalars(
        select(Unit).where(Unit.parent_id == unit.id, Unit.retired_on.is_(None)).order_by(Unit.code)
    ).all()


def move_person_to_unit(person: Person, unit: Unit, *, today: date) -> None:
    """Close the current membership and open one at `unit`; the old row stays as history."""
    if person.unit_id == unit.id:
        return
    current = db.session.scalar(
        select(Membership).where(Membership.person_id == person.id, Membership.valid_to.is_(None))
    )
    if current is not None:
        if today < current.valid_from:
            raise RuleViolation(
                "unit",
                _(
                    "%(name)s joined their current unit on %(date)s; a "
                    "move cannot take effect before that.",
                    name=person.full_name,
                    date=current.valid_from.strftime("%d/%m/%Y"),
                ),
            )
        current.valid_to = today
    db.session.add(Membership(person_id=person.id, unit_id=unit.id, valid_from=today))
    person.unit = unit


def merge_unit(unit: Unit, into: Unit, *, today: date) -> int:
    """Everyone in `unit` moves to `into` (dated), its sub-units follow, and it retires.
    Returns how many people moved."""
    if not unit.is_active:
        raise RuleViolation("unit", _("Unit %(code)s is retired.", code=unit.code))
    if is_in_subtree(into, unit):
        raise RuleViolation(
            "into",
            _("%(code)s cannot merge into itself or one of its own sub-units.", code=unit.code),
        )
    _require_active_parent(into)
    people = db.session.scalars(select(Person).where(Person.unit_id == unit.id)).all()
    for person in people:
        move_person_to_unit(person, into, today=today)
    for child in active_children(unit):
        _log(
            child,
            UnitEventKind.MOVED,
            today,
            unit.code,
            into.code,
            note=f"merge {unit.code} → {into.code}",
        )
        _reparent(child, into)
    _log(unit, UnitEventKind.MERGED, today, None, into.code, note=f"{len(people)} people moved")
    _close_key_period(unit, today)
    unit.merged_into = into
    unit.retired_on = today
    return len(people)


def retire_unit(unit: Unit, *, today: date) -> None:
    """A unit that still has people or active sub-units cannot retire: they would be orphaned.
    Merge it instead, or move them first."""
    if not unit.is_active:
        raise RuleViolation("unit", _("Unit %(code)s is already retired.", code=unit.code))
    if active_children(unit):
        raise RuleViolation(
            "unit",
            _("%(code)s still has active sub-units: move or retire them first.", code=unit.code),
        )
    if db.session.scalar(select(Person.id).where(Person.unit_id == unit.id).limit(1)):
        raise RuleViolation(
            "unit",
            _("%(code)s still has people: move them or merge the unit instead.", code=unit.code),
        )
    _log(unit, UnitEventKind.RETIRED, today, None, None)
    _close_key_period(unit, today)
    unit.retired_on = today


def _close_key_period(unit: Unit, today: date) -> None:
    period = db.session.scalar(
        select(UnitKeyPeriod).where(
            UnitKeyPeriod.unit_id == unit.id, UnitKeyPeriod.valid_to.is_(None)
        )
    )
    if period is not None:
        period.valid_to = today


def set_key_department(unit: Unit, is_key: bool, *, today: date) -> None:
    if unit.is_key_department == is_key:
        return
    if not unit.is_active:
        raise RuleViolation("unit", _("Unit %(code)s is retired.", code=unit.code))
    if is_key:
        db.session.add(UnitKeyPeriod(unit_id=unit.id, valid_from=today))
    else:
        _close_key_period(unit, today)
    _log(unit, UnitEventKind.KEY_FLAG, today, str(unit.is_key_department), str(is_key))
    unit.is_key_department = is_key


def units_under(root: Unit | None, *, include_retired: bool = False) -> Sequence[Unit]:
    """Units in tree order (by path), the whole tree when root is None."""
    query = select(Unit)
    if root is not None:
        query = query.where(subtree_filter(root))
    if not include_retired:
        query = query.where(Unit.retired_on.is_(None))
    units = db.session.scalars(query).all()
    return sorted(units, key=_tree_sort_key(units))


def _tree_sort_key(units: Sequence[Unit]) -> Callable[[Unit], tuple[str, ...]]:
    """Siblings sort by name, so a path of names (not ids) orders the tree for display."""
    by_id = {u.id: u for u in units}

    def key(unit: Unit) -> tuple[str, ...]:
        ids = [int(part) for part in unit.path.strip("/").split("/")]
        return tuple(fold(by_id[i].name) if i in by_id else "" for i in ids)

    return key


def unit_history(unit: Unit) -> Sequence[UnitEvent]:
    return db.session.scalars(
        select(UnitEvent).where(UnitEvent.unit_id == unit.id).order_by(UnitEvent.id)
    ).all()
