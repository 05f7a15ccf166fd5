"""A process cache for what is computed from content alone: parsed YAML, rendered lessons.

Every sync, `content check` and visit of the content page reads the whole curriculum again,
though it rarely changed in between. A result that is a pure function of a text can be kept
under the hash of that text (and of whatever else it depends on, such as the renderer's
version) for the life of the process: a changed text has another hash. The cache is bounded by
the size of what it holds, least recently used out first. It keeps nothing empty, so that it
can never be the reason something shows up empty, and nothing that failed: callers put only
what they made.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Generic, TypeVar

V = TypeVar("V")


def content_key(*parts: str) -> str:
    """SHA-256 of the parts, kept apart by NUL (so only the last, the text, may hold one).
    `surrogatepass`: a text with a lone surrogate (it cannot come from a file) must still reach
    its parser and fail there, not here."""
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


class SizedCache(Generic[V]):
    """Thread-safe: a web worker's threads may read the catalog at the same time."""

    def __init__(self, max_size: int) -> None:
        self.max_size = max_size
        self._entries: OrderedDict[str, tuple[V, int]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> V | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return entry[0]

    def put(self, key: str, value: V, size: int) -> None:
        """`size` in whatever unit `max_size` counts; a value larger than the whole cache, or
        empty, is not kept."""
        if not value or size > self.max_size:
            return
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = (value, size)
            self._size += size
            while self._size > self.max_size:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._size -= dropped
