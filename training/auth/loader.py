"""Flask-Login's hooks: how a session id becomes a person, and what anonymous visitors read."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from training.extensions import db, login_manager
from training.org.models import Person

login_manager.login_message = _l("Please sign in to see this page.")
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_person(person_id: str) -> Person | None:
    """A deactivated person's open session ends at their next request."""
    if not person_id.isdigit():
        return None
    person = db.session.get(Person, int(person_id))
    return person if person is not None and person.active else None
