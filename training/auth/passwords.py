"""Password hashing with Argon2id, the memory-hard KDF RFC 9106 recommends.

Parameters come from the app config so tests can use cheap ones; a stored hash records its own
parameters, so raising them later only needs `needs_rehash` at the next sign-in.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MIN_LENGTH = 10

# Verified against when the username is unknown, so a failed sign-in takes the same time
# whether or not the account exists.
_DUMMY_PASSWORD = "khien-timing-equaliser"  # noqa: S105 - not a credential


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config["PASSWORD_TIME_COST"], memory_cost=config["PASSWORD_MEMORY_COST"]
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    hasher = _hasher()
    try:
        if stored_hash is None:
            hasher.verify(hasher.hash(_DUMMY_PASSWORD), password)
            return False
        return hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher().check_needs_rehash(stored_hash)
