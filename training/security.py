"""Response headers that make a page harder to misuse even if something slips through.

The site loads nothing from elsewhere (it runs offline), so the content security policy can be
strict: scripts, fonts, frames and form targets from this site only. Inline styles stay allowed
because Markdown tables align cells with them; they cannot run code.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, abort, request
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.routing import IntegerConverter, Map

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def init_security_headers(app: Flask) -> None:
    @app.after_request
    def _add_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if request.endpoint != "static" and current_user and current_user.is_authenticated:
            # Pages for a signed-in person hold personal data: on a shared office PC the back
            # button after sign-out must not show them from the browser's cache.
            response.headers["Cache-Control"] = "no-store"
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        return response


class BoundedIntConverter(IntegerConverter):
    """`<int:…>` in every route, limited to what a database id can be: a 30-digit id in a URL is
    simply not found (404), instead of overflowing the database driver (500)."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)


def _has_nul(fields: MultiDict[str, str]) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in values) for key, values in fields.lists()
    )


def init_request_hygiene(app: Flask) -> None:
    """A NUL byte is never meaningful input, and PostgreSQL refuses it in text with an error
    that would surface as a 500; refuse the request as malformed before any view sees it."""

    @app.before_request
    def _refuse_nul_bytes() -> None:
        if "\x00" in request.path or _has_nul(request.args):
            abort(400)
        if request.method == "POST" and _has_nul(request.form):
            abort(400)
