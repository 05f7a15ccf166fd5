"""Coverage reports on a small province whose every number is worked out by hand.

The province (all made on 01/01/2025, one course required of everyone in 90 days, 30 for
priority staff):

    AG  Tỉnh                      SA-1 is a key department: An (a1) is priority staff
    ├── SA  Sở A                  a2 Bình, b2 Cường (from SB on 01/06/2025)
    │   └── SA-1 Phòng A1         a1 An
    ├── SB  Sở B                  d1 Đào (deactivated 01/08/2025); renamed 01/10/2025
    │   └── SB-1 Phòng B1         b1 Giang; SB-1 moves under SA on 01/09/2025
    └── SC  Sở C                  c1 Hà; SC merges into SA on 01/07/2025

Completions: a1 by an officer's record on 20/01/2025 (expires 20/01/2026), a2 in person on
10/03/2025, b1 by the quiz on 01/05/2025 (after the 01/04/2025 deadline); c1 read a lesson
on 15/02/2025 (in progress); b2 and d1 never started.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from typing import Any

import openpyxl
import pytest
from sqlalchemy import insert, select

from tests.assignment_world import add_course, assign
from tests.factories import add_completion
from training.courses.models import Completion, CompletionMethod, CourseVersion, LessonRead
from training.extensions import db
from training.org.models import Unit, UnitKind, UnitPlacement
from training.org.people import deactivate_person
from training.org.units import merge_unit, move_person_to_unit, move_unit, rename_unit
from training.reports import snapshots
from training.reports.columns import Table, names
from training.reports.coverage import Filters, by_course, by_unit, people_rows

D0 = date(2025, 1, 1)
BEFORE_MERGER = date(2025, 6, 15)
YEAR_END = date(2025, 12, 31)
AFTER_EXPIRY = date(2026, 3, 1)


@pytest.fixture
def province(make_unit, make_user, snapshots) -> dict[str, Any]:
    return snapshots.keep("coverage province", lambda: _build(make_unit, make_user))


def _build(make_unit, make_user) -> dict[str, Any]:
    root = make_unit("AG", name="Tỉnh", kind=UnitKind.PROVINCE, today=D0)
    sa = make_unit("SA", name="Sở A", parent=root, today=D0)
    sa1 = make_unit("SA-1", name="Phòng A1", parent=sa, kind=UnitKind.DIVISION, key=True, today=D0)
    sb = make_unit("SB", name="Sở B", parent=root, today=D0)
    sb1 = make_unit("SB-1", name="Phòng B1", parent=sb, kind=UnitKind.DIVISION, today=D0)
    sc = make_unit("SC", name="Sở C", parent=root, today=D0)
    people = {
        "a1": make_user(unit=sa1, username="nv.a1", full_name="An", today=D0),
        "a2": make_user(unit=sa, username="nv.a2", full_name="Bình", today=D0),
        "b2": make_user(unit=sb, username="nv.b2", full_name="Cường", today=D0),
        "d1": make_user(unit=sb, username="nv.d1", full_name="Đào", today=D0),
        "b1": make_user(unit=sb1, username="nv.b1", full_name="Giang", today=D0),
        "c1": make_user(unit=sc, username="nv.c1", full_name="=HYPERLINK(1)", today=D0),
    }
    course = add_course("x", position=1)
    add_course("z", position=2)  # required of nobody: in no report
    db.session.commit()
    assign(course, on=D0, due_days=90, priority_due_days=30)

    def completion(who: str, on: date, method: CompletionMethod) -> None:
        made = add_completion(people[who], course, on)
        made.method = method
        db.session.commit()

    completion("a1", date(2025, 1, 20), CompletionMethod.MANUAL)
    completion("a2", date(2025, 3, 10), CompletionMethod.IN_PERSON)
    completion("b1", date(2025, 5, 1), CompletionMethod.QUIZ)
    version = db.session.scalar(
        select(CourseVersion.id).where(CourseVersion.course_id == course.id)
    )
    db.session.add(
        LessonRead(
            person_id=people["c1"].id,
            course_id=course.id,
            lesson_key="01-intro",
            version_id=version,
            read_at=datetime(2025, 2, 15, 3, tzinfo=UTC),
        )
    )
    db.session.commit()
    move_person_to_unit(people["b2"], sa, today=date(2025, 6, 1))
    db.session.commit()
    merge_unit(sc, sa, today=date(2025, 7, 1))
    db.session.commit()
    deactivate_person(people["d1"], actor=None, today=date(2025, 8, 1))
    db.session.commit()
    move_unit(sb1, sa, today=date(2025, 9, 1))
    db.session.commit()
    rename_unit(sb, "Sở B mới", today=date(2025, 10, 1))
    db.session.commit()
    return {"course": course, "people": people, "units": {"SA": sa, "SB": sb, "SA-1": sa1}}


def _rows(day: date, **filters: Any) -> dict[str, dict[str, Any]]:
    table = by_unit(Filters(day, **filters)).table
    assert list(table.columns) == names(Table.UNIT)
    return {row["unit_code"]: row for row in _plain(table.to_dict(orient="records"))}


def _plain(records: list[dict[Any, Any]]) -> list[dict[str, Any]]:
    """NaN → None, numpy numbers → Python: comparable with literal expectations."""
    return [{str(k): _value(v) for k, v in record.items()} for record in records]


def _value(value: Any) -> Any:
    if isinstance(value, float) and value != value:
        return None
    return value.item() if hasattr(value, "item") else value


UNIT_FIGURES = [
    "staff",
    "priority_staff",
    "required",
    "completed",
    "in_progress",
    "not_started",
    "overdue",
    "coverage_pct",
    "staff_fully_trained",
    "priority_required",
    "priority_completed",
    "priority_coverage_pct",
]


def _figures(row: dict[str, Any]) -> list[Any]:
    return [row[name] for name in UNIT_FIGURES]


def test_before_the_merger_each_unit_counts_its_people_where_they_sat(province) -> None:
    rows = _rows(BEFORE_MERGER)
    assert list(rows) == ["AG", "SA", "SA-1", "SB", "SB-1", "SC"]
    assert [(r["unit_name"], r["parent_code"], r["depth"]) for r in rows.values()] == [
        ("Tỉnh", None, 0),
        ("Sở A", "AG", 1),
        ("Phòng A1", "SA", 2),
        ("Sở B", "AG", 1),
        ("Phòng B1", "SB", 2),
        ("Sở C", "AG", 1),
    ]
    assert _figures(rows["SA-1"]) == [1, 1, 1, 1, 0, 0, 0, 100.0, 1, 1, 1, 100.0]
    # b2 moved in on 01/06: counted here, overdue; a1 below counts too
    assert _figures(rows["SA"]) == [3, 1, 3, 2, 0, 1, 1, 66.7, 2, 1, 1, 100.0]
    # b1 completed after the deadline: completed, not overdue; d1 still active
    assert _figures(rows["SB"]) == [2, 0, 2, 1, 0, 1, 1, 50.0, 1, 0, 0, None]
    assert _figures(rows["SB-1"]) == [1, 0, 1, 1, 0, 0, 0, 100.0, 1, 0, 0, None]
    assert _figures(rows["SC"]) == [1, 0, 1, 0, 1, 0, 1, 0.0, 0, 0, 0, None]
    assert _figures(rows["AG"]) == [6, 1, 6, 3, 1, 2, 3, 50.0, 3, 1, 1, 100.0]


def test_at_year_end_the_tree_and_the_people_are_those_of_that_day(province) -> None:
    rows = _rows(YEAR_END)
    # SC merged away on 01/07: gone; SB-1 moved under SA on 01/09; SB renamed on 01/10
    assert list(rows) == ["AG", "SA", "SA-1", "SB-1", "SB"]
    assert rows["SB-1"]["parent_code"] == "SA"
    assert rows["SB"]["unit_name"] == "Sở B mới"
    assert _figures(rows["SA"]) == [5, 1, 5, 3, 1, 1, 2, 60.0, 3, 1, 1, 100.0]
    # d1 deactivated on 01/08: no longer staff, nothing required
    assert _figures(rows["SB"]) == [0, 0, 0, 0, 0, 0, 0, None, 0, 0, 0, None]
    assert _figures(rows["AG"]) == [5, 1, 5, 3, 1, 1, 2, 60.0, 3, 1, 1, 100.0]


def test_an_expired_completion_no_longer_counts(province) -> None:
    rows = _rows(AFTER_EXPIRY)
    assert _figures(rows["SA-1"]) == [1, 1, 1, 0, 0, 1, 1, 0.0, 0, 1, 0, 0.0]
    assert _figures(rows["AG"]) == [5, 1, 5, 2, 1, 2, 3, 40.0, 2, 1, 0, 0.0]


def test_a_report_of_a_past_day_is_the_same_whatever_moved_since(province) -> None:
    before = _rows(BEFORE_MERGER)
    move_person_to_unit(province["people"]["a2"], province["units"]["SB"], today=date(2026, 6, 1))
    rename_unit(province["units"]["SA"], "Sở A đổi tên", today=date(2026, 6, 1))
    db.session.commit()
    assert _rows(BEFORE_MERGER) == before


def test_by_course_counts_the_same_requirements(province) -> None:
    table = by_course(Filters(BEFORE_MERGER))
    assert list(table.columns) == names(Table.COURSE)
    (row,) = _plain(table.to_dict(orient="records"))
    assert row == {
        "course_slug": "x",
        "course_title": "Khoá x",
        "audience": "all",
        "required": 6,
        "completed": 3,
        "in_progress": 1,
        "not_started": 2,
        "overdue": 3,
        "coverage_pct": 50.0,
        "priority_required": 1,
        "priority_completed": 1,
        "priority_coverage_pct": 100.0,
    }


def test_people_rows_hold_each_requirement_with_its_dates(province) -> None:
    rows = [
        dict(zip(names(Table.PEOPLE), row, strict=True))
        for row in people_rows(Filters(BEFORE_MERGER))
    ]
    due, priority_due = date(2025, 4, 1), date(2025, 1, 31)
    # person by person, in the order they were added
    assert [(r["unit_code"], r["full_name"]) for r in rows] == [
        ("SA-1", "An"),
        ("SA", "Bình"),
        ("SA", "Cường"),
        ("SB", "Đào"),
        ("SB-1", "Giang"),
        ("SC", "=HYPERLINK(1)"),
    ]
    by_name = {r["full_name"]: r for r in rows}
    assert by_name["An"] | {} == {
        "employee_id": None,
        "full_name": "An",
        "unit_code": "SA-1",
        "priority": True,
        "course_slug": "x",
        "status": "completed",
        "overdue": False,
        "due_date": priority_due,
        "completed_at": date(2025, 1, 20),
        "valid_until": date(2026, 1, 20),
    }
    assert (by_name["Giang"]["status"], by_name["Giang"]["overdue"]) == ("completed", False)
    assert by_name["Giang"]["completed_at"] == date(2025, 5, 1)
    assert (by_name["Cường"]["status"], by_name["Cường"]["overdue"]) == ("not_started", True)
    assert (by_name["=HYPERLINK(1)"]["status"], by_name["=HYPERLINK(1)"]["due_date"]) == (
        "in_progress",
        due,
    )
    assert all(r["course_slug"] == "x" for r in rows)


def test_a_unit_row_is_its_own_people_plus_its_sub_units(province) -> None:
    for day in (BEFORE_MERGER, YEAR_END, AFTER_EXPIRY):
        report = by_unit(Filters(day))
        people = [dict(zip(names(Table.PEOPLE), r, strict=True)) for r in people_rows(Filters(day))]
        tree = report.scope.tree
        for unit in tree:
            codes = {u.code for u in tree.subtree(unit.id)}
            mine = [p for p in people if p["unit_code"] in codes]
            row = report.table.set_index("unit_code").loc[unit.code]
            assert row["required"] == len(mine)
            assert row["completed"] == sum(p["status"] == "completed" for p in mine)
            assert row["overdue"] == sum(p["overdue"] for p in mine)
            assert row["priority_required"] == sum(p["priority"] for p in mine)


def test_a_course_required_twice_and_renewed_early_is_one_requirement(province) -> None:
    """Two assignments of one course, a renewal earned while the first completion still held,
    and a lesson read before a completion that has since lapsed: the unit report counts each
    (person, course) once and agrees with the people export, status by status."""
    course, people = province["course"], province["people"]
    assign(course, unit=province["units"]["SA"], on=date(2025, 11, 1), due_days=60)
    renewal = add_completion(people["a1"], course, date(2026, 1, 10))  # the first lasts to 20/01
    renewal.method = CompletionMethod.QUIZ
    version = db.session.scalar(
        select(CourseVersion.id).where(CourseVersion.course_id == course.id)
    )
    for who, day in (
        ("a2", datetime(2025, 3, 1, 3, tzinfo=UTC)),
        ("b2", datetime(2026, 3, 20, 3, tzinfo=UTC)),
    ):
        db.session.add(
            LessonRead(
                person_id=people[who].id,
                course_id=course.id,
                lesson_key="01-intro",
                version_id=version,
                read_at=day,
            )
        )
    db.session.commit()
    for day in (date(2026, 1, 15), date(2026, 4, 1)):
        people_rows_of_day = [
            dict(zip(names(Table.PEOPLE), r, strict=True)) for r in people_rows(Filters(day))
        ]
        root = _rows(day)["AG"]
        assert root["required"] == len(people_rows_of_day) == 5  # d1 left; a1 once, not twice
        for status in ("completed", "in_progress", "not_started"):
            assert root[status] == sum(p["status"] == status for p in people_rows_of_day)
        assert root["overdue"] == sum(p["overdue"] for p in people_rows_of_day)
        assert by_course(Filters(day)).iloc[0]["required"] == 5
    later = people_rows(Filters(date(2026, 4, 1)))
    statuses = {row[1]: row[names(Table.PEOPLE).index("status")] for row in later}
    # a2's read came before her completion, which lapsed on 10/03/2026: not started again;
    # b2 read after: in progress; a1's renewal holds.
    assert (statuses["Bình"], statuses["Cường"], statuses["An"]) == (
        "not_started",
        "in_progress",
        "completed",
    )


def test_a_unit_scope_reports_that_subtree_only(province) -> None:
    sa = province["units"]["SA"]
    rows = _rows(YEAR_END, unit_id=sa.id)
    assert list(rows) == ["SA", "SA-1", "SB-1"]
    people = list(people_rows(Filters(YEAR_END, unit_id=sa.id)))
    assert {row[2] for row in people} == {"SA", "SA-1", "SB-1"}


def test_priority_only_and_course_filters(province) -> None:
    rows = _rows(BEFORE_MERGER, priority_only=True)
    assert _figures(rows["AG"]) == [1, 1, 1, 1, 0, 0, 0, 100.0, 1, 1, 1, 100.0]
    assert rows["SB"]["staff"] == 0
    other = db.session.scalar(select(Completion.course_id).limit(1))
    assert other == province["course"].id
    z = _rows(BEFORE_MERGER, course_id=province["course"].id + 1)
    assert z["AG"]["required"] == 0
    assert z["AG"]["staff"] == 6


def _cli(app, *args: str) -> None:
    result = app.test_cli_runner().invoke(args=["report", *args])
    assert result.exit_code == 0, result.output


def test_csv_xlsx_and_json_of_a_report_hold_the_same_numbers(app, province, tmp_path) -> None:
    common = ["--as-of", "15/06/2025"]
    for fmt in ("csv", "json", "xlsx"):
        _cli(
            app,
            "coverage",
            "--by",
            "unit",
            "--format",
            fmt,
            "--out",
            str(tmp_path / f"u.{fmt}"),
            *common,
        )
    text = (tmp_path / "u.csv").read_bytes()
    assert text.startswith(b"\xef\xbb\xbf")
    from_csv = list(csv.DictReader(io.StringIO(text.decode("utf-8-sig"))))
    from_json = json.loads((tmp_path / "u.json").read_text("utf-8"))
    book = openpyxl.load_workbook(tmp_path / "u.xlsx")
    summary = [cell for row in book.worksheets[0].iter_rows(values_only=True) for cell in row]
    assert "Toàn tỉnh" in summary  # the scope, named
    sheet = book.worksheets[1]
    from_xlsx = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(from_csv) == len(from_json) == len(from_xlsx) == 6
    for csv_row, json_row, xlsx_row in zip(from_csv, from_json, from_xlsx, strict=True):
        assert csv_row["unit_code"] == json_row["unit_code"] == xlsx_row[0]
        for index, name in enumerate(names(Table.UNIT)):
            if name in ("unit_code", "unit_name", "parent_code"):
                continue
            value = json_row[name]
            assert (csv_row[name] or None) == (None if value is None else str(value))
            assert xlsx_row[index] == value


def test_a_frozen_snapshot_never_changes(app, province, tmp_path) -> None:
    snapshot = snapshots.freeze(
        YEAR_END, title="Kiểm tra 2025", actor=None, now=datetime(2026, 1, 5, tzinfo=UTC)
    )
    db.session.commit()
    formats = [(Table.UNIT, "csv"), (Table.COURSE, "json"), (None, "xlsx")]
    before = {key: snapshots.render(snapshot, *key) for key in formats}
    assert province["units"]["SA"].code in before[(Table.UNIT, "csv")].decode("utf-8-sig")
    # people move, a unit is renamed, a completion is revoked, another is earned
    move_person_to_unit(province["people"]["a2"], province["units"]["SB"], today=date(2026, 2, 1))
    rename_unit(province["units"]["SA"], "Sở A mới", today=date(2026, 2, 1))
    for completion in db.session.scalars(select(Completion)):
        completion.revoked_at = datetime(2026, 2, 1, tzinfo=UTC)
    db.session.commit()
    add_completion(province["people"]["b2"], province["course"], date(2025, 12, 1))
    db.session.expire_all()
    again = db.session.get(type(snapshot), snapshot.id)
    assert snapshots.verify(again)
    assert {key: snapshots.render(again, *key) for key in formats} == before
    assert _rows(YEAR_END)["SA"]["completed"] != 3  # the live report did change
    workbook = openpyxl.load_workbook(io.BytesIO(before[(None, "xlsx")]))
    summary = [cell for row in workbook.worksheets[0].iter_rows(values_only=True) for cell in row]
    assert snapshot.checksum in summary


def test_the_report_costs_the_same_few_queries_for_10_or_1000_units(
    app, province, count_queries
) -> None:
    def queries() -> int:
        with count_queries() as log:
            by_unit(Filters(YEAR_END))
        return len(log)

    few = queries()
    root = db.session.scalar(select(Unit).where(Unit.code == "AG"))
    rows = [
        {
            "code": f"N{i:04d}",
            "name": f"Đơn vị {i}",
            "kind": UnitKind.AGENCY,
            "parent_id": root.id,
            "path": root.path,
            "is_key_department": False,
        }
        for i in range(1000)
    ]
    db.session.execute(insert(Unit), rows)
    ids = db.session.execute(select(Unit.id, Unit.name).where(Unit.code.like("N%"))).all()
    db.session.execute(
        insert(UnitPlacement),
        [{"unit_id": i, "parent_id": root.id, "name": n, "valid_from": D0} for i, n in ids],
    )
    db.session.commit()
    assert len(by_unit(Filters(YEAR_END)).table) > 1000
    many = queries()
    assert few == many <= 5
