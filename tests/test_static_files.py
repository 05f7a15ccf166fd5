"""The stylesheet and the shield are fetched once, not on every page: their URLs carry a
fingerprint of their content, and a fingerprinted file may be kept for a year."""

from __future__ import annotations

import os
import re

from training.static_files import YEAR, Fingerprints


def _static_links(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def test_pages_link_fingerprinted_files_that_browsers_may_keep(app, database):
    client = app.test_client()
    links = _static_links(client.get("/auth/login").get_data(as_text=True))
    assert {link.split("?")[0] for link in links} >= {
        "/static/css/site.css",
        "/static/img/shield.svg",
    }
    for link in links:
        assert re.search(r"\?v=[0-9a-f]{12}$", link), link
        response = client.get(link, headers={"Cookie": "session=anything"})
        assert response.status_code == 200
        assert response.cache_control.max_age == YEAR
        assert response.cache_control.immutable
        # Fetched with cookies or without (a favicon), it is the same file: one cache entry.
        assert "Vary" not in response.headers
        assert "Set-Cookie" not in response.headers
        response.close()


def test_an_unknown_fingerprint_gets_todays_file_checked_again(app, database):
    client = app.test_client()
    for url in ("/static/css/site.css", "/static/css/site.css?v=000000000000"):
        response = client.get(url)
        assert response.status_code == 200
        assert response.cache_control.no_cache
        assert response.cache_control.max_age is None
        response.close()
    assert client.get("/static/css/none.css?v=000000000000").status_code == 404


def test_a_changed_file_gets_a_new_fingerprint(tmp_path):
    (tmp_path / "static").mkdir()
    (tmp_path / "site.css").write_text("outside")
    css = tmp_path / "static" / "site.css"
    css.write_text("body { color: black; }")
    fingerprints = Fingerprints(str(tmp_path / "static"))
    before = fingerprints.of("site.css")
    assert before == fingerprints.of("site.css")
    css.write_text("body { color: navy; }")
    stat = os.stat(css)  # a second edit within the clock's tick must still be seen
    os.utime(css, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    after = fingerprints.of("site.css")
    assert after is not None
    assert after != before
    assert fingerprints.of("missing.css") is None
    assert fingerprints.of("../site.css") is None  # nothing outside the folder is read
