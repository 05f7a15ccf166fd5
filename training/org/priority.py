"""Who is priority staff today (D2): drafters of classified documents, and everyone in a key
department or in any unit below one.

A division inherits its department's priority, so the test is over the unit's ancestors. Today's
answer is a column (`Unit.in_key_subtree`, derived before each commit that reshapes the tree), so a
list of people asks no query per person; a past day's comes from the dated tree.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import aliased

from training.extensions import db
from training.org.history import tree_on, valid_on
from training.org.models import Membership, Person, PersonFlag, PersonFlagPeriod, Unit


def priority_now() -> ColumnElement[bool]:
    """SQL, correlated to `Person`: priority today."""
    own = aliased(Unit)
    return Person.drafts_classified.is_(True) | exists().where(
        own.id == Person.unit_id, own.in_key_subtree.is_(True)
    )


def key_subtree_ids() -> frozenset[int]:
    """The ids of every unit in a key subtree today."""
    return frozenset(db.session.scalars(select(Unit.id).where(Unit.in_key_subtree.is_(True))))


def key_subtree_on(day: date) -> set[int]:
    """The units that were, on `day`, a key department or below one (as the tree stood then)."""
    tree = tree_on(day)
    return {unit.id for unit in tree if any(tree.by_id[i].is_key_department for i in unit.path)}


def priority_on(day: date, person_id: ColumnElement[int]) -> ColumnElement[bool]:
    """SQL: the person was priority staff on `day`: a classified drafter that day, or a member
    that day of a unit then in a key subtree. Building it reads the tree of that day once."""
    drafters = select(PersonFlagPeriod.person_id).where(
        PersonFlagPeriod.flag == PersonFlag.DRAFTS_CLASSIFIED, valid_on(PersonFlagPeriod, day)
    )
    in_key_units = select(Membership.person_id).where(
        valid_on(Membership, day), Membership.unit_id.in_(sorted(key_subtree_on(day)))
    )
    return person_id.in_(drafters) | person_id.in_(in_key_units)
