"""Who may manage whom.

An ICT admin manages the whole province; a unit IT officer manages their own unit and everything
below it; a learner manages nobody. Scope is applied inside the SQL query, so an out-of-scope row
is never loaded, and a URL naming one answers 404 exactly as a missing row would.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, select, true

from training.org.models import Person, Role, Unit


@dataclass(frozen=True)
class Scope:
    """`root` None means the whole province."""

    root: Unit | None

    def units(self) -> ColumnElement[bool]:
        if self.root is None:
            return true()
        return Unit.path.startswith(self.root.path, autoescape=True)

    def people(self) -> ColumnElement[bool]:
        if self.root is None:
            return true()
        return Person.unit_id.in_(select(Unit.id).where(self.units()))

    def contains(self, unit: Unit) -> bool:
        return self.root is None or unit.path.startswith(self.root.path)


class NoScope(Exception):
    """The person manages nobody."""


def scope_of(user: Person) -> Scope:
    if user.role == Role.ICT_ADMIN:
        return Scope(root=None)
    if user.role == Role.UNIT_OFFICER:
        return Scope(root=user.unit)
    raise NoScope(user.username)


def assignable_roles(user: Person) -> tuple[Role, ...]:
    """Only the province's admins hand out management roles; an officer creates learners."""
    if user.role == Role.ICT_ADMIN:
        return tuple(Role)
    return (Role.LEARNER,)
