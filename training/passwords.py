"""Password hashing with Argon2id, the memory-hard KDF RFC 9106 recommends.

Parameters come from the app config so tests can use cheap ones; a stored hash records its own
parameters, so raising them later only needs `needs_rehash` at the next sign-in.
"""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from training.text import nfc

# Verified against when the username is unknown, so a failed sign-in takes the same time
# whether or not the account exists.
_DUMMY_PASSWORD = "khien-timing-equaliser"  # noqa: S105 - not a credential


def _hasher() -> PasswordHasher:
    config = current_app.config
    return _hasher_for(
        config["PASSWORD_TIME_COST"], config["PASSWORD_MEMORY_COST"], config["PASSWORD_PARALLELISM"]
    )


@lru_cache(maxsize=8)
def _hasher_for(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


@lru_cache(maxsize=8)
def _dummy_hash(hasher: PasswordHasher) -> str:
    """Hashed once per parameter set, not per request: hashing it on every unknown name made
    those sign-ins cost two Argon2 runs against one, which told names apart by timing."""
    return hasher.hash(_DUMMY_PASSWORD)


def hash_password(password: str) -> str:
    """NFC first: the same Vietnamese passphrase typed on two keyboards (precomposed or with
    combining marks) must be the same password."""
    return _hasher().hash(nfc(password))


def verify_password(stored_hash: str | None, password: str) -> bool:
    hasher = _hasher()
    try:
        if stored_hash is None:
            hasher.verify(_dummy_hash(hasher), nfc(password))
            return False
        return hasher.verify(stored_hash, nfc(password))
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher().check_needs_rehash(stored_hash)
