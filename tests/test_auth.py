"""Signing in and out, as a person at the keyboard would notice it."""

from __future__ import annotations

from tests.helpers import PASSWORD, sign_in
from training.extensions import db
from training.org.models import Person, Role

GENERIC = "Sai tên đăng nhập hoặc mật khẩu, hoặc tài khoản đã bị khoá."


def test_sign_in_leads_to_the_home_page(app, make_user):
    person = make_user(full_name="Trần Thị Mỹ Hạnh")
    client = app.test_client()
    response = client.post("/auth/login", data={"username": person.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "Trần Thị Mỹ Hạnh" in client.get("/").get_data(as_text=True)


def test_username_is_not_case_sensitive(app, make_user):
    person = make_user(username="hanh.tran")
    sign_in(app.test_client(), "HANH.TRAN")
    assert person.username == "hanh.tran"


def test_wrong_password_and_unknown_user_read_the_same(app, make_user):
    person = make_user()
    client = app.test_client()
    wrong = client.post("/auth/login", data={"username": person.username, "password": "sai"})
    unknown = client.post("/auth/login", data={"username": "khong-ton-tai", "password": "sai"})
    assert wrong.status_code == unknown.status_code == 200
    assert GENERIC in wrong.get_data(as_text=True)
    assert GENERIC in unknown.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still signed out


def test_deactivated_person_cannot_sign_in(app, make_user):
    person = make_user()
    person.active = False
    db.session.commit()
    response = app.test_client().post(
        "/auth/login", data={"username": person.username, "password": PASSWORD}
    )
    assert GENERIC in response.get_data(as_text=True)


def test_deactivation_ends_an_open_session(app, make_user):
    person = make_user()
    client = app.test_client()
    sign_in(client, person.username)
    assert client.get("/").status_code == 200
    db.session.get(Person, person.id).active = False
    db.session.commit()
    assert client.get("/").status_code == 302


def test_person_without_password_cannot_sign_in(app, make_user):
    person = make_user(password=None)
    response = app.test_client().post(
        "/auth/login", data={"username": person.username, "password": PASSWORD}
    )
    assert GENERIC in response.get_data(as_text=True)


def test_session_is_renewed_at_sign_in(app, make_user):
    """A session value planted before sign-in does not survive it (session fixation)."""
    person = make_user()
    client = app.test_client()
    with client.session_transaction() as session:
        session["planted"] = "x"
        session["lang"] = "en"
    sign_in(client, person.username)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["lang"] == "en"  # the chosen language is kept


def test_sign_out_needs_post(app, make_user):
    person = make_user()
    client = app.test_client()
    sign_in(client, person.username)
    assert client.get("/auth/logout").status_code == 405
    assert client.get("/").status_code == 200
    response = client.post("/auth/logout")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_next_only_leads_within_the_site(app, make_user):
    person = make_user(role=Role.ICT_ADMIN)
    client = app.test_client()
    data = {"username": person.username, "password": PASSWORD}
    inside = client.post("/auth/login?next=/people", data=data)
    assert inside.headers["Location"] == "/people"
    client.post("/auth/logout")
    outside = client.post("/auth/login?next=//evil.example/x", data=data)
    assert outside.headers["Location"] == "/"


def test_session_cookie_is_httponly_and_samesite(app, make_user):
    person = make_user()
    response = app.test_client().post(
        "/auth/login", data={"username": person.username, "password": PASSWORD}
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_password_is_stored_as_argon2id(make_user):
    person = make_user()
    assert person.password_hash.startswith("$argon2id$")
    assert PASSWORD not in person.password_hash


def test_anonymous_visitor_is_sent_to_sign_in(app, database):
    response = app.test_client().get("/people")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")
