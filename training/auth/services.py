"""Signing in and what a person does to their own account: the sign-in domain's services.

They stand on the people services of `org` (which own the records and the password rules) and
add what only the holder of the account may do.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from training.errors import KhienError, RuleViolation
from training.org.models import Person
from training.org.people import (
    MAX_EMAIL,
    find_by_username,
    normalise_email,
    search_key_of,
    store_password,
)
from training.passwords import hash_password, needs_rehash, verify_password
from training.text import has_invisible_characters, nfc


class SignInFailed(KhienError):
    """One message for unknown user, wrong password and disabled account: telling them apart
    would let anyone probe which usernames exist."""


def authenticate(username: str, password: str, *, now: datetime) -> Person:
    """Exactly one Argon2 verification on every path (unknown name, record without a password,
    wrong password, disabled account), so the time taken tells nothing."""
    person = find_by_username(username)
    ok = verify_password(person.password_hash if person else None, password)
    if person is None or not ok or not person.active:
        raise SignInFailed(_("Wrong username or password, or the account is disabled."))
    if needs_rehash(person.password_hash or ""):
        person.password_hash = hash_password(password)
    person.last_login_at = now
    return person


def change_own_password(person: Person, current: str, new: str) -> None:
    if not verify_password(person.password_hash, current):
        raise RuleViolation("current_password", _("The current password is not correct."))
    store_password(person, new)


def update_own_profile(person: Person, *, email: str | None, locale: str) -> None:
    email = nfc(email or "").strip() or None
    if email is not None and (len(email) > MAX_EMAIL or has_invisible_characters(email)):
        raise RuleViolation("email", _("This e-mail address is not valid."))
    person.email = normalise_email(email)
    person.locale = locale
    person.search_key = search_key_of(person)
