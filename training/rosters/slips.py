"""First sign-in slips: one per person without e-mail, cut from an A4 sheet and handed over.

A code exists only at the moment it is issued (the database keeps its hash), so the slips are
made from the freshly issued tokens, before the commit, as plain values: a page of a thousand
slips then reads no database row. Lost slips are no trouble: issuing new codes voids the old.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask import current_app, render_template
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from training.auth.models import TokenKind
from training.auth.tokens import IssuedToken, site_url
from training.extensions import db
from training.org.models import Person, Role, Unit
from training.org.people import Actor, may_manage

STATIC_CSS = Path(__file__).resolve().parent.parent.parent / "static" / "css" / "slips.css"


@dataclass(frozen=True)
class Slip:
    full_name: str
    unit_name: str
    username: str
    code: str
    expires_on: date


def slips_of(tokens: Sequence[IssuedToken]) -> list[Slip]:
    """The code tokens as slips, by unit then name, as an officer hands them out."""
    slips = [
        Slip(
            full_name=t.person.full_name,
            unit_name=t.person.unit.name,
            username=t.person.username,
            code=t.secret,
            expires_on=t.expires_on,
        )
        for t in tokens
        if t.kind == TokenKind.CODE
    ]
    return sorted(slips, key=lambda s: (s.unit_name, s.full_name, s.username))


def awaiting_first_sign_in(
    *,
    actor: Actor,
    under: Unit | None = None,
    usernames: Sequence[str] = (),
    include_email: bool = True,
) -> list[Person]:
    """Active people who never set a password, under a unit and/or among usernames, whom the
    actor may manage (an officer: the learners of their own units)."""
    stmt = (
        select(Person)
        .join(Person.unit)
        .options(joinedload(Person.unit))
        .where(Person.active.is_(True), Person.password_hash.is_(None))
        .order_by(Unit.path, Person.search_key, Person.id)
    )
    if under is not None:
        stmt = stmt.where(Unit.path.startswith(under.path, autoescape=True))
    if usernames:
        stmt = stmt.where(Person.username.in_([u.strip().lower() for u in usernames]))
    if not include_email:
        stmt = stmt.where(Person.email.is_(None))
    if actor is not None and actor.role != Role.ICT_ADMIN:
        stmt = stmt.where(Person.role == Role.LEARNER)
    return [p for p in db.session.scalars(stmt) if may_manage(actor, p)]


def sign_in_address() -> str:
    return site_url("auth.first_sign_in")


def render_slips_file(slips: Sequence[Slip]) -> str:
    """A page that stands alone (its style inside it), to print from a file."""
    return render_template(
        "rosters/slips_file.html",
        slips=slips,
        address=sign_in_address(),
        css=STATIC_CSS.read_text(encoding="utf-8"),
        locale=current_app.config["BABEL_DEFAULT_LOCALE"],
    )
