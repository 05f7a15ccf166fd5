"""Who may keep training records, and the text checks every record shares.

An officer keeps the records of their own units (their subtree); the ICT admin, the whole
province; the console (`actor` None) acts as the operator, who can reach the database anyway.
Learners keep none: a service refuses them outright, so a page that forgot its guard still
writes nothing.
"""

from __future__ import annotations

from flask_babel import gettext as _

from training.errors import FieldProblem, NotAllowed
from training.org.models import Person, Role
from training.org.people import VISIBLE_ONLY, Actor
from training.org.scope import NoScope, Scope, scope_of
from training.text import has_invisible_characters, nfc


def manager_scope(actor: Actor) -> Scope:
    if actor is None:
        return Scope(root=None)
    try:
        return scope_of(actor)
    except NoScope as err:
        raise NotAllowed(
            _("Only unit IT officers and the province's ICT administrators keep training records.")
        ) from err


def require_admin(actor: Actor) -> None:
    """The course mapping and the log are the province's: one list for every unit."""
    if actor is not None and actor.role != Role.ICT_ADMIN:
        raise NotAllowed(_("Only the province's ICT administrators can do this."))


def actor_id(actor: Person | None) -> int | None:
    return actor.id if actor is not None else None


def one_line(value: str | None) -> str:
    """NFC, with runs of spaces (and line breaks typed into a one-line box) made one space."""
    return " ".join(nfc(value or "").split())


def paragraph(value: str | None) -> str:
    """NFC, trimmed; line breaks kept (a reason may run over several lines)."""
    return "\n".join(line.rstrip() for line in nfc(value or "").strip().splitlines())


def text_problems(
    field: str, value: str, *, limit: int, minimum: int = 1, missing: str, multiline: bool = False
) -> list[FieldProblem]:
    """What is wrong with one text value: missing or too short (`missing` says what is
    expected), too long, or holding characters that would not read as what they are."""
    if len(value) < minimum:
        return [FieldProblem(field, missing)]
    if len(value) > limit:
        return [FieldProblem(field, _("This field takes at most %(num)d characters.", num=limit))]
    checked = value.replace("\n", " ") if multiline else value
    if has_invisible_characters(checked):
        return [FieldProblem(field, _(VISIBLE_ONLY))]
    return []
