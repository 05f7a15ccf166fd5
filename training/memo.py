"""Process caches keyed by a content hash that remember only what was found.

A lesson list, a lesson's HTML or a question pool asked for before its rows are committed (a
sync still running in another process, a hash read a moment too early) comes back empty. Such
an answer is true only for that moment, and `functools.lru_cache` would keep it for the life of
the process: the course would show no lessons until a restart. What was found cannot change
under its hash, so it is kept; an empty answer is asked again next time.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Generic, TypeVar

V = TypeVar("V")


class _NotFound(Exception):
    """Carries an empty answer out of `lru_cache`, which stores no call that raised."""

    def __init__(self, value: Any) -> None:
        super().__init__()
        self.value = value


class FoundCache(Generic[V]):
    """`lru_cache` of a one-argument loader, minus its empty answers."""

    def __init__(self, load: Callable[[str], V], maxsize: int) -> None:
        functools.update_wrapper(self, load)
        self._load = load
        self._cached = functools.lru_cache(maxsize=maxsize)(self._load_found)

    def _load_found(self, key: str) -> V:
        value = self._load(key)
        if not value:
            raise _NotFound(value)
        return value

    def __call__(self, key: str) -> V:
        try:
            return self._cached(key)
        except _NotFound as nothing:
            empty: V = nothing.value
            return empty

    def cache_clear(self) -> None:
        self._cached.cache_clear()

    def cache_info(self) -> functools._CacheInfo:
        return self._cached.cache_info()


def cache_found(maxsize: int) -> Callable[[Callable[[str], V]], FoundCache[V]]:
    """Like `functools.lru_cache(maxsize)`, for loaders whose empty answer may be temporary."""

    def decorate(load: Callable[[str], V]) -> FoundCache[V]:
        return FoundCache(load, maxsize)

    return decorate
