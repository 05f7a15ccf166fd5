"""One-time sign-in tokens: how a person who never had a password gets their first one.

A roster import creates people without passwords. Each gets a token: a link sent by e-mail
when the roster has an address, or a short code printed on a slip the officer hands out. Only a
hash of the token is stored, so a copy of the database signs nobody in; the token works once,
until it expires, and a new one replaces any earlier one still unused.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from training.clock import utcnow
from training.db import UTCDateTime, str_enum
from training.extensions import Model
from training.org.models import Person


class TokenKind(enum.StrEnum):
    LINK = "link"  # e-mailed: a long random token in a URL
    CODE = "code"  # printed: a short code typed with the username


class SignInToken(Model):
    __tablename__ = "sign_in_tokens"
    __table_args__ = (
        # One unused token per person: issuing a new one retires the old in the same
        # transaction, and the index refuses two at once.
        Index(
            "uq_sign_in_tokens_open",
            "person_id",
            unique=True,
            sqlite_where=text("used_at IS NULL AND revoked_at IS NULL"),
            postgresql_where=text("used_at IS NULL AND revoked_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    kind: Mapped[TokenKind] = mapped_column(str_enum(TokenKind))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
