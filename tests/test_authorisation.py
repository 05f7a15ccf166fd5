"""Who may change whose account: the services decide, for the web and the command line alike.

The attack this replays: an IT officer whose units happen to contain the ICT admin's record set
the admin's password and signed in as the admin. Officers now act only on the learners of their
own units; roles and managers are the ICT admins' alone; the last active admin stays.
"""

from __future__ import annotations

import pytest

from tests.helpers import PASSWORD, TODAY, sign_in
from training.errors import NotAllowed, RuleViolation
from training.extensions import db
from training.org.models import Person, Role
from training.org.people import (
    PersonData,
    create_person,
    deactivate_person,
    reactivate_person,
    set_password,
    set_role,
    update_person,
)

NEW_PASSWORD = "một mật khẩu mới đủ dài"


@pytest.fixture
def province(make_unit, make_user):
    """The demo's shape: the ICT admin sits in a division of the Department of Science and
    Technology, which has its own IT officer; a sub-unit has its own officer too."""
    skhcn = make_unit("SKHCN")
    division = make_unit("SKHCN-CNTT", parent=skhcn)
    other = make_unit("STC")
    people = {
        "admin": make_user(role=Role.ICT_ADMIN, unit=division, username="quantri"),
        "officer": make_user(role=Role.UNIT_OFFICER, unit=skhcn, username="cntt.skhcn"),
        "sub_officer": make_user(role=Role.UNIT_OFFICER, unit=division, username="cntt.sub"),
        "learner": make_user(unit=division, username="hoc.vien"),
        "outsider": make_user(unit=other, username="nguoi.ngoai", full_name="Đỗ Thị Ngoại"),
    }
    return people


def _data(person: Person, **changes: object) -> PersonData:
    fields = {
        "username": person.username,
        "full_name": person.full_name,
        "unit": person.unit,
        "email": person.email,
        "employee_id": person.employee_id,
        "position": person.position,
        "role": person.role,
        "drafts_classified": person.drafts_classified,
        "is_it_staff": person.is_it_staff,
    }
    fields.update(changes)
    return PersonData(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("target", ["admin", "sub_officer"])
def test_an_officer_cannot_touch_a_manager_in_their_units(province, target):
    officer, person = province["officer"], province[target]
    with pytest.raises(NotAllowed):
        set_password(person, NEW_PASSWORD, actor=officer)
    with pytest.raises(NotAllowed):
        update_person(
            person, _data(person, email="ke.gian@example.org"), actor=officer, today=TODAY
        )
    with pytest.raises(NotAllowed):
        deactivate_person(person, actor=officer)
    with pytest.raises(NotAllowed):
        reactivate_person(person, actor=officer)
    db.session.rollback()
    db.session.refresh(person)
    assert person.active
    assert person.email is None


def test_an_officer_manages_the_learners_of_their_units(province):
    officer, learner = province["officer"], province["learner"]
    set_password(learner, NEW_PASSWORD, actor=officer)
    deactivate_person(learner, actor=officer)
    reactivate_person(learner, actor=officer)
    db.session.commit()
    assert learner.active


def test_an_officer_grants_no_role_and_creates_only_learners(province, make_unit):
    officer, learner = province["officer"], province["learner"]
    with pytest.raises(RuleViolation, match=r"quản trị|administrators"):
        update_person(learner, _data(learner, role=Role.UNIT_OFFICER), actor=officer, today=TODAY)
    with pytest.raises(RuleViolation):
        set_role(learner, Role.ICT_ADMIN, actor=officer)
    new = _data(learner, username="moi.tao", employee_id=None, role=Role.ICT_ADMIN)
    with pytest.raises(RuleViolation):
        create_person(new, actor=officer, password=None, today=TODAY)
    outside = _data(learner, username="moi.tao", unit=province["outsider"].unit)
    with pytest.raises(RuleViolation):
        create_person(outside, actor=officer, password=None, today=TODAY)
    db.session.rollback()
    assert db.session.scalar(db.select(Person).where(Person.username == "moi.tao")) is None


def test_own_password_needs_the_current_one_everywhere(province):
    for who in ("admin", "officer"):
        person = province[who]
        with pytest.raises((RuleViolation, NotAllowed)):
            set_password(person, NEW_PASSWORD, actor=person)


def test_the_last_active_admin_cannot_be_demoted_or_deactivated(province, make_user):
    admin = province["admin"]
    with pytest.raises(RuleViolation, match=r"cuối cùng|last active"):
        set_role(admin, Role.LEARNER, actor=admin)
    with pytest.raises(RuleViolation, match=r"cuối cùng|last active"):
        update_person(admin, _data(admin, role=Role.LEARNER), actor=admin, today=TODAY)
    with pytest.raises(RuleViolation, match=r"cuối cùng|last active"):
        set_role(admin, Role.LEARNER, actor=None)  # the console is held to it too
    db.session.rollback()
    second = make_user(role=Role.ICT_ADMIN)
    deactivate_person(second, actor=admin)
    db.session.commit()
    with pytest.raises(RuleViolation, match=r"cuối cùng|last active"):
        deactivate_person(admin, actor=None)
    db.session.rollback()
    reactivate_person(second, actor=admin)
    set_role(admin, Role.LEARNER, actor=second)  # with another admin, it is allowed
    db.session.commit()
    assert admin.role == Role.LEARNER


def test_the_takeover_through_the_pages_fails(app, province):
    """The attack as it was made: the officer posts the admin's edit form with a new password,
    then tries to sign in as the admin."""
    officer, admin = province["officer"], province["admin"]
    client = app.test_client()
    sign_in(client, officer.username)
    assert client.get(f"/people/{admin.id}/edit").status_code == 403
    page = client.get(f"/people/{admin.id}").get_data(as_text=True)
    assert f"/people/{admin.id}/edit" not in page
    form = {
        "full_name": admin.full_name,
        "username": "ke.chiem.quyen",
        "email": "ke@example.org",
        "unit_id": str(admin.unit_id),
        "role": "ict_admin",
        "password": NEW_PASSWORD,
    }
    assert client.post(f"/people/{admin.id}/edit", data=form).status_code == 403
    assert client.post(f"/people/{admin.id}/deactivate").status_code == 403
    db.session.expire_all()
    admin = db.session.get(Person, admin.id)
    assert admin.username == "quantri"
    assert admin.active
    intruder = app.test_client()
    response = intruder.post("/auth/login", data={"username": "quantri", "password": NEW_PASSWORD})
    assert response.status_code == 200  # refused: the form is shown again
    sign_in(app.test_client(), "quantri", PASSWORD)  # the admin's own password still works


def test_an_officer_learns_nothing_about_other_units_from_uniqueness(app, province):
    officer, outsider, learner = province["officer"], province["outsider"], province["learner"]
    outsider.employee_id = "AG-10001"
    learner.employee_id = "AG-20002"
    db.session.commit()
    client = app.test_client()
    sign_in(client, officer.username)

    def create(**fields: str) -> str:
        form = {
            "full_name": "Phạm Văn Dò",
            "username": "pham.do",
            "unit_id": str(officer.unit_id),
            "role": "learner",
            **fields,
        }
        return client.post("/people/new", data=form).get_data(as_text=True)

    foreign_name = create(username=outsider.username)
    foreign_id = create(employee_id="AG-10001")
    for page in (foreign_name, foreign_id):
        assert outsider.username not in page.replace('value="nguoi.ngoai"', "")
        assert outsider.unit.code not in page
        assert outsider.full_name not in page
    assert "Another person" not in foreign_id
    assert "Mã cán bộ AG-10001" not in foreign_id
    own = create(employee_id="AG-20002")
    assert "AG-20002" in own  # inside the officer's units the message may say which
