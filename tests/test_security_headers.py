"""Every response carries the headers that keep pages from being framed, sniffed or fed
scripts from elsewhere."""

from __future__ import annotations


def test_pages_carry_a_strict_content_security_policy(app, database):
    response = app.test_client().get("/auth/login")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "onclick=" not in response.get_data(as_text=True)


def test_no_page_loads_anything_from_another_site(app, database):
    html = app.test_client().get("/auth/login").get_data(as_text=True)
    assert "http://" not in html.replace("http://localhost", "")
    assert "https://" not in html
