"""Who may see which report: the ICT admin the whole province, a unit officer their own unit
with everything below it, as the tree stood on the report's day. Every report, screen and
export asks here; a unit outside the reader's subtree is refused like a missing one (404)."""

from __future__ import annotations

from datetime import date

from training.org.models import Person, Role
from training.org.scope import NoScope
from training.reports.coverage import Filters, Scope, UnitNotStanding, scope_on


class OutOfScope(LookupError):
    """The reader may not see this unit on this day (or it did not stand then)."""


def filters_for(
    reader: Person | None,
    *,
    as_of: date,
    unit_id: int | None = None,
    course_id: int | None = None,
    priority_only: bool = False,
) -> Filters:
    """The report the reader asked for, narrowed to what they may see.

    An officer's report is of their unit's subtree *on that day*: a division moved away from
    them since is in their report of last year, one moved in since is not."""
    if reader is None or reader.role == Role.ICT_ADMIN:  # None: the console
        wanted = Filters(as_of, unit_id, course_id, priority_only)
        if unit_id is not None:
            _standing(wanted)
        return wanted
    if reader.role != Role.UNIT_OFFICER:
        raise NoScope(reader.username)
    own = Filters(as_of, reader.unit_id, course_id, priority_only)
    scope = _standing(own)
    if unit_id is None or unit_id == reader.unit_id:
        return own
    if unit_id not in scope.unit_ids:
        raise OutOfScope(unit_id)
    return Filters(as_of, unit_id, course_id, priority_only)


def _standing(filters: Filters) -> Scope:
    try:
        return scope_on(filters)
    except UnitNotStanding as err:
        raise OutOfScope(filters.unit_id) from err
