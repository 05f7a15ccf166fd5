"""Static files named with a fingerprint of their content, so browsers keep them.

Every page links the stylesheet and the shield. Without a fingerprint a browser must ask again
on every page whether they changed (a round trip to the server each, over a commune's slow
link as much as anywhere); with one it keeps them for a year, and a release that changes a
file changes its URL, so nobody sees an old stylesheet with a new page. `url_for('static', …)`
adds `?v=` by itself: templates need nothing of their own.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

from flask import Flask, Response, request
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from werkzeug.security import safe_join

YEAR = 365 * 24 * 3600


class Fingerprints:
    """The first 12 hex digits of each file's SHA-256, worked out again only when the file's
    size or modification time changes (an edited stylesheet in development is seen at once)."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self._known: dict[str, tuple[tuple[int, int], str]] = {}

    def of(self, filename: str) -> str | None:
        """None for a file that is not there, or not inside the folder (its URL then says
        nothing and gets a 404)."""
        path = safe_join(self.folder, filename)
        if path is None:
            return None
        try:
            stat = os.stat(path)
        except (OSError, ValueError):
            return None
        mark = (stat.st_mtime_ns, stat.st_size)
        known = self._known.get(filename)
        if known is not None and known[0] == mark:
            return known[1]
        with open(path, "rb") as file:
            digest = hashlib.file_digest(file, "sha256").hexdigest()[:12]
        self._known[filename] = (mark, digest)
        return digest


class SessionInterface(SecureCookieSessionInterface):
    """A static file leaves the session alone. Flask-Login looks into the session after every
    response, and Flask then marks the response `Vary: Cookie`, which keeps browsers from
    reusing a file fetched with other cookies (the favicon is fetched without them): the
    shield was fetched again on every page."""

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if request.endpoint != "static":
            super().save_session(app, session, response)


def init_static_files(app: Flask) -> None:
    if app.static_folder is None:
        return
    app.session_interface = SessionInterface()
    fingerprints = Fingerprints(app.static_folder)

    @app.url_defaults
    def _add_fingerprint(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "v" not in values:
            version = fingerprints.of(str(values.get("filename", "")))
            if version is not None:
                values["v"] = version

    @app.after_request
    def _cache_fingerprinted(response: Response) -> Response:
        """Only a URL whose fingerprint is the file's own is kept: an old page asking for an
        old fingerprint gets today's file, revalidated as any unfingerprinted one is."""
        if request.endpoint != "static" or response.status_code != 200:
            return response
        filename = (request.view_args or {}).get("filename", "")
        if request.args.get("v") and request.args.get("v") == fingerprints.of(filename):
            response.cache_control.no_cache = None
            response.cache_control.public = True
            response.cache_control.max_age = YEAR
            response.cache_control.immutable = True
        return response
