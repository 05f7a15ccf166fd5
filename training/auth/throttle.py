"""Slowing down password guessing without locking out the office.

Only *failed* sign-ins are counted, twice: per account (so guesses at one account from many
addresses are stopped) and per client address (so one machine cannot sweep many accounts).
Successful sign-ins cost nothing, so forty colleagues behind one office address can all sign in
at nine in the morning. A limit that is reached refuses further tries, right or wrong, until the
window moves on, and the page says how many minutes that is.

The counters live in the rate-limit storage (Redis in production, shared by every worker). If
that storage stops answering, sign-in must keep working: the counters fall back to this process's
memory for a while, a warning is logged, and `/healthz` reports the outage.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from flask import current_app, request
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter, RateLimiter

from training.extensions import limiter
from training.text import fold

log = logging.getLogger(__name__)

# After the shared storage failed, how long to use memory before asking it again: a dead Redis
# must not cost every sign-in a connection timeout.
RETRY_STORAGE_AFTER = 30.0


@dataclass(frozen=True)
class Blocked:
    seconds: int

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.seconds / 60))


class _Fallback:
    """Process-local counters, and when the shared storage may be tried again."""

    def __init__(self) -> None:
        self.strategy: RateLimiter = MovingWindowRateLimiter(MemoryStorage())
        self.retry_at = 0.0


def _fallback() -> _Fallback:
    return current_app.extensions.setdefault("khien_throttle_fallback", _Fallback())


def _limits() -> list[tuple[RateLimitItem, str]]:
    config = current_app.config
    return [
        (parse(config["LOGIN_FAILURES_PER_ACCOUNT"]), "account"),
        (parse(config["LOGIN_FAILURES_PER_ADDRESS"]), "address"),
    ]


def _keys(username: str) -> dict[str, str]:
    # Unknown usernames are counted like real ones: the lock itself must not reveal which exist.
    return {
        "account": fold(username.strip())[:64] or "-",
        "address": request.remote_addr or "-",
    }


def _run(operation: str, item: RateLimitItem, *identifiers: str) -> object:
    fallback = _fallback()
    if time.monotonic() >= fallback.retry_at:
        try:
            return getattr(limiter.limiter, operation)(item, *_namespace(), *identifiers)
        except Exception:
            fallback.retry_at = time.monotonic() + RETRY_STORAGE_AFTER
            log.warning(
                "Rate-limit storage unreachable: counting failed sign-ins in this process's "
                "memory for %d s",
                RETRY_STORAGE_AFTER,
                exc_info=True,
            )
    return getattr(fallback.strategy, operation)(item, *_namespace(), *identifiers)


def _namespace() -> tuple[str, str]:
    # The site's key prefix keeps two sites (or test runs) on one Redis apart.
    return (str(current_app.config.get("RATELIMIT_KEY_PREFIX") or "khien"), "sign-in-failures")


def blocked(username: str) -> Blocked | None:
    """Whether another try at this account, from this address, must wait, and how long."""
    keys = _keys(username)
    waits = []
    for item, kind in _limits():
        if not _run("test", item, kind, keys[kind]):
            stats = _run("get_window_stats", item, kind, keys[kind])
            reset_time = getattr(stats, "reset_time", time.time() + item.get_expiry())
            waits.append(max(1, math.ceil(reset_time - time.time())))
    return Blocked(max(waits)) if waits else None


def record_failure(username: str) -> None:
    keys = _keys(username)
    for item, kind in _limits():
        _run("hit", item, kind, keys[kind])


def storage_status() -> str:
    """For `/healthz`: "ok", or "fallback" while the shared storage does not answer."""
    try:
        healthy = limiter.storage.check()
    except Exception:
        healthy = False
    return "ok" if healthy else "fallback"
