"""Reorganisations: history is kept, the tree never breaks."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from tests.helpers import PASSWORD, sign_in
from tests.test_i18n import visible_text
from training.clock import today_vn
from training.errors import RuleViolation
from training.extensions import db
from training.org import units as svc
from training.org.models import Membership, Person, Role, UnitKeyPeriod, UnitKind
from training.org.people import membership_history

MERGER_DAY = date(2025, 7, 1)


@pytest.fixture
def province(make_unit):
    return make_unit("KG", kind=UnitKind.PROVINCE, name="Tỉnh Kiên Giang", today=date(2016, 1, 1))


@pytest.fixture
def merger(province, make_unit, make_user):
    old = make_unit(
        "STTTT", parent=province, name="Sở Thông tin và Truyền thông", today=date(2016, 1, 1)
    )
    new = make_unit(
        "SKHCN", parent=province, name="Sở Khoa học và Công nghệ", today=date(2016, 1, 1)
    )
    staff = [make_user(unit=old, today=date(2020, 3, 2)) for _ in range(3)]
    return old, new, staff


def test_merging_moves_people_with_dated_membership(merger):
    old, new, staff = merger

    moved = svc.merge_unit(old, new, today=date(2025, 3, 1))
    db.session.commit()

    assert moved == 3
    for person in staff:
        db.session.refresh(person)
        assert person.unit_id == new.id
        history = membership_history(person)
        assert [(m.unit.code, m.valid_from, m.valid_to) for m in history] == [
            ("STTTT", date(2020, 3, 2), date(2025, 3, 1)),
            ("SKHCN", date(2025, 3, 1), None),
        ]
    assert old.retired_on == date(2025, 3, 1)
    assert old.merged_into_id == new.id


def test_merged_units_sub_units_follow(province, make_unit):
    old = make_unit("OLD", parent=province, today=date(2016, 1, 1))
    child = make_unit("OLD-1", parent=old, kind=UnitKind.DIVISION, today=date(2016, 1, 1))
    grandchild = make_unit("OLD-1-A", parent=child, kind=UnitKind.DIVISION)
    new = make_unit("NEW", parent=province, today=date(2016, 1, 1))
    svc.merge_unit(old, new, today=MERGER_DAY)
    db.session.commit()
    db.session.refresh(child)
    db.session.refresh(grandchild)
    assert child.parent_id == new.id
    assert grandchild.path.startswith(new.path)
    assert svc.is_in_subtree(grandchild, new)


def test_who_was_where_on_a_past_date_survives_a_merger(province, make_unit, make_user):
    old = make_unit("X1", parent=province, today=date(2016, 1, 1))
    new = make_unit("X2", parent=province, today=date(2016, 1, 1))
    person = make_user(unit=old, today=date(2024, 1, 1))
    svc.merge_unit(old, new, today=MERGER_DAY)
    db.session.commit()

    def unit_on(day: date) -> int:
        return db.session.scalar(
            select(Membership.unit_id).where(
                Membership.person_id == person.id,
                Membership.valid_from <= day,
                (Membership.valid_to.is_(None)) | (Membership.valid_to > day),
            )
        )

    assert unit_on(date(2025, 6, 30)) == old.id
    assert unit_on(date(2025, 7, 1)) == new.id


def test_moving_a_unit_under_its_own_descendant_is_refused(province, make_unit):
    parent = make_unit("P", parent=province)
    child = make_unit("P-1", parent=parent, kind=UnitKind.DIVISION)
    with pytest.raises(RuleViolation, match=r"sub-units|trực thuộc"):
        svc.move_unit(parent, child, today=MERGER_DAY)
    with pytest.raises(RuleViolation):
        svc.move_unit(parent, parent, today=MERGER_DAY)
    db.session.rollback()
    db.session.refresh(parent)
    assert parent.parent_id == province.id


def test_merging_into_a_descendant_is_refused(province, make_unit):
    parent = make_unit("P", parent=province)
    child = make_unit("P-1", parent=parent, kind=UnitKind.DIVISION)
    with pytest.raises(RuleViolation):
        svc.merge_unit(parent, child, today=MERGER_DAY)


def test_moving_under_a_retired_unit_is_refused(province, make_unit):
    gone = make_unit("GONE", parent=province, today=date(2016, 1, 1))
    svc.retire_unit(gone, today=MERGER_DAY)
    unit = make_unit("U", parent=province)
    with pytest.raises(RuleViolation, match="GONE"):
        svc.move_unit(unit, gone, today=MERGER_DAY)


def test_move_rewrites_the_whole_subtree(province, make_unit):
    a = make_unit("A", parent=province, today=date(2016, 1, 1))
    b = make_unit("B", parent=province, today=date(2016, 1, 1))
    a1 = make_unit("A-1", parent=a, kind=UnitKind.DIVISION)
    svc.move_unit(a, b, today=MERGER_DAY)
    db.session.commit()
    db.session.refresh(a1)
    assert a1.path == f"{province.path}{b.id}/{a.id}/{a1.id}/"
    assert [e.kind.value for e in svc.unit_history(a)] == ["created", "moved"]


def test_retiring_a_unit_with_people_is_refused(province, make_unit, make_user):
    unit = make_unit("U", parent=province)
    make_user(unit=unit)
    with pytest.raises(RuleViolation):
        svc.retire_unit(unit, today=MERGER_DAY)
    assert unit.retired_on is None


def test_renaming_keeps_the_old_name_in_history(province, make_unit):
    unit = make_unit(
        "STTTT", parent=province, name="Sở Thông tin và Truyền thông", today=date(2016, 1, 1)
    )
    svc.rename_unit(unit, "Sở Khoa học và Công nghệ", today=date(2025, 3, 1))
    db.session.commit()
    event = svc.unit_history(unit)[-1]
    assert (event.old_value, event.new_value) == (
        "Sở Thông tin và Truyền thông",
        "Sở Khoa học và Công nghệ",
    )


def test_key_department_flag_is_dated(province, make_unit, make_user):
    unit = make_unit("U", parent=province, today=date(2024, 1, 1))
    person = make_user(unit=unit)
    assert not person.is_priority
    svc.set_key_department(unit, True, today=date(2025, 1, 2))
    svc.set_key_department(unit, False, today=date(2025, 6, 1))
    svc.set_key_department(unit, True, today=date(2026, 1, 5))
    db.session.commit()
    periods = db.session.scalars(
        select(UnitKeyPeriod)
        .where(UnitKeyPeriod.unit_id == unit.id)
        .order_by(UnitKeyPeriod.valid_from)
    ).all()
    assert [(p.valid_from, p.valid_to) for p in periods] == [
        (date(2025, 1, 2), date(2025, 6, 1)),
        (date(2026, 1, 5), None),
    ]
    assert db.session.get(Person, person.id).is_priority


def test_unit_codes_are_unique_and_shaped(province, make_unit):
    make_unit("SNV", parent=province)
    with pytest.raises(RuleViolation):
        svc.add_unit("snv", "Trùng mã", kind=UnitKind.AGENCY, parent=province, today=MERGER_DAY)
    with pytest.raises(RuleViolation):
        svc.add_unit("SỞ NỘI VỤ", "Có dấu", kind=UnitKind.AGENCY, parent=province, today=MERGER_DAY)


def test_merging_before_the_unit_became_a_key_department_is_refused(province, make_unit):
    """The key-department period would end before it began: a message, not a database error."""
    unit = make_unit("K", parent=province, key=True, today=date(2025, 1, 2))
    other = make_unit("O", parent=province, today=date(2016, 1, 1))
    with pytest.raises(RuleViolation, match="02/01/2025"):
        svc.merge_unit(unit, other, today=date(2024, 12, 31))


def test_merge_plan_counts_who_will_move_and_changes_nothing(province, make_unit, make_user):
    old = make_unit("OLD", parent=province, today=date(2016, 1, 1))
    child = make_unit("OLD-1", parent=old, kind=UnitKind.DIVISION, today=date(2016, 1, 1))
    new = make_unit("NEW", parent=province, today=date(2016, 1, 1))
    for _ in range(2):
        make_user(unit=old, today=date(2020, 1, 1))
    plan = svc.plan_merge(old, new, today=MERGER_DAY)
    assert (plan.people, [u.code for u in plan.sub_units]) == (2, ["OLD-1"])
    assert old.is_active
    assert child.parent_id == old.id
    with pytest.raises(RuleViolation, match="01/01/2020"):
        svc.plan_merge(old, new, today=date(2019, 12, 31))


# --- the unit pages ---------------------------------------------------------------------------


@pytest.fixture
def admin(app, province, make_user):
    make_user(role=Role.ICT_ADMIN, unit=province, username="quantri")
    client = app.test_client()
    sign_in(client, "quantri")
    return client


def _merge_form(into, on="01/03/2025", **extra):
    return {"merge-into_id": into.id, "merge-effective_on": on, **extra}


def test_a_merge_post_without_confirmation_changes_nothing(admin, merger):
    old, new, staff = merger
    response = admin.post(f"/units/{old.id}/merge", data=_merge_form(new))
    page = visible_text(response.get_data(as_text=True))
    assert response.status_code == 200
    assert (
        "Từ ngày 01/03/2025, Sở Thông tin và Truyền thông (STTTT) sáp nhập vào "
        "Sở Khoa học và Công nghệ (SKHCN)" in page
    )
    assert "3 người sẽ chuyển sang Sở Khoa học và Công nghệ." in page
    db.session.expire_all()
    assert old.is_active
    assert all(db.session.get(Person, p.id).unit_id == old.id for p in staff)
    assert [e.kind.value for e in svc.unit_history(old)] == ["created"]


def test_a_confirmation_for_another_head_count_asks_again(admin, merger, make_user):
    old, new, _staff = merger
    response = admin.post(
        f"/units/{old.id}/merge", data=_merge_form(new, **{"merge-confirmed_people": "2"})
    )
    page = visible_text(response.get_data(as_text=True))
    assert "Số người của Sở Thông tin và Truyền thông đã thay đổi" in page
    assert "3 người sẽ chuyển sang" in page
    db.session.expire_all()
    assert old.is_active


def test_a_confirmed_merge_with_a_past_date_is_dated_so(admin, merger):
    old, new, staff = merger
    confirmed = _merge_form(new, **{"merge-confirmed_people": "3"})
    response = admin.post(f"/units/{old.id}/merge", data=confirmed, follow_redirects=True)
    assert "Đã sáp nhập STTTT vào SKHCN từ ngày 01/03/2025; 3 người được chuyển sang." in (
        visible_text(response.get_data(as_text=True))
    )
    db.session.expire_all()
    assert old.retired_on == date(2025, 3, 1)
    assert next((m.unit.code, m.valid_to) for m in membership_history(staff[0])) == (
        "STTTT",
        date(2025, 3, 1),
    )
    history = visible_text(admin.get(f"/units/{old.id}").get_data(as_text=True))
    assert "01/03/2025 Sáp nhập Vào SKHCN; 3 người được chuyển theo." in history


def test_the_merge_date_defaults_to_today_in_vietnam(admin, merger):
    old, new, _staff = merger
    page = admin.get(f"/units/{old.id}").get_data(as_text=True)
    assert f'value="{today_vn():%d/%m/%Y}"' in page
    admin.post(
        f"/units/{old.id}/merge", data=_merge_form(new, on="", **{"merge-confirmed_people": "3"})
    )
    db.session.expire_all()
    assert old.retired_on == today_vn()


def test_history_reads_as_words_not_stored_values(admin, province, make_unit):
    unit = make_unit("U", parent=province, name="Phòng Tổng hợp", today=date(2016, 1, 1))
    empty = make_unit("E", parent=province, name="Ban trống", today=date(2016, 1, 1))
    svc.set_key_department(unit, True, today=date(2025, 1, 2))
    svc.set_key_department(unit, False, today=date(2025, 6, 1))
    svc.merge_unit(empty, unit, today=MERGER_DAY)
    db.session.commit()
    page = visible_text(admin.get(f"/units/{unit.id}").get_data(as_text=True))
    assert "02/01/2025 Đánh dấu bộ phận quan trọng Đánh dấu là bộ phận quan trọng" in page
    assert "01/06/2025 Đánh dấu bộ phận quan trọng Bỏ đánh dấu bộ phận quan trọng" in page
    assert "True" not in page
    assert "False" not in page
    merged = visible_text(admin.get(f"/units/{empty.id}").get_data(as_text=True))
    assert "01/07/2025 Sáp nhập Vào U." in merged
    assert "people moved" not in merged
    assert "người được chuyển" not in merged


def test_sub_units_that_followed_a_merger_say_so(admin, province, make_unit):
    old = make_unit("OLD", parent=province, today=date(2016, 1, 1))
    child = make_unit("OLD-1", parent=old, kind=UnitKind.DIVISION, today=date(2016, 1, 1))
    new = make_unit("NEW", parent=province, today=date(2016, 1, 1))
    svc.merge_unit(old, new, today=MERGER_DAY)
    db.session.commit()
    page = visible_text(admin.get(f"/units/{child.id}").get_data(as_text=True))
    assert "01/07/2025 Chuyển đơn vị chủ quản OLD → NEW, theo việc sáp nhập OLD vào NEW" in page


def test_the_move_form_takes_an_effective_date(admin, province, make_unit):
    unit = make_unit("A", parent=province, today=date(2016, 1, 1))
    target = make_unit("B", parent=province, today=date(2016, 1, 1))
    refused = admin.post(
        f"/units/{unit.id}/move",
        data={"move-parent_id": target.id, "move-effective_on": "31/02/2025"},
        follow_redirects=True,
    )
    assert "Ngày có hiệu lực: Hãy nhập ngày theo dạng ngày/tháng/năm" in refused.get_data(
        as_text=True
    )
    assert [e.kind.value for e in svc.unit_history(unit)] == ["created"]
    admin.post(
        f"/units/{unit.id}/move",
        data={"move-parent_id": target.id, "move-effective_on": "01/07/2025"},
    )
    db.session.expire_all()
    assert [(e.kind.value, e.effective_on) for e in svc.unit_history(unit)][-1] == (
        "moved",
        MERGER_DAY,
    )


def test_retired_and_merged_units_show_only_when_asked(admin, province, make_unit):
    old = make_unit("OLD", parent=province, name="Sở cũ", today=date(2016, 1, 1))
    gone = make_unit("GONE", parent=province, name="Ban đã giải thể", today=date(2016, 1, 1))
    new = make_unit("NEW", parent=province, name="Sở mới", today=date(2016, 1, 1))
    svc.merge_unit(old, new, today=date(2025, 3, 1))
    svc.retire_unit(gone, today=MERGER_DAY)
    db.session.commit()
    tree = visible_text(admin.get("/units").get_data(as_text=True))
    assert "Sở mới" in tree
    assert "Sở cũ" not in tree
    assert "Ban đã giải thể" not in tree
    assert "Hiện cả các đơn vị đã giải thể, sáp nhập" in tree
    everything = visible_text(admin.get("/units?retired=1").get_data(as_text=True))
    assert "Sở cũ Sáp nhập vào Sở mới từ ngày 01/03/2025 OLD" in everything
    assert "Ban đã giải thể Chấm dứt hoạt động từ 01/07/2025 GONE" in everything
    assert "Ẩn các đơn vị đã giải thể, sáp nhập" in everything


def _hidden_inputs(html: str, prefix: str = "") -> dict[str, str]:
    fields = {}
    for tag in re.findall(r"<input\b[^>]*>", html):
        attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', tag))
        if attrs.get("type") == "hidden" and attrs.get("name", "").startswith(prefix):
            fields[attrs["name"]] = attrs.get("value", "")
    return fields


def test_the_merger_confirmation_carries_its_csrf_token(make_app, province, merger, make_user):
    """In production CSRF is on: the confirmation page's own form must pass it."""
    old, new, _staff = merger
    make_user(role=Role.ICT_ADMIN, unit=province, username="quantri")
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    login = _hidden_inputs(client.get("/auth/login").get_data(as_text=True), "csrf_token")
    client.post("/auth/login", data={**login, "username": "quantri", "password": PASSWORD})
    unit_page = _hidden_inputs(client.get(f"/units/{old.id}").get_data(as_text=True), "merge-")
    first = client.post(f"/units/{old.id}/merge", data={**unit_page, **_merge_form(new)})
    assert first.status_code == 200
    confirm = _hidden_inputs(first.get_data(as_text=True), "merge-")
    assert set(confirm) == {
        "merge-csrf_token",
        "merge-confirmed_people",
        "merge-into_id",
        "merge-effective_on",
    }
    assert confirm["merge-confirmed_people"] == "3"
    assert client.post(f"/units/{old.id}/merge", data=confirm).status_code == 302
    db.session.expire_all()
    assert old.retired_on == date(2025, 3, 1)
