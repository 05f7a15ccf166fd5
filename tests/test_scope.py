"""Role and unit scope on every management page: out of scope reads exactly like missing."""

from __future__ import annotations

import pytest

from tests.helpers import sign_in
from training.extensions import db
from training.org.models import Person, Role, UnitKind


@pytest.fixture
def tree(make_unit, make_user, snapshots):
    return snapshots.keep("scope tree", lambda: _build(make_unit, make_user))


def _build(make_unit, make_user):
    province = make_unit("TINH", kind=UnitKind.PROVINCE)
    a = make_unit("A", parent=province)
    a_div = make_unit("A-1", parent=a, kind=UnitKind.DIVISION)
    b = make_unit("B", parent=province)
    return {
        "province": province,
        "a": a,
        "a_div": a_div,
        "b": b,
        "officer_a": make_user(role=Role.UNIT_OFFICER, unit=a, username="officer.a"),
        "in_a_div": make_user(unit=a_div, username="staff.a1"),
        "in_b": make_user(unit=b, username="staff.b"),
        "admin": make_user(role=Role.ICT_ADMIN, unit=province, username="quantri.tinh"),
        "learner": make_user(unit=a, username="learner.a"),
    }


def _as(app, person):
    client = app.test_client()
    sign_in(client, person.username)
    return client


PERSON_PAGES = ("/people/{id}", "/people/{id}/edit")
PERSON_ACTIONS = ("/people/{id}/deactivate", "/people/{id}/reactivate")


@pytest.mark.parametrize("page", PERSON_PAGES)
def test_officer_gets_404_for_other_units_staff(app, tree, page):
    client = _as(app, tree["officer_a"])
    assert client.get(page.format(id=tree["in_b"].id)).status_code == 404


@pytest.mark.parametrize("action", PERSON_ACTIONS)
def test_officer_cannot_change_other_units_staff(app, tree, action):
    client = _as(app, tree["officer_a"])
    assert client.post(action.format(id=tree["in_b"].id)).status_code == 404
    db.session.expire_all()
    assert db.session.get(Person, tree["in_b"].id).active


def test_officer_edit_post_for_other_unit_changes_nothing(app, tree):
    client = _as(app, tree["officer_a"])
    victim = tree["in_b"]
    response = client.post(
        f"/people/{victim.id}/edit",
        data={
            "full_name": "Đổi Tên",
            "username": victim.username,
            "unit_id": tree["a"].id,
            "role": "learner",
        },
    )
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Person, victim.id).full_name == "Nguyễn Văn An"


@pytest.mark.parametrize("page", PERSON_PAGES)
def test_officer_reaches_staff_of_sub_units(app, tree, page):
    client = _as(app, tree["officer_a"])
    assert client.get(page.format(id=tree["in_a_div"].id)).status_code == 200


def test_officer_can_deactivate_staff_of_sub_unit(app, tree):
    client = _as(app, tree["officer_a"])
    response = client.post(f"/people/{tree['in_a_div'].id}/deactivate")
    assert response.status_code == 302
    db.session.expire_all()
    assert not db.session.get(Person, tree["in_a_div"].id).active


def test_officer_list_shows_only_their_subtree(app, tree):
    html = _as(app, tree["officer_a"]).get("/people?status=all").get_data(as_text=True)
    assert "staff.a1" in html
    assert "staff.b" not in html
    assert "quantri.tinh" not in html


def test_officer_cannot_filter_by_a_unit_outside_scope(app, tree):
    client = _as(app, tree["officer_a"])
    response = client.get(f"/people?unit_id={tree['b'].id}")
    assert "staff.b" not in response.get_data(as_text=True)


def test_officer_cannot_place_a_person_in_another_unit(app, tree):
    client = _as(app, tree["officer_a"])
    response = client.post(
        "/people/new",
        data={
            "full_name": "Người Mới",
            "username": "nguoi.moi",
            "unit_id": tree["b"].id,
            "role": "learner",
        },
    )
    assert response.status_code == 200  # the choice is not offered: the form says so
    assert db.session.query(Person).filter_by(username="nguoi.moi").count() == 0


def test_officer_cannot_grant_management_roles(app, tree):
    client = _as(app, tree["officer_a"])
    client.post(
        "/people/new",
        data={
            "full_name": "Người Mới",
            "username": "nguoi.moi",
            "unit_id": tree["a"].id,
            "role": "ict_admin",
        },
    )
    assert db.session.query(Person).filter_by(username="nguoi.moi").count() == 0


def test_officer_gets_404_for_other_units_page(app, tree):
    client = _as(app, tree["officer_a"])
    assert client.get(f"/units/{tree['b'].id}").status_code == 404
    assert (
        client.post(f"/units/{tree['b'].id}/key", data={"key-is_key_department": "y"}).status_code
        == 404
    )
    assert client.get(f"/units/{tree['a_div'].id}").status_code == 200


def test_officer_cannot_restructure_units(app, tree):
    client = _as(app, tree["officer_a"])
    assert client.post(f"/units/{tree['a_div'].id}/retire").status_code == 403
    assert client.get("/units/new").status_code == 403


def test_admin_reaches_everyone(app, tree):
    client = _as(app, tree["admin"])
    for person in ("in_a_div", "in_b"):
        assert client.get(f"/people/{tree[person].id}").status_code == 200


MANAGEMENT_PAGES = (
    "/people",
    "/people/new",
    "/units",
    "/units/new",
    "/people/{id}",
    "/people/{id}/edit",
    "/units/{unit}",
)


@pytest.mark.parametrize("page", MANAGEMENT_PAGES)
def test_learner_reaches_no_management_page(app, tree, page):
    client = _as(app, tree["learner"])
    url = page.format(id=tree["learner"].id, unit=tree["a"].id)
    assert client.get(url).status_code == 403


def test_learner_home_and_profile_work(app, tree):
    client = _as(app, tree["learner"])
    assert client.get("/").status_code == 200
    assert client.get("/auth/profile").status_code == 200


def test_missing_person_is_404(app, tree):
    client = _as(app, tree["admin"])
    assert client.get("/people/999999").status_code == 404
