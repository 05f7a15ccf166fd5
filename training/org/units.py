"""Rules for the organisation tree: adding, renaming, moving, merging and retiring units.

Every change is dated and logged as a `UnitEvent` (the audit trail) and, in the same flush,
written as dated `UnitPlacement` rows (the history that `org/history.py` queries); people and
key-department flags keep dated rows too, so nothing a later report needs is overwritten.
A change cannot take effect before the row it closes began: history would run backwards.
Functions flush, never commit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import selectinload

from training.errors import RuleViolation
from training.extensions import db
from training.org.changes import note_people, note_tree
from training.org.event_text import followed_merger_note, people_moved_note
from training.org.history import was_below_on_or_after
from training.org.models import (
    Membership,
    Person,
    Unit,
    UnitEvent,
    UnitEventKind,
    UnitKeyPeriod,
    UnitKind,
    UnitPlacement,
)
from training.text import fold, has_invisible_characters, nfc

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
    note_tree(today=today)


def _require_active_parent(parent: Unit | None) -> None:
    if parent is not None and not parent.is_active:
        raise RuleViolation(
            "parent", _("Unit %(code)s is retired and cannot take new units.", code=parent.code)
        )


def _open_placement(unit_id: int) -> UnitPlacement | None:
    return db.session.scalar(
        select(UnitPlacement).where(
            UnitPlacement.unit_id == unit_id, UnitPlacement.valid_to.is_(None)
        )
    )


def _placed_later(code: str, since: date) -> RuleViolation:
    return RuleViolation(
        "effective_on",
        _(
            "%(code)s has had its current name and parent unit since %(date)s; this change "
            "cannot take effect before that.",
            code=code,
            date=since.strftime("%d/%m/%Y"),
        ),
    )


def _require_standing_since(unit: Unit, today: date) -> None:
    """A change closes the unit's open placement, which must not end before it began (the
    table's CHECK constraint): said in words, as for a person moved before they joined."""
    current = _open_placement(unit.id)
    if current is not None and today < current.valid_from:
        raise _placed_later(unit.code, current.valid_from)


def _require_existed(unit: Unit, today: date, field: str) -> None:
    """A unit takes sub-units only from the day it existed: the tree of an earlier day would
    hang them from nothing."""
    began = db.session.scalar(
        select(func.min(UnitPlacement.valid_from)).where(UnitPlacement.unit_id == unit.id)
    )
    if began is not None and today < began:
        raise RuleViolation(
            field,
            _(
                "%(code)s did not exist yet on %(date)s.",
                code=unit.code,
                date=today.strftime("%d/%m/%Y"),
            ),
        )


def _require_not_below_then(
    target: Unit, unit: Unit, unit_ids: list[int], today: date, field: str
) -> None:
    """`is_in_subtree` checks today's tree; a dated change also rewrites the days between its
    date and today, and must not put a unit under its own sub-unit on any of them."""
    if was_below_on_or_after(target.id, unit_ids, today):
        raise RuleViolation(
            field,
            _(
                "%(target)s was under %(code)s on or after %(date)s: this change, dated so, "
                "would place a unit under its own sub-unit.",
                target=target.code,
                code=unit.code,
                date=today.strftime("%d/%m/%Y"),
            ),
        )


def _close_placement(unit_id: int, today: date) -> None:
    current = _open_placement(unit_id)
    if current is None:
        return
    if current.valid_from == today:  # it never held for a whole day: no zero-length row
        db.session.delete(current)
        db.session.flush()  # gone before a row of the same day is added: (unit, valid_from)
    else:
        current.valid_to = today


def _place(unit_id: int, parent_id: int | None, name: str, today: date) -> None:
    """Close the open placement at `today` and open the new one, as `move_person_to_unit` does
    with memberships. A change undone the same day (renamed, then renamed back) reopens the
    row that ended today instead of adding its copy."""
    _close_placement(unit_id, today)
    previous = db.session.scalar(
        select(UnitPlacement).where(
            UnitPlacement.unit_id == unit_id, UnitPlacement.valid_to == today
        )
    )
    if previous is not None and (previous.parent_id, previous.name) == (parent_id, name):
        previous.valid_to = None
    else:
        db.session.add(
            UnitPlacement(unit_id=unit_id, parent_id=parent_id, name=name, valid_from=today)
        )


MAX_UNIT_NAME = 200


def clean_unit_name(name: str) -> str:
    """A unit's name as it will be shown: NFC, single spaces, visible characters, fits its
    column (checked here, so SQLite and PostgreSQL answer alike)."""
    name = " ".join(nfc(name).split())
    if not name:
        raise RuleViolation("name", _("A unit needs a name."))
    if len(name) > MAX_UNIT_NAME:
        raise RuleViolation(
            "name", _("This field takes at most %(num)d characters.", num=MAX_UNIT_NAME)
        )
    if has_invisible_characters(name):
        raise RuleViolation(
            "name",
            _(
                "Use visible letters, digits and punctuation only: control, invisible and "
                "direction-changing characters are not accepted."
            ),
        )
    return name


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
    if not CODE_PATTERN.match(code):
        raise RuleViolation("code", _("A unit code is 1 to 32 letters, digits, '.', '_' or '-'."))
    name = clean_unit_name(name)
    if get_unit_by_code(code) is not None:
        raise RuleViolation("code", _("The code %(code)s is already in use.", code=code))
    _require_active_parent(parent)
    if parent is not None:
        _require_existed(parent, today, "parent")
    unit = Unit(
        code=code, name=name, kind=kind, parent=parent, path="", is_key_department=is_key_department
    )
    db.session.add(unit)
    db.session.flush()  # the id is part of the path
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    _log(unit, UnitEventKind.CREATED, today, None, name)
    db.session.add(
        UnitPlacement(unit_id=unit.id, parent_id=unit.parent_id, name=name, valid_from=today)
    )
    if is_key_department:
        db.session.add(UnitKeyPeriod(unit_id=unit.id, valid_from=today))
    return unit


def rename_unit(unit: Unit, name: str, *, today: date) -> None:
    name = clean_unit_name(name)
    if name == unit.name:
        return
    _require_standing_since(unit, today)
    _log(unit, UnitEventKind.RENAMED, today, unit.name, name)
    _place(unit.id, unit.parent_id, name, today)
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
    _require_standing_since(unit, today)
    _require_existed(new_parent, today, "parent")
    _require_not_below_then(new_parent, unit, [unit.id], today, "parent")
    old = unit.parent.code if unit.parent else None
    _log(unit, UnitEventKind.MOVED, today, old, new_parent.code)
    _place(unit.id, new_parent.id, unit.name, today)
    _reparent(unit, new_parent)


def active_children(unit: Unit) -> Sequence[Unit]:
    return db.session.scalars(
        select(Unit).where(Unit.parent_id == unit.id, Unit.retired_on.is_(None)).order_by(Unit.code)
    ).all()


def _joined_later(field: str, name: str, joined: date) -> RuleViolation:
    return RuleViolation(
        field,
        _(
            "%(name)s joined their current unit on %(date)s; a "
            "move cannot take effect before that.",
            name=name,
            date=joined.strftime("%d/%m/%Y"),
        ),
    )


def move_person_to_unit(person: Person, unit: Unit, *, today: date) -> None:
    """Close the current membership and open one at `unit`; the old row stays as history."""
    if person.unit_id == unit.id:
        return
    current = db.session.scalar(
        select(Membership).where(Membership.person_id == person.id, Membership.valid_to.is_(None))
    )
    if current is not None:
        if today < current.valid_from:
            raise _joined_later("unit", person.full_name, current.valid_from)
        current.valid_to = today
    db.session.add(Membership(person_id=person.id, unit_id=unit.id, valid_from=today))
    person.unit = unit
    note_people([person.id], today=today)


@dataclass(frozen=True)
class MergePlan:
    """What a merger will do, for the administrator to confirm before it happens."""

    unit: Unit
    into: Unit
    effective_on: date
    people: int
    sub_units: Sequence[Unit]


def plan_merge(unit: Unit, into: Unit, *, today: date) -> MergePlan:
    """Every rule of `merge_unit`, checked without changing anything, so a merger that would be
    refused is refused before anyone is asked to confirm it."""
    if not unit.is_active:
        raise RuleViolation("unit", _("Unit %(code)s is retired.", code=unit.code))
    if is_in_subtree(into, unit):
        raise RuleViolation(
            "into",
            _("%(code)s cannot merge into itself or one of its own sub-units.", code=unit.code),
        )
    _require_active_parent(into)
    _key_period_ending(unit, today)
    _require_standing_since(unit, today)
    _require_existed(into, today, "into")
    children = active_children(unit)
    late = db.session.execute(  # its sub-units' placements close and reopen under `into`
        select(Unit.code, UnitPlacement.valid_from)
        .join(UnitPlacement, UnitPlacement.unit_id == Unit.id)
        .where(Unit.parent_id == unit.id, Unit.retired_on.is_(None))
        .where(UnitPlacement.valid_to.is_(None), UnitPlacement.valid_from > today)
        .order_by(UnitPlacement.valid_from.desc(), Unit.code)
        .limit(1)
    ).first()
    if late is not None:
        raise _placed_later(late.code, late.valid_from)
    _require_not_below_then(into, unit, [unit.id, *(c.id for c in children)], today, "into")
    latest = db.session.execute(
        select(Person.full_name, Membership.valid_from)
        .join(Membership, Membership.person_id == Person.id)
        .where(Person.unit_id == unit.id, Membership.valid_to.is_(None))
        .where(Membership.valid_from > today)
        .order_by(Membership.valid_from.desc(), Person.id)
        .limit(1)
    ).first()
    if latest is not None:  # move_person_to_unit would refuse this person
        raise _joined_later("effective_on", latest.full_name, latest.valid_from)
    people = db.session.scalar(select(func.count(Person.id)).where(Person.unit_id == unit.id))
    return MergePlan(unit, into, today, int(people or 0), children)


def merge_unit(unit: Unit, into: Unit, *, today: date) -> int:
    """Everyone in `unit` moves to `into` (dated), its sub-units follow, and it retires.
    Returns how many people moved."""
    plan_merge(unit, into, today=today)
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
            note=followed_merger_note(unit.code, into.code),
        )
        _place(child.id, into.id, child.name, today)
        _reparent(child, into)
    _log(unit, UnitEventKind.MERGED, today, None, into.code, note=people_moved_note(len(people)))
    _close_placement(unit.id, today)
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
    _require_standing_since(unit, today)
    _log(unit, UnitEventKind.RETIRED, today, None, None)
    _close_placement(unit.id, today)
    _close_key_period(unit, today)
    unit.retired_on = today


def _key_period_ending(unit: Unit, today: date) -> UnitKeyPeriod | None:
    """The unit's open key-department period, if any, which must not end before it began (the
    table's CHECK constraint): said in words when a change is dated further back than that."""
    period = db.session.scalar(
        select(UnitKeyPeriod).where(
            UnitKeyPeriod.unit_id == unit.id, UnitKeyPeriod.valid_to.is_(None)
        )
    )
    if period is not None and today < period.valid_from:
        raise RuleViolation(
            "effective_on",
            _(
                "%(code)s has been a key department since %(date)s; this change cannot take "
                "effect before that.",
                code=unit.code,
                date=period.valid_from.strftime("%d/%m/%Y"),
            ),
        )
    return period


def _close_key_period(unit: Unit, today: date) -> None:
    period = _key_period_ending(unit, today)
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
    if include_retired:
        query = query.options(selectinload(Unit.merged_into))
    else:
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
