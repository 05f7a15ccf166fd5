"""Reorganisations: history is kept, the tree never breaks."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from training.errors import RuleViolation
from training.extensions import db
from training.org import units as svc
from training.org.models import Membership, Person, UnitKeyPeriod, UnitKind
from training.org.people import membership_history

MERGER_DAY = date(2025, 7, 1)


@pytest.fixture
def province(make_unit):
    return make_unit("KG", kind=UnitKind.PROVINCE, name="Tỉnh Kiên Giang", today=date(2016, 1, 1))


def test_merging_moves_people_with_dated_membership(province, make_unit, make_user):
    old = make_unit(
        "STTTT", parent=province, name="Sở Thông tin và Truyền thông", today=date(2016, 1, 1)
    )
    new = make_unit(
        "SKHCN", parent=province, name="Sở Khoa học và Công nghệ", today=date(2016, 1, 1)
    )
    staff = [make_user(unit=old, today=date(2020, 3, 2)) for _ in range(3)]

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
    old = make_unit("OLD", parent=province)
    child = make_unit("OLD-1", parent=old, kind=UnitKind.DIVISION)
    grandchild = make_unit("OLD-1-A", parent=child, kind=UnitKind.DIVISION)
    new = make_unit("NEW", parent=province)
    svc.merge_unit(old, new, today=MERGER_DAY)
    db.session.commit()
    db.session.refresh(child)
    db.session.refresh(grandchild)
    assert child.parent_id == new.id
    assert grandchild.path.startswith(new.path)
    assert svc.is_in_subtree(grandchild, new)


def test_who_was_where_on_a_past_date_survives_a_merger(province, make_unit, make_user):
    old = make_unit("X1", parent=province)
    new = make_unit("X2", parent=province)
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
    gone = make_unit("GONE", parent=province)
    svc.retire_unit(gone, today=MERGER_DAY)
    unit = make_unit("U", parent=province)
    with pytest.raises(RuleViolation, match="GONE"):
        svc.move_unit(unit, gone, today=MERGER_DAY)


def test_move_rewrites_the_whole_subtree(province, make_unit):
    a = make_unit("A", parent=province)
    b = make_unit("B", parent=province)
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
    unit = make_unit("STTTT", parent=province, name="Sở Thông tin và Truyền thông")
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
