"""First sign-in: one-time tokens for people who never had a password.

A roster import creates staff records; the people behind them choose their own password, so
no officer ever knows it. Whoever has an e-mail address gets a link; whoever has none gets a
short code, printed on a slip that the officer hands over with the username. Either works once,
until it expires, and only for an account that still has no password.

Only a hash is stored, so a copy of the database signs nobody in. A link carries 256 random
bits and is hashed with plain SHA-256. A code is short enough to be typed (50 bits), which is
also short enough to be found from a stolen hash by brute force, so its hash is keyed with the
site's SECRET_KEY (HMAC-SHA-256) and tied to the person: replacing the key voids every code not
yet used, and guessing online is throttled like passwords (`throttle`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update

from training.auth.models import SignInToken, TokenKind
from training.clock import VN_TZ
from training.errors import KhienError
from training.extensions import db
from training.mail import queue_mail
from training.org.models import Person
from training.org.people import Actor, require_may_manage, store_password

LINK_DAYS = 14
CODE_DAYS = 30
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: codes are read and typed
CODE_LENGTH = 10


class TokenRefused(KhienError):
    """A link or code that signs nobody in: unknown, used, replaced or expired. The message
    says which, and what to do; nothing was changed."""


@dataclass(frozen=True)
class IssuedToken:
    """A token as issued: the secret exists only here, never in the database. `expires_on` is
    the last day it works, on the Vietnamese calendar, as printed on a slip."""

    person: Person
    kind: TokenKind
    secret: str
    expires_at: datetime

    @property
    def expires_on(self) -> date:
        return (self.expires_at.astimezone(VN_TZ) - timedelta(seconds=1)).date()


def _link_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def normalise_code(code: str) -> str:
    """What the person typed, as issued: case, spaces and dashes do not matter."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _code_hash(person_id: int, code: str) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    message = f"code:{person_id}:{normalise_code(code)}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def site_url(endpoint: str, **values: str) -> str:
    """An address on the site as the public sees it (`BASE_URL`), from a request or from the
    command line alike: never built from a request's Host header."""
    base = current_app.config["BASE_URL"]
    adapter = current_app.url_map.bind(urlsplit(base).netloc or "localhost")
    return base + adapter.build(endpoint, values)


def issue_first_sign_in(
    people: Sequence[Person], *, actor: Actor, now: datetime
) -> list[IssuedToken]:
    """A link for each person with an e-mail address (the message is queued: it leaves only
    once the transaction commits) and a code for the others. A person who already has a
    password, or is disabled, is left out: this is a first sign-in, not a password reset."""
    return _issue(people, actor=actor, now=now, links=True)


def issue_codes(people: Sequence[Person], *, actor: Actor, now: datetime) -> list[IssuedToken]:
    """Fresh printed codes, e-mail or not: for slips an officer hands out again (a lost slip,
    an e-mail that never arrived)."""
    return _issue(people, actor=actor, now=now, links=False)


def _issue(
    people: Sequence[Person], *, actor: Actor, now: datetime, links: bool
) -> list[IssuedToken]:
    """Any token a person still held unused is revoked first, in one statement for them all
    (the database allows one open token a person)."""
    people = [p for p in people if p.password_hash is None and p.active]
    for person in people:
        require_may_manage(actor, person)
    if not people:
        return []
    db.session.execute(
        update(SignInToken)
        .where(
            SignInToken.person_id.in_([p.id for p in people]),
            SignInToken.used_at.is_(None),
            SignInToken.revoked_at.is_(None),
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    issued: list[IssuedToken] = []
    rows: list[SignInToken] = []
    for person in people:
        if links and person.email:
            secret = secrets.token_urlsafe(32)
            kind, token_hash, days = TokenKind.LINK, _link_hash(secret), LINK_DAYS
        else:
            secret = _new_code()
            kind, token_hash, days = TokenKind.CODE, _code_hash(person.id, secret), CODE_DAYS
        expires_at = now + timedelta(days=days)
        rows.append(
            SignInToken(
                person_id=person.id,
                kind=kind,
                token_hash=token_hash,
                expires_at=expires_at,
                created_by_id=actor.id if actor is not None else None,
                created_at=now,
            )
        )
        issued.append(IssuedToken(person, kind, secret, expires_at))
    db.session.add_all(rows)
    for token in issued:
        if token.kind == TokenKind.LINK:
            _queue_welcome(token)
    return issued


def _queue_welcome(token: IssuedToken) -> None:
    person = token.person
    locale = person.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        context = {
            "person": person,
            "url": site_url("auth.welcome", token=token.secret),
            "expires_on": token.expires_on.strftime("%d/%m/%Y"),
        }
        queue_mail(
            to=[person.email or ""],
            subject=_("Your Khiên account: choose your password"),
            body=render_template("auth/welcome_mail.txt", **context),
            html=render_template("auth/welcome_mail.html", **context),
        )


def _usable(token: SignInToken | None, *, now: datetime) -> SignInToken:
    if token is None:
        raise TokenRefused(
            _(
                "This link is not valid. Check that it was copied whole, or ask your unit's "
                "IT officer for a new one."
            )
        )
    if token.used_at is not None or token.person.password_hash is not None:
        raise TokenRefused(
            _(
                "This link or code was already used: sign in with your username and the "
                "password you chose."
            )
        )
    if token.revoked_at is not None:
        raise TokenRefused(
            _(
                "This link or code was replaced by a newer one: use the latest you received, "
                "or ask your unit's IT officer."
            )
        )
    if token.expires_at <= now:
        raise TokenRefused(
            _(
                "This link or code expired on %(date)s. Ask your unit's IT officer for a new one.",
                date=token.expires_at.astimezone(VN_TZ).strftime("%d/%m/%Y"),
            )
        )
    if not token.person.active:
        raise TokenRefused(
            _("This account is disabled. Ask your unit's IT officer."),
        )
    return token


def find_link(token: str, *, now: datetime) -> SignInToken:
    """The token of a welcome link, if it may still be used; `TokenRefused` says why not."""
    row = db.session.scalar(
        select(SignInToken).where(
            SignInToken.token_hash == _link_hash(token), SignInToken.kind == TokenKind.LINK
        )
    )
    return _usable(row, now=now)


class CodeNotRecognised(TokenRefused):
    """Unknown username or wrong code: one message for both, counted as a failed sign-in."""


def find_code(username: str, code: str, *, now: datetime) -> SignInToken:
    """The code token of this username, if the code is right and may still be used."""
    person = db.session.scalar(select(Person).where(Person.username == username.strip().lower()))
    row = (
        db.session.scalar(
            select(SignInToken).where(
                SignInToken.person_id == person.id,
                SignInToken.kind == TokenKind.CODE,
                SignInToken.token_hash == _code_hash(person.id, code),
            )
        )
        if person is not None and normalise_code(code)
        else None
    )
    if row is None:
        raise CodeNotRecognised(
            _("The username or the code is not right. Type them as printed on your slip.")
        )
    return _usable(row, now=now)


def redeem(token: SignInToken, password: str, *, now: datetime) -> Person:
    """Set the first password and spend the token. The password rules are those of every
    password (`validate_password`); a refused password leaves the token usable. The token is
    spent by a conditional update, so two tabs submitting at once set one password."""
    person = token.person
    store_password(person, password)
    spent = db.session.execute(
        update(SignInToken)
        .where(SignInToken.id == token.id, SignInToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:  # type: ignore[attr-defined]
        raise TokenRefused(
            _(
                "This link or code was already used: sign in with your username and the "
                "password you chose."
            )
        )
    person.last_login_at = now
    return person
