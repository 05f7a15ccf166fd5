"""Malformed input gets a 4xx and changes nothing; it never reaches a 500.

Each case is one a scanner found answering 500: CR/LF in `next`, ids too large for the
database, a page number past any offset, query keys that reached `url_for`, NUL bytes (which
PostgreSQL refuses inside text).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.helpers import PASSWORD, sign_in
from training.extensions import db
from training.org.models import Person, Role

HUGE = "9" * 30


@pytest.fixture
def admin(app, make_user):
    person = make_user(role=Role.ICT_ADMIN, username="quantri")
    client = app.test_client()
    sign_in(client, person.username)
    return client


@pytest.mark.parametrize("target", ["/people\r\nSet-Cookie: x=1", "/\nx", "/people\x7f"])
def test_control_characters_in_next_fall_back_to_home(app, make_user, target):
    person = make_user()
    client = app.test_client()
    switched = client.post("/language/en", data={"next": target})
    assert switched.status_code == 302
    assert switched.headers["Location"] == "/"
    signed_in = client.post(
        "/auth/login",
        query_string={"next": target},
        data={"username": person.username, "password": PASSWORD},
    )
    assert signed_in.status_code == 302
    assert signed_in.headers["Location"] == "/"


@pytest.mark.parametrize(
    "path",
    [f"/people/{HUGE}", f"/units/{HUGE}", f"/attempts/{HUGE}", f"/people/{HUGE}/edit"],
)
def test_ids_too_large_for_the_database_are_not_found(admin, path):
    assert admin.get(path).status_code == 404


@pytest.mark.parametrize("page", [HUGE, "-5", "0", "abc", "²", "１"])
def test_any_page_number_answers(admin, page):
    response = admin.get("/people", query_string={"page": page})
    assert response.status_code == 200


def test_the_pager_keeps_filters_but_not_foreign_query_keys(app, admin, make_user, make_unit):
    unit = make_unit()
    for number in range(app.config["PEOPLE_PER_PAGE"] + 1):
        make_user(unit=unit, username=f"nguoi{number:03d}")
    response = admin.get(
        "/people",
        query_string={"endpoint": "site.home", "_method": "DELETE", "q": "nguoi", "x": "1"},
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    pager = html[html.index('<nav class="pager"') :]
    pager = pager[: pager.index("</nav>")]
    assert "page=2" in pager
    assert "q=nguoi" in pager
    assert "_method" not in pager
    assert "endpoint=" not in pager


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("post", "/auth/login", {"username": "quan\x00tri", "password": "x"}),
        ("get", "/verify/ABCD\x00EFGH", None),
        ("get", "/courses/foun\x00dations", None),
        ("get", "/certificates/AB\x00CD", None),
        ("get", "/people?q=a%00b", None),
    ],
)
def test_nul_bytes_are_refused_as_malformed(app, admin, method, path, data):
    client = admin if method == "get" else app.test_client()
    response = getattr(client, method)(path, data=data)
    assert response.status_code == 400


def test_a_nul_byte_in_a_name_changes_nothing(admin, make_unit):
    unit = make_unit()
    form = {"full_name": "Lê\x00Văn", "username": "le.van", "unit_id": unit.id, "role": "learner"}
    assert admin.post("/people/new", data=form).status_code == 400
    assert db.session.scalar(select(Person).where(Person.username == "le.van")) is None
