"""What the records imports share: their limits, the employee-ID column, and finding the people
a file names — in one query, with the actor's scope applied row by row.

A row naming someone the actor may not record for is a problem of that row, never a silent skip;
for an officer its message is the same whether the ID belongs to nobody or to someone in
another unit, so a file cannot be used to learn who works where.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import fields
from typing import Any, TypeVar

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from training.extensions import db
from training.org.models import Person, Role, Unit
from training.org.people import Actor, may_manage
from training.org.scope import Scope
from training.records.actors import manager_scope
from training.tables import Column, TableLimits

T = TypeVar("T")

# Attendance sheets and outside certificates are lists of tens or hundreds of people; a
# province-wide export of the national platform runs to tens of thousands of rows and belongs
# to the command line. The web form carries the file back with the confirmation, so its size
# stays well under the request limit (MAX_CONTENT_LENGTH) once encoded.
DEFAULT_LIMITS = TableLimits(
    max_bytes=2 * 1024 * 1024,
    max_rows=50_000,
    max_cell=500,
    max_unzipped=50 * 1024 * 1024,
)
CONFIG_PREFIX = "RECORDS_IMPORT"

EMPLOYEE_ID = Column(
    "employee_id",
    ("Mã nhân viên", "Mã cán bộ", "Mã CBCCVC", "Mã định danh", "Employee ID", "Staff ID"),
    required=True,
)


def import_limits(config: Mapping[str, Any]) -> TableLimits:
    """`RECORDS_IMPORT_MAX_BYTES`, `_MAX_ROWS`, `_MAX_CELL`, `_MAX_UNZIPPED` when set, else the
    defaults above."""
    return TableLimits(
        **{
            f.name: int(
                config.get(f"{CONFIG_PREFIX}_{f.name.upper()}", getattr(DEFAULT_LIMITS, f.name))
            )
            for f in fields(TableLimits)
        }
    )


CHUNK = 1000  # values per IN list: SQLite caps the parameters of one statement


def chunks(values: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def people_by_employee_id(employee_ids: Iterable[str]) -> dict[str, Person]:
    """One query per thousand IDs for a whole file, each person with their unit."""
    found: dict[str, Person] = {}
    for wanted in chunks(sorted({e for e in employee_ids if e})):
        people = db.session.scalars(
            select(Person).options(joinedload(Person.unit)).where(Person.employee_id.in_(wanted))
        ).all()
        found.update((p.employee_id, p) for p in people if p.employee_id)
    return found


def person_problem(
    person: Person | None, employee_id: str, *, actor: Actor, within: Unit | None = None
) -> str | None:
    """Why a row's person cannot be recorded by the actor, or None. `within`: a unit the person
    must belong to (a session's)."""
    scope = manager_scope(actor)
    officer = actor is not None and actor.role != Role.ICT_ADMIN
    if person is None or (officer and not scope.contains(person.unit)):
        if officer:
            return _("No person you manage has the employee ID %(id)s.", id=employee_id)
        return _("No person has the employee ID %(id)s.", id=employee_id)
    if not may_manage(actor, person):
        return _(
            "%(name)s is not a learner you manage; the province's ICT administrators can "
            "record them.",
            name=person.full_name,
        )
    if within is not None and not Scope(root=within).contains(person.unit):
        return _(
            "%(name)s is not in %(unit)s, the unit the session was held for.",
            name=person.full_name,
            unit=within.name,
        )
    return None
