"""Managing people through the web pages, as a unit IT officer does."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.helpers import sign_in
from training.extensions import db
from training.org.models import Person, Role, UnitKind


@pytest.fixture
def office(make_unit, make_user, app):
    agency = make_unit("SNV", name="Sở Nội vụ")
    key = make_unit(
        "SNV-TCBC", parent=agency, kind=UnitKind.DIVISION, key=True, name="Phòng Tổ chức - Biên chế"
    )
    officer = make_user(
        role=Role.UNIT_OFFICER, unit=agency, username="cntt.snv", full_name="Lâm Quốc Toàn"
    )
    client = app.test_client()
    sign_in(client, officer.username)
    return {"agency": agency, "key": key, "officer": officer, "client": client}


def _form(unit_id: int, **extra: str) -> dict[str, object]:
    return {
        "full_name": "Nguyễn Thị Lan",
        "username": "lan.nguyen",
        "unit_id": unit_id,
        "role": "learner",
        "email": "",
        "employee_id": "",
        "position": "Chuyên viên",
        **extra,
    }


def test_officer_adds_a_person(office):
    response = office["client"].post(
        "/people/new",
        data=_form(office["agency"].id, drafts_classified="y", password="mat-khau-ban-dau"),
    )
    assert response.status_code == 302
    person = db.session.scalar(select(Person).where(Person.username == "lan.nguyen"))
    assert person.drafts_classified
    assert person.is_priority
    page = office["client"].get(response.headers["Location"]).get_data(as_text=True)
    assert "Nguyễn Thị Lan" in page
    assert "Ưu tiên" in page


def test_a_duplicate_username_is_shown_on_the_form(office):
    office["client"].post("/people/new", data=_form(office["agency"].id))
    response = office["client"].post(
        "/people/new", data=_form(office["agency"].id, full_name="Người Khác")
    )
    assert response.status_code == 200
    assert "Tên đăng nhập lan.nguyen đã có người dùng." in response.get_data(as_text=True)
    assert db.session.query(Person).filter_by(username="lan.nguyen").count() == 1


def test_moving_a_person_keeps_their_history(office):
    office["client"].post("/people/new", data=_form(office["agency"].id))
    person = db.session.scalar(select(Person).where(Person.username == "lan.nguyen"))
    response = office["client"].post(f"/people/{person.id}/edit", data=_form(office["key"].id))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Person, person.id).is_priority  # a key department now
    page = office["client"].get(f"/people/{person.id}").get_data(as_text=True)
    assert "Sở Nội vụ (SNV)" in page
    assert "Phòng Tổ chức - Biên chế (SNV-TCBC)" in page


def test_search_ignores_diacritics_and_case(office, make_user):
    make_user(unit=office["agency"], username="hanh.tran", full_name="Trần Thị Mỹ Hạnh")
    make_user(unit=office["agency"], username="khang.le", full_name="Lê Minh Khang")
    html = office["client"].get("/people?q=tran+hanh").get_data(as_text=True)
    assert "Trần Thị Mỹ Hạnh" in html
    assert "Lê Minh Khang" not in html


def test_priority_filter_lists_drafters_and_key_department_staff(office, make_user):
    make_user(
        unit=office["agency"], username="drafter", full_name="Người Soạn Mật", classified=True
    )
    make_user(unit=office["key"], username="keystaff", full_name="Người Bộ Phận Quan Trọng")
    make_user(unit=office["agency"], username="ordinary", full_name="Người Bình Thường")
    html = office["client"].get("/people?priority=y").get_data(as_text=True)
    assert "Người Soạn Mật" in html
    assert "Người Bộ Phận Quan Trọng" in html
    assert "Người Bình Thường" not in html


def test_deactivated_people_leave_the_default_list(office, make_user):
    person = make_user(unit=office["agency"], username="gone", full_name="Người Đã Nghỉ")
    office["client"].post(f"/people/{person.id}/deactivate", follow_redirects=True)
    assert "Người Đã Nghỉ" not in office["client"].get("/people").get_data(as_text=True)
    inactive = office["client"].get("/people?status=inactive").get_data(as_text=True)
    assert "Người Đã Nghỉ" in inactive


def test_officer_cannot_deactivate_themselves(office):
    response = office["client"].post(
        f"/people/{office['officer'].id}/deactivate", follow_redirects=True
    )
    assert "không thể tự khoá" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Person, office["officer"].id).active


def test_officer_flags_a_key_department(office):
    response = office["client"].post(
        f"/units/{office['agency'].id}/key", data={"key-is_key_department": "y"}
    )
    assert response.status_code == 302
    db.session.refresh(office["agency"])
    assert office["agency"].is_key_department


def test_home_page_counts_the_scope(office, make_user):
    make_user(unit=office["key"])
    make_user(unit=office["agency"], classified=True)
    html = office["client"].get("/").get_data(as_text=True)
    assert "đối tượng ưu tiên" in html


def _change_password(client, *, current: str):
    return client.post(
        "/auth/profile",
        data={
            "password-current_password": current,
            "password-new_password": "mật-khẩu-mới-dài",
            "password-confirm": "mật-khẩu-mới-dài",
            "password-submit": "y",
        },
    )


def test_profile_changes_password(app, make_user):
    person = make_user()
    client = app.test_client()
    sign_in(client, person.username)
    response = _change_password(client, current="mật-khẩu-thử-nghiệm")
    assert response.status_code == 302
    client.post("/auth/logout")
    sign_in(client, person.username, "mật-khẩu-mới-dài")


def test_profile_refuses_a_wrong_current_password(app, make_user):
    person = make_user()
    client = app.test_client()
    sign_in(client, person.username)
    response = _change_password(client, current="sai")
    assert "Mật khẩu hiện tại không đúng." in response.get_data(as_text=True)


def test_admin_restructures_from_the_unit_page(app, make_unit, make_user):
    province = make_unit("AG", kind=UnitKind.PROVINCE)
    old = make_unit("STTTT", parent=province, name="Sở Thông tin và Truyền thông")
    new = make_unit("SKHCN", parent=province, name="Sở Khoa học và Công nghệ")
    make_user(unit=old)
    admin = make_user(role=Role.ICT_ADMIN, unit=province, username="quantri")
    client = app.test_client()
    sign_in(client, admin.username)
    response = client.post(
        f"/units/{old.id}/merge",
        data={"merge-into_id": new.id, "merge-confirmed_people": 1},  # as the confirm page posts
        follow_redirects=True,
    )
    assert "1 người được chuyển sang" in response.get_data(as_text=True)
    refused = client.post(
        f"/units/{province.id}/move", data={"move-parent_id": new.id}, follow_redirects=True
    )
    assert refused.status_code == 200
    db.session.refresh(province)
    assert province.parent_id is None


def test_long_lists_are_paged_and_keep_their_filters(office, make_user, app, monkeypatch):
    monkeypatch.setitem(app.config, "PEOPLE_PER_PAGE", 2)
    for index in range(4):
        make_user(unit=office["agency"], username=f"nv{index}", full_name=f"Nhân Viên {index}")
    first = office["client"].get("/people?q=nhan+vien").get_data(as_text=True)
    assert "Trang 1/2" in first
    assert 'href="/people?q=nhan+vien&amp;page=2"' in first
    second = office["client"].get("/people?q=nhan+vien&page=2").get_data(as_text=True)
    assert "Trang 2/2" in second
    assert "Trang trước" in second
