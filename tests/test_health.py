"""/healthz tells a load balancer whether this instance can reach its database."""

from __future__ import annotations


def test_healthz_is_200_with_a_database(app, database):
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "rate_limits": "ok"}


def test_healthz_is_503_without_a_database(make_app, tmp_path):
    missing = tmp_path / "no-such-folder" / "khien.db"  # SQLite cannot create it
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{missing}")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"


def test_healthz_needs_no_sign_in(app, database):
    assert app.test_client().get("/healthz").status_code == 200
