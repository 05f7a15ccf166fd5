"""Where a redirect may lead: a kernel helper, since sign-in and the language switch both
follow a `next` that arrives from the client."""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: `//evil.example`, `https://…` and anything carrying a control
    character (a CR/LF would split the Location header) are dropped."""
    if not target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
