"""Flask-Login's hooks: how a session id becomes a person, and what anonymous visitors read."""

from __future__ import annotations

from hashlib import sha512

from flask import Flask, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from training.extensions import db, login_manager
from training.org.models import Person


def init_login(app: Flask) -> None:
    """Bind Flask-Login to the app with the site's rules: sign-in page, strong session
    protection on the real client address, sessions that name a session version."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    login_manager.user_loader(load_person)
    login_manager._session_identifier_generator = session_identifier


# Every signed-in request starts here. The person comes with their unit, which the home page
# shows, priority is read from and a manager's scope starts from: a query of its own otherwise.
# Built once: `Session.get` builds its statement afresh on every call, which cost about as much
# as running it.
_PERSON_WITH_UNIT = (
    select(Person).options(joinedload(Person.unit)).where(Person.id == bindparam("person_id"))
)


def load_person(session_id: str) -> Person | None:
    """The session names a person *and* the session version it was issued under. Sign-out, a
    password change or reset and deactivation bump the version, so every session issued before
    (a copied cookie, another device) ends at its next request."""
    person_id, _dot, version = session_id.partition(".")
    if not (person_id + version).isascii() or not (person_id.isdigit() and version.isdigit()):
        return None
    if len(person_id) > 18 or len(version) > 18:
        return None
    person = db.session.scalar(_PERSON_WITH_UNIT, {"person_id": int(person_id)})
    if person is None or not person.active or person.session_version != int(version):
        return None
    return person


def session_identifier() -> str:
    """Flask-Login's "strong" protection ties a session to the client; its own identifier reads
    `X-Forwarded-For` as the client sent it, so a thief could simply send the victim's address.
    `remote_addr` is the connecting address, or the one a configured `ProxyFix` vouches for."""
    base = f"{request.remote_addr}|{request.headers.get('User-Agent', '')}"
    return sha512(base.encode("utf-8")).hexdigest()
