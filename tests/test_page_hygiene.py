"""Smaller findings of the attack, each replayed: cached personal pages, names that are not what
they look like, a verification address taken from the Host header, ARIA pointing nowhere."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.helpers import sign_in
from training.extensions import db
from training.org.models import Person, Role


@pytest.fixture
def officer(app, make_user, make_unit):
    unit = make_unit("SNV")
    person = make_user(role=Role.UNIT_OFFICER, unit=unit)
    client = app.test_client()
    sign_in(client, person.username)
    return client, unit


def test_signed_in_pages_are_never_cached(app, officer, make_user):
    client, unit = officer
    learner = make_user(unit=unit)
    for page in ("/", "/people", f"/people/{learner.id}", "/auth/profile", "/courses/"):
        assert client.get(page).headers["Cache-Control"] == "no-store", page


def test_public_pages_and_the_stylesheet_may_be_cached(app, officer):
    client, _unit = officer
    with client.get("/static/css/site.css") as stylesheet:
        assert "no-store" not in stylesheet.headers.get("Cache-Control", "")
    assert "no-store" not in app.test_client().get("/auth/login").headers.get("Cache-Control", "")


@pytest.mark.parametrize(
    "name",
    [
        "\u200b",  # only a zero-width space: an invisible person
        "Lê \u202eKhang",  # a right-to-left override reverses what follows
        "Lê\u2066Khang",  # a bidi isolate
        "Lê Khang\x1b[2J",  # an escape sequence that clears a terminal
        "Lê\x07Khang",
    ],
)
def test_names_must_be_visible_text(officer, name):
    client, unit = officer
    form = {"full_name": name, "username": "le.khang", "unit_id": unit.id, "role": "learner"}
    page = client.post("/people/new", data=form).get_data(as_text=True)
    assert "ký tự điều khiển" in page
    assert db.session.scalar(select(Person).where(Person.username == "le.khang")) is None


def test_form_fields_point_aria_only_at_hints_that_exist(officer):
    client, _unit = officer
    page = client.get("/people/new").get_data(as_text=True)
    assert 'aria-describedby="None"' not in page
    assert 'aria-describedby="password-hint"' in page
    assert 'id="password-hint"' in page
