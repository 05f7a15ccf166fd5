"""The tree's history as data: the tree, the people and the names of any past day."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from flask_migrate import upgrade
from sqlalchemy import event, insert, select, text

from tests.helpers import TODAY, sign_in
from tests.test_i18n import visible_text
from training.errors import RuleViolation
from training.extensions import db
from training.org import history
from training.org import units as svc
from training.org.demo import seed_demo_province
from training.org.models import Person, Role, Unit, UnitKind, UnitPlacement
from training.org.people import membership_history
from training.quizzes.models import Attempt

FOUNDED = date(2016, 1, 1)
JOINED = date(2020, 3, 2)
STTTT_MERGER = date(2025, 3, 1)
TWO_LEVEL = date(2025, 7, 1)
DAY_BEFORE = STTTT_MERGER - timedelta(days=1)


def _placements(unit: Unit) -> list[tuple[str | None, str, date, date | None]]:
    """A unit's rows as (parent code, name, from, to), oldest first."""
    rows = db.session.execute(
        select(Unit.code, UnitPlacement.name, UnitPlacement.valid_from, UnitPlacement.valid_to)
        .select_from(UnitPlacement)
        .outerjoin(Unit, Unit.id == UnitPlacement.parent_id)
        .where(UnitPlacement.unit_id == unit.id)
        .order_by(UnitPlacement.valid_from)
    ).all()
    return [tuple(row) for row in rows]


def _no_empty_or_overlapping_rows() -> None:
    rows = db.session.execute(
        select(UnitPlacement.unit_id, UnitPlacement.valid_from, UnitPlacement.valid_to).order_by(
            UnitPlacement.unit_id, UnitPlacement.valid_from
        )
    ).all()
    for row in rows:
        assert row.valid_to is None or row.valid_to > row.valid_from, row
    for before, after in itertools.pairwise(rows):
        if before.unit_id == after.unit_id:
            assert before.valid_to is not None
            assert before.valid_to <= after.valid_from, (before, after)


@pytest.fixture
def province(make_unit):
    return make_unit("KG", kind=UnitKind.PROVINCE, name="Tỉnh Kiên Giang", today=FOUNDED)


@pytest.fixture
def merger(province, make_unit, make_user):
    """SKHCN absorbs STTTT on 01/03/2025; STTTT has two divisions and people in each."""
    stttt = make_unit("STTTT", parent=province, name="Sở Thông tin và Truyền thông", today=FOUNDED)
    skhcn = make_unit("SKHCN", parent=province, name="Sở Khoa học và Công nghệ", today=FOUNDED)
    office = make_unit(
        "STTTT-VP", parent=stttt, kind=UnitKind.DIVISION, name="Văn phòng Sở", today=FOUNDED
    )
    it = make_unit(
        "STTTT-CNTT",
        parent=stttt,
        kind=UnitKind.DIVISION,
        key=True,
        name="Phòng Công nghệ thông tin",
        today=FOUNDED,
    )
    people = {
        "director": make_user(unit=stttt, username="giam.doc", today=JOINED),
        "clerk": make_user(unit=office, username="van.thu", today=JOINED),
        "engineer": make_user(unit=it, username="ky.su", today=JOINED),
    }
    svc.merge_unit(stttt, skhcn, today=STTTT_MERGER)
    db.session.commit()
    return {"KG": province, "STTTT": stttt, "SKHCN": skhcn, "VP": office, "CNTT": it, **people}


def _codes(units) -> list[str]:
    return [u.code for u in units]


def test_the_day_before_a_merger_shows_the_merged_department_with_its_divisions(merger):
    tree = history.tree_on(DAY_BEFORE)
    stttt = merger["STTTT"].id
    assert _codes(tree.subtree(stttt)) == ["STTTT", "STTTT-CNTT", "STTTT-VP"]
    assert tree.by_id[merger["CNTT"].id].parent_id == stttt
    assert _codes(tree.ancestors(merger["CNTT"].id)) == ["KG", "STTTT"]
    assert tree.by_id[merger["CNTT"].id].depth == 2
    people = history.people_on(DAY_BEFORE, unit_ids=[u.id for u in tree.subtree(stttt)])
    assert {(p.username, p.unit_id) for p in people} == {
        ("giam.doc", stttt),
        ("van.thu", merger["VP"].id),
        ("ky.su", merger["CNTT"].id),
    }


def test_on_the_merger_day_the_divisions_and_people_are_under_the_new_department(merger):
    tree = history.tree_on(STTTT_MERGER)
    skhcn = merger["SKHCN"].id
    assert merger["STTTT"].id not in tree
    assert _codes(tree.subtree(skhcn)) == ["SKHCN", "STTTT-CNTT", "STTTT-VP"]
    assert _codes(tree.ancestors(merger["VP"].id)) == ["KG", "SKHCN"]
    people = history.people_on(STTTT_MERGER, unit_ids=[u.id for u in tree.subtree(skhcn)])
    assert {(p.username, p.unit_id) for p in people} == {
        ("giam.doc", skhcn),
        ("van.thu", merger["VP"].id),
        ("ky.su", merger["CNTT"].id),
    }
    assert history.units_of_people_on(DAY_BEFORE, [merger["director"].id]) == {
        merger["director"].id: merger["STTTT"].id
    }


def test_a_merger_closes_the_merged_units_row_and_opens_its_childrens(merger):
    assert _placements(merger["STTTT"]) == [
        ("KG", "Sở Thông tin và Truyền thông", FOUNDED, STTTT_MERGER)
    ]
    assert _placements(merger["VP"]) == [
        ("STTTT", "Văn phòng Sở", FOUNDED, STTTT_MERGER),
        ("SKHCN", "Văn phòng Sở", STTTT_MERGER, None),
    ]
    _no_empty_or_overlapping_rows()


def test_a_moved_unit_is_under_its_old_parent_before_the_move(province, make_unit):
    first = make_unit("P1", parent=province, today=FOUNDED)
    second = make_unit("P2", parent=province, today=FOUNDED)
    unit = make_unit("A", parent=first, today=FOUNDED)
    below = make_unit("A-1", parent=unit, kind=UnitKind.DIVISION, today=FOUNDED)
    svc.move_unit(unit, second, today=TWO_LEVEL)
    db.session.commit()
    before, after = history.tree_on(TWO_LEVEL - timedelta(days=1)), history.tree_on(TWO_LEVEL)
    assert before.by_id[unit.id].parent_id == first.id
    assert _codes(before.ancestors(below.id)) == ["KG", "P1", "A"]
    assert after.by_id[unit.id].parent_id == second.id
    assert _codes(after.ancestors(below.id)) == ["KG", "P2", "A"]
    assert _placements(below) == [("A", "Đơn vị A-1", FOUNDED, None)]  # the path moved, not it


def test_names_and_key_flags_are_answered_for_a_day(province, make_unit):
    unit = make_unit("U", parent=province, name="Phòng Tin học", today=FOUNDED)
    svc.set_key_department(unit, True, today=date(2024, 1, 2))
    svc.rename_unit(unit, "Phòng Công nghệ thông tin", today=STTTT_MERGER)
    db.session.commit()
    assert history.name_on(unit.id, DAY_BEFORE) == "Phòng Tin học"
    assert history.name_on(unit.id, STTTT_MERGER) == "Phòng Công nghệ thông tin"
    assert history.name_on(unit.id, date(2015, 12, 31)) is None  # not yet founded
    assert not history.was_key_department_on(unit.id, date(2024, 1, 1))
    assert history.was_key_department_on(unit.id, date(2024, 1, 2))
    assert history.key_departments_on(date(2024, 1, 2)) == {unit.id}
    assert history.tree_on(DAY_BEFORE).by_id[unit.id].is_key_department
    assert not history.tree_on(date(2023, 1, 1)).by_id[unit.id].is_key_department


def test_same_day_changes_leave_no_empty_or_overlapping_rows(province, make_unit):
    other = make_unit("O", parent=province, today=FOUNDED)
    unit = svc.add_unit("N", "Tên 1", kind=UnitKind.AGENCY, parent=province, today=TWO_LEVEL)
    svc.move_unit(unit, other, today=TWO_LEVEL)  # created and moved the same day: one row
    svc.rename_unit(unit, "Tên 2", today=TWO_LEVEL)
    db.session.commit()
    assert _placements(unit) == [("O", "Tên 2", TWO_LEVEL, None)]

    later = date(2025, 8, 1)
    svc.rename_unit(unit, "Tên 3", today=later)
    svc.rename_unit(unit, "Tên 2", today=later)  # undone the same day: the old row goes on
    db.session.commit()
    assert _placements(unit) == [("O", "Tên 2", TWO_LEVEL, None)]

    gone = svc.add_unit("G", "Tạm", kind=UnitKind.AGENCY, parent=province, today=later)
    svc.retire_unit(gone, today=later)  # never stood a whole day
    db.session.commit()
    assert _placements(gone) == []
    _no_empty_or_overlapping_rows()


def test_a_change_dated_before_the_units_row_began_is_refused(province, make_unit):
    unit = make_unit("U", parent=province, today=TWO_LEVEL)
    other = make_unit("O", parent=province, today=FOUNDED)
    with pytest.raises(RuleViolation, match="01/07/2025"):
        svc.move_unit(unit, other, today=STTTT_MERGER)
    with pytest.raises(RuleViolation, match="01/07/2025"):
        svc.merge_unit(unit, other, today=STTTT_MERGER)
    with pytest.raises(RuleViolation, match="01/07/2025"):
        svc.retire_unit(unit, today=STTTT_MERGER)


def test_a_unit_takes_sub_units_only_from_the_day_it_existed(province, make_unit):
    young = make_unit("Y", parent=province, today=TWO_LEVEL)
    old = make_unit("OLD", parent=province, today=FOUNDED)
    with pytest.raises(RuleViolation, match="01/03/2025"):
        svc.add_unit("C", "Con", kind=UnitKind.DIVISION, parent=young, today=STTTT_MERGER)
    with pytest.raises(RuleViolation, match="Y"):
        svc.move_unit(old, young, today=STTTT_MERGER)
    with pytest.raises(RuleViolation, match="Y"):
        svc.merge_unit(old, young, today=STTTT_MERGER)


def test_a_back_dated_move_cannot_make_a_cycle_on_the_days_between(province, make_unit):
    """A under B from January to June; B moved under A from March would make both vanish
    from the trees of March to June."""
    a = make_unit("A", parent=province, today=FOUNDED)
    b = make_unit("B", parent=province, today=FOUNDED)
    svc.move_unit(a, b, today=date(2025, 1, 1))
    svc.move_unit(a, province, today=date(2025, 6, 1))
    db.session.commit()
    with pytest.raises(RuleViolation, match="A"):
        svc.move_unit(b, a, today=date(2025, 3, 1))
    svc.move_unit(b, a, today=date(2025, 6, 1))  # from the day A left B, it is fine
    db.session.commit()
    assert _codes(history.tree_on(date(2025, 6, 1)).ancestors(b.id)) == ["KG", "A"]


# --- a fixed number of statements, whatever the size of the province ------------------------


@contextmanager
def _statements() -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def _ask_everything(day: date, unit_ids: list[int], person_id: int) -> list[int]:
    """How many statements each history question sent."""
    questions: list[Callable[[], object]] = [
        lambda: history.tree_on(day),
        lambda: history.people_on(day, unit_ids=unit_ids),
        lambda: history.units_of_people_on(day, [person_id]),
        lambda: history.key_departments_on(day),
        lambda: history.names_on(day, unit_ids),
        lambda: history.person_unit_on(person_id, day),
        lambda: history.was_below_on_or_after(unit_ids[0], unit_ids[1:], day),
    ]
    counts = []
    for question in questions:
        db.session.expire_all()
        with _statements() as seen:
            question()
        counts.append(len(seen))
    return counts


@pytest.mark.parametrize("agencies", [1, 12])
def test_history_questions_cost_one_statement_each(province, make_unit, make_user, agencies):
    for number in range(agencies):
        agency = make_unit(f"S{number}", parent=province, today=FOUNDED)
        for division in range(2):
            unit = make_unit(
                f"S{number}-{division}",
                parent=agency,
                kind=UnitKind.DIVISION,
                key=division == 0,
                today=FOUNDED,
            )
            make_user(unit=unit, today=JOINED)
        svc.rename_unit(agency, f"Sở số {number}", today=DAY_BEFORE)
    db.session.commit()
    person = db.session.scalars(select(Person)).first()
    unit_ids = list(db.session.scalars(select(Unit.id).order_by(Unit.id)))
    assert _ask_everything(STTTT_MERGER, unit_ids, person.id) == [1, 1, 1, 1, 1, 1, 1]
    assert len(history.tree_on(STTTT_MERGER)) == 1 + 3 * agencies


# --- certificates, the command line, the demo ---------------------------------------------


@pytest.fixture
def completion(app, content, sync, make_unit, make_user):
    """A learner passes the sample quiz today; returns (person, code)."""
    assert sync().exit_code == 0
    unit = make_unit("PHONG", kind=UnitKind.DIVISION, name="Phòng Tin học", today=FOUNDED)
    parent = make_unit("SO", name="Sở Thông tin và Truyền thông", today=FOUNDED)
    svc.move_unit(unit, parent, today=JOINED)
    db.session.commit()
    person = make_user(unit=unit, username="hocvien", full_name="Trần Thị Mỹ Hạnh", today=JOINED)
    client = app.test_client()
    sign_in(client, person.username)
    for key in ("01-intro", "02-email"):
        client.post(f"/courses/sample/lessons/{key}/read")
    started = client.post("/courses/sample/quiz")
    attempt = db.session.get(Attempt, int(started.headers["Location"].rsplit("/", 1)[1]))
    answers = {
        f"q{q.position}": [str(i) for i, c in enumerate(q.payload["choices"]) if c["correct"]]
        for q in attempt.questions
    }
    client.post(f"/attempts/{attempt.id}", data=answers)
    completions = db.metadata.tables["completions"]
    row = db.session.execute(select(completions.c.code, completions.c.completed_on)).one()
    return person, unit, parent, row.code, row.completed_on


def test_a_rename_after_completion_leaves_the_certificates_unit_name(app, completion):
    _person, unit, parent, code, completed_on = completion
    later = completed_on + timedelta(days=30)
    svc.rename_unit(unit, "Phòng Công nghệ thông tin và Chuyển đổi số", today=later)
    svc.rename_unit(parent, "Sở Khoa học và Công nghệ", today=later)
    db.session.commit()
    with _statements() as seen:
        page = app.test_client().get(f"/verify/{code}").get_data(as_text=True)
    assert "Phòng Tin học – Sở Thông tin và Truyền thông" in page
    assert "Chuyển đổi số" not in page
    assert "Sở Khoa học và Công nghệ" not in page
    assert len(seen) == 2, seen  # the certificate with its holder and course; the unit then


def test_units_list_on_a_date_prints_that_days_tree(app, database):
    runner = app.test_cli_runner()

    def cli(*args: str) -> str:
        result = runner.invoke(args=list(args))
        assert result.exit_code == 0, result.output
        return result.output

    cli("units", "add", "KG", "Tỉnh Kiên Giang", "--kind", "province", "--on", "01/01/2016")
    for code, name in (("STTTT", "Sở Thông tin và Truyền thông"), ("SKHCN", "Sở Khoa học")):
        cli("units", "add", code, name, "--parent", "KG", "--kind", "agency", "--on", "01/01/2016")
    cli("units", "add", "STTTT-VP", "Văn phòng Sở", "--parent", "STTTT", "--on", "01/01/2016")
    cli(
        "units",
        "add",
        "STTTT-CNTT",
        "Phòng CNTT",
        "--parent",
        "STTTT",
        "--key",
        "--on",
        "01/01/2016",
    )
    cli("units", "merge", "STTTT", "--into", "SKHCN", "--on", "01/03/2025")

    assert cli("units", "list", "--on", "28/02/2025").splitlines() == [
        "KG  Tỉnh Kiên Giang",
        "  SKHCN  Sở Khoa học",
        "  STTTT  Sở Thông tin và Truyền thông",
        "    STTTT-CNTT  Phòng CNTT [key]",
        "    STTTT-VP  Văn phòng Sở",
    ]
    on_the_day = cli("units", "list", "--on", "01/03/2025").splitlines()
    assert on_the_day == [
        "KG  Tỉnh Kiên Giang",
        "  SKHCN  Sở Khoa học",
        "    STTTT-CNTT  Phòng CNTT [key]",
        "    STTTT-VP  Văn phòng Sở",
    ]
    assert cli("units", "list").splitlines() == on_the_day  # today's tree, as before
    assert cli("units", "list", "--on", "31/12/2015") == ""
    both = runner.invoke(args=["units", "list", "--on", "01/03/2025", "--all"])
    assert both.exit_code == 2


def test_the_demo_province_has_its_2025_history(app, database, make_user):
    seed_demo_province(today=TODAY)
    db.session.commit()
    code = {u.id: u.code for u in db.session.scalars(select(Unit))}
    unit_of = {u.code: u for u in db.session.scalars(select(Unit))}

    before = history.tree_on(DAY_BEFORE)
    assert [code[u.id] for u in before.children(unit_of["STTTT"].id)] == [
        "STTTT-CNTT",
        "STTTT-TTCNTT",
        "STTTT-VP",
    ]
    after = history.tree_on(STTTT_MERGER)
    assert "STTTT" not in {u.code for u in after}
    assert [u.code for u in after.children(unit_of["SKHCN"].id)] == [
        "SKHCN-CNTT",
        "STTTT-TTCNTT",
        "SKHCN-VP",
    ]
    admin = db.session.scalar(select(Person).where(Person.username == "quantri"))
    assert history.units_of_people_on(DAY_BEFORE, [admin.id]) == {
        admin.id: unit_of["STTTT-CNTT"].id
    }
    assert admin.unit.code == "SKHCN-CNTT"

    districts = history.tree_on(TWO_LEVEL - timedelta(days=1))
    assert [u.code for u in districts if u.depth == 0] == ["AG", "KG"]
    assert {"TP-RACHGIA", "H-HONDAT", "TP-PHUQUOC", "TP-LONGXUYEN"} <= {u.code for u in districts}
    assert "P-RACHGIA" not in {u.code for u in districts}
    communes = history.tree_on(TWO_LEVEL)
    assert [u.code for u in communes if u.depth == 0] == ["AG"]
    assert {"P-RACHGIA", "X-HONDAT", "DK-PHUQUOC", "VPUB", "SKHCN"} <= {
        u.code for u in communes.children(unit_of["AG"].id)
    }
    assert not {"TP-RACHGIA", "KG"} & {u.code for u in communes}
    khang = db.session.scalar(select(Person).where(Person.username == "khang.le"))
    assert [(m.unit.code, m.valid_from, m.valid_to) for m in membership_history(khang)] == [
        ("TP-RACHGIA-QLDT", date(2024, 1, 1), TWO_LEVEL),
        ("P-RACHGIA-KT", TWO_LEVEL, None),
    ]
    _no_empty_or_overlapping_rows()

    client = app.test_client()
    sign_in(client, make_user(role=Role.ICT_ADMIN, unit=unit_of["AG"]).username)
    new = visible_text(client.get(f"/units/{unit_of['SKHCN-CNTT'].id}").get_data(as_text=True))
    assert "01/03/2025 Thành lập" in new
    merged = visible_text(client.get(f"/units/{unit_of['STTTT'].id}").get_data(as_text=True))
    assert "01/01/2024 Thành lập" in merged
    assert "01/03/2025 Sáp nhập Vào SKHCN." in merged
    assert f"{TODAY:%d/%m/%Y}" not in merged


def test_the_demo_seeded_before_the_reorganisations_shows_the_province_then(database):
    seed_demo_province(today=DAY_BEFORE)
    db.session.commit()
    units = {u.code: u for u in db.session.scalars(select(Unit))}
    assert units["STTTT"].is_active
    assert "P-RACHGIA" not in units
    assert units["KG"].is_active


# --- the migration's backfill ------------------------------------------------------------


def test_the_migration_rebuilds_history_from_the_tree_and_its_events(make_app, tmp_path):
    """A tree and its events as the previous revision stored them, then the upgrade."""
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'backfill.db'}")
    with app.app_context():
        upgrade(revision="6bd17b715b9e")
        events = db.metadata.tables["unit_events"]
        now = "2026-11-25 00:00:00"
        tree = [  # id, code, name today, parent today, path, retired_on, merged_into
            (1, "KG", "Tỉnh Kiên Giang", None, "/1/", None, None),
            (3, "SKHCN", "Sở Khoa học và Công nghệ", 1, "/1/3/", None, None),
            (2, "STTTT", "Sở Thông tin và Truyền thông", 1, "/1/2/", "2025-03-01", 3),
            (4, "CNTT", "Phòng Công nghệ thông tin", 3, "/1/3/4/", None, None),
            (5, "LATE", "Đơn vị mới", 1, "/1/5/", None, None),
        ]
        for uid, ucode, name, parent, path, retired, merged in tree:
            db.session.execute(
                text(
                    "INSERT INTO units (id, code, name, kind, parent_id, path, is_key_department,"
                    " retired_on, merged_into_id, created_at) VALUES (:id, :code, :name,"
                    " 'agency', :parent, :path, false, :retired, :merged, :now)"
                ),
                {
                    "id": uid,
                    "code": ucode,
                    "name": name,
                    "parent": parent,
                    "path": path,
                    "retired": retired,
                    "merged": merged,
                    "now": now,
                },
            )
        recorded = [  # unit, kind, effective_on, old, new
            (1, "created", date(2016, 1, 1), None, "Tỉnh Kiên Giang"),
            (2, "created", date(2016, 1, 1), None, "Sở Thông tin và Truyền thông"),
            (3, "created", date(2016, 1, 1), None, "Sở Khoa học và Công nghệ"),
            (4, "created", date(2016, 1, 1), None, "Phòng Tin học"),
            (4, "renamed", date(2020, 1, 1), "Phòng Tin học", "Phòng Công nghệ thông tin"),
            (4, "moved", date(2025, 3, 1), "STTTT", "SKHCN"),
            (2, "merged", date(2025, 3, 1), None, "SKHCN"),
            (5, "created", date(2026, 11, 25), None, "Đơn vị mới"),
            (5, "moved", date(2025, 7, 1), "SKHCN", "KG"),  # dated before its creation
        ]
        for uid, kind, day, old, new in recorded:
            db.session.execute(
                insert(events).values(
                    unit_id=uid, kind=kind, effective_on=day, old_value=old, new_value=new
                )
            )
        db.session.commit()
        upgrade()
        by_code = {u.code: u for u in db.session.scalars(select(Unit))}
        assert _placements(by_code["CNTT"]) == [
            ("STTTT", "Phòng Tin học", date(2016, 1, 1), date(2020, 1, 1)),
            ("STTTT", "Phòng Công nghệ thông tin", date(2020, 1, 1), date(2025, 3, 1)),
            ("SKHCN", "Phòng Công nghệ thông tin", date(2025, 3, 1), None),
        ]
        assert _placements(by_code["STTTT"]) == [
            ("KG", "Sở Thông tin và Truyền thông", date(2016, 1, 1), date(2025, 3, 1))
        ]
        assert _placements(by_code["LATE"]) == [("KG", "Đơn vị mới", date(2026, 11, 25), None)]
        assert _codes(history.tree_on(date(2025, 2, 28)).ancestors(4)) == ["KG", "STTTT"]
        _no_empty_or_overlapping_rows()
        db.session.remove()
        db.engine.dispose()
