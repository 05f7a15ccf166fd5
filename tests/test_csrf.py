"""With CSRF protection on, as in production: a forged form changes nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.helpers import PASSWORD
from training.extensions import db
from training.org.models import Person, Role


@pytest.fixture
def csrf_app(make_app):
    return make_app(WTF_CSRF_ENABLED=True)


def _token(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


def test_sign_in_without_token_is_rejected(csrf_app, make_user):
    person = make_user()
    client = csrf_app.test_client()
    response = client.post("/auth/login", data={"username": person.username, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_sign_in_with_token_works(csrf_app, make_user):
    person = make_user()
    client = csrf_app.test_client()
    token = _token(client.get("/auth/login").get_data(as_text=True))
    response = client.post(
        "/auth/login", data={"username": person.username, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def _signed_in(app, person):
    client = app.test_client()
    token = _token(client.get("/auth/login").get_data(as_text=True))
    client.post(
        "/auth/login", data={"username": person.username, "password": PASSWORD, "csrf_token": token}
    )
    return client


def test_forged_person_form_creates_nobody(csrf_app, make_user, make_unit):
    unit = make_unit()
    admin = make_user(role=Role.ICT_ADMIN, unit=unit)
    client = _signed_in(csrf_app, admin)
    before = db.session.scalar(select(func.count(Person.id)))
    response = client.post(
        "/people/new",
        data={
            "full_name": "Kẻ Giả Mạo",
            "username": "forged",
            "unit_id": unit.id,
            "role": "learner",
        },
    )
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(Person.id))) == before


def test_forged_deactivate_changes_nothing(csrf_app, make_user, make_unit):
    unit = make_unit()
    admin = make_user(role=Role.ICT_ADMIN, unit=unit)
    victim = make_user(unit=unit)
    client = _signed_in(csrf_app, admin)
    response = client.post(f"/people/{victim.id}/deactivate")
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Person, victim.id).active


def test_forged_sign_out_is_refused(csrf_app, make_user):
    client = _signed_in(csrf_app, make_user())
    assert client.post("/auth/logout").status_code == 400
    assert client.get("/").status_code == 200


def test_forged_province_settings_change_nothing(csrf_app, make_user, make_unit):
    from training.org.models import ProvinceSetting

    admin = make_user(role=Role.ICT_ADMIN, unit=make_unit())
    client = _signed_in(csrf_app, admin)
    response = client.post("/content/province", data={"incident_phone": "0296 3 861 234"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(ProvinceSetting)) == 0
