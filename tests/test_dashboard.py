"""The coverage dashboard, its downloads and background export, targets and headcounts, on a
small province built by hand, whose figures are worked out below.

The province, dated from `START` (120 days ago); the Phòng Tổ chức moved from the Sở Nội vụ to
the Sở Tài chính 20 days ago:

    Sở Khoa học và Công nghệ   admin                                  basics —
    Sở Nội vụ                  officer (cntt.snv)                     basics —
      Văn phòng Sở (key)       Trần Văn Một (priority)                basics ✓, secrets ✓
    Sở Tài chính               other officer (cntt.stc)               basics —
      Phòng Kế toán            Ngô Văn Ngoại                          basics ✓
      Phòng Tổ chức            Lê Thị Hai (drafts classified)         basics ✓, secrets —
                               Phạm Văn Ba                            basics (started)

Everyone must take "basics", priority staff "secrets", both due 90 days ago: whatever is not
completed is overdue. Today: 9 required, 4 completed (44.4 %); priority 4 required, 3 completed
(75.0 %); 5 overdue. Pages are read in English, so the assertions survive the translations.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from sqlalchemy import func, select

from tests.assignment_world import add_course, assign, attempt, complete
from tests.helpers import PASSWORD, sign_in
from training.assignments.models import TargetGroup as Audience
from training.clock import today_vn
from training.courses.models import Audience as CourseAudience
from training.courses.models import Course
from training.extensions import db
from training.org.models import Person, Role, Unit, UnitKind
from training.org.units import move_unit
from training.reports import jobs
from training.reports.charts import UnitValues, coverage_chart, months_chart, priority_chart
from training.reports.columns import COLUMNS, Table
from training.reports.dashboard import first_of_month
from training.reports.models import CoverageTarget, ExportJob

TODAY = today_vn()
START = TODAY - timedelta(days=120)
MOVED = TODAY - timedelta(days=20)
BEFORE_MOVE = TODAY - timedelta(days=30)
OUTSIDERS = ("Lê Thị Hai", "Phạm Văn Ba", "Ngô Văn Ngoại", "Sở Tài chính", "Phòng Kế toán")
OUTSIDE_UNITS = ("STC", "STC-KT", "SNV-TC", "SKHCN", "Phòng Tổ chức", "Khoa học")


@dataclass
class Province:
    skhcn: Unit
    snv: Unit
    office: Unit
    org: Unit  # Phòng Tổ chức, moved
    stc: Unit
    accounts: Unit
    admin: Person
    officer: Person
    other_officer: Person
    drafter: Person
    basics: Course
    secrets: Course


def build_province(make_unit: Callable[..., Unit], make_user: Callable[..., Person]) -> Province:
    """The province of the module's docstring (the managers' home tests use it too)."""

    def unit(code: str, name: str, parent: Unit | None = None, *, key: bool = False) -> Unit:
        kind = UnitKind.DIVISION if parent else UnitKind.AGENCY
        return make_unit(code, name=name, parent=parent, kind=kind, key=key, today=START)

    def person(unit: Unit, username: str, name: str, **kwargs: object) -> Person:
        return make_user(unit=unit, username=username, full_name=name, today=START, **kwargs)

    skhcn = unit("SKHCN", "Sở Khoa học và Công nghệ")
    snv = unit("SNV", "Sở Nội vụ")
    office = unit("SNV-VP", "Văn phòng Sở", snv, key=True)
    org = unit("SNV-TC", "Phòng Tổ chức", snv)
    stc = unit("STC", "Sở Tài chính")
    accounts = unit("STC-KT", "Phòng Kế toán", stc)
    admin = person(skhcn, "quantri", "Quản Trị Viên", role=Role.ICT_ADMIN)
    officer = person(snv, "cntt.snv", "Cán Bộ Nội Vụ", role=Role.UNIT_OFFICER)
    other_officer = person(stc, "cntt.stc", "Cán Bộ Tài Chính", role=Role.UNIT_OFFICER)
    one = person(office, "tran.mot", "Trần Văn Một")
    drafter = person(org, "le.hai", "Lê Thị Hai", classified=True)
    three = person(org, "pham.ba", "Phạm Văn Ba")
    outsider = person(accounts, "ngoai", "Ngô Văn Ngoại")
    basics = add_course("basics", position=1)
    secrets = add_course("secrets", audience=CourseAudience.PRIORITY, position=2)
    db.session.commit()
    due = START + timedelta(days=30)
    assign(basics, on=START, due_on=due)
    assign(secrets, audience=Audience.PRIORITY, on=START, due_on=due)
    done = START + timedelta(days=10)
    for who, course in ((one, basics), (one, secrets), (drafter, basics), (outsider, basics)):
        complete(who, course, done)
    attempt(three, basics, score=None, days_ago=1)
    move_unit(org, stc, today=MOVED)
    db.session.commit()
    return Province(
        skhcn,
        snv,
        office,
        org,
        stc,
        accounts,
        admin,
        officer,
        other_officer,
        drafter,
        basics,
        secrets,
    )


@pytest.fixture
def province(make_unit, make_user, snapshots) -> Province:
    return snapshots.keep("dashboard province", lambda: build_province(make_unit, make_user))


@pytest.fixture
def client_of(app: Flask) -> Callable[[Person], FlaskClient]:
    def _client_of(person: Person) -> FlaskClient:
        client = app.test_client()
        sign_in(client, person.username)
        assert client.post("/language/en").status_code == 302
        return client

    return _client_of


@pytest.fixture
def exports(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Thread mode (no REDIS_URL), files in a folder of this test, not in the repository."""
    folder = tmp_path / "exports"
    monkeypatch.setitem(app.config, "EXPORTS_DIR", str(folder))
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    return folder


class _Tables(HTMLParser):
    """Every table row of a page as the texts of its cells; enough to read figures by row."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th") and self.rows:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(re.sub(r"\s+", " ", "".join(self._cell)).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def page_of(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


def section(html: str, heading_id: str) -> str:
    """The HTML of the <section> labelled by `heading_id`."""
    start = html.index(f'aria-labelledby="{heading_id}"')
    return html[start : html.index("</section>", start)]


def rows(html: str) -> dict[str, list[str]]:
    """Table rows by their first cell's first words (the unit's or person's name)."""
    parser = _Tables()
    parser.feed(html)
    return {row[0]: row[1:] for row in parser.rows if row}


def row_named(html: str, name: str) -> list[str]:
    found = [cells for first, cells in rows(html).items() if first.startswith(name)]
    assert len(found) == 1, (name, list(rows(html)))
    return found[0]


def row_named_html(html: str, name: str) -> str:
    start = html.index(f">{name}<")
    return html[html.rfind("<tr", 0, start) : html.index("</tr>", start)]


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def dmy(day: date) -> str:
    return day.strftime("%d/%m/%Y")


# --- what the ICT admin sees ----------------------------------------------------------------


def test_admin_sees_the_provinces_top_units_with_their_figures(province, client_of):
    html = page_of(client_of(province.admin), "/reports/")
    overview = text(section(html, "overview-title"))
    assert "The whole province on " + dmy(TODAY) in overview
    assert "44.4%" in overview  # 4 of 9
    assert "75.0%" in overview  # priority: 3 of 4
    assert "4 of 9; 1 in progress, 4 not started" in overview
    units = section(html, "units-title")
    # staff, priority staff, required, completed, in progress, not started, overdue, %, priority %
    assert row_named(units, "Sở Nội vụ") == ["2", "1", "3", "2", "0", "1", "1", "66.7%", "100.0%"]
    assert row_named(units, "Sở Tài chính") == ["4", "1", "5", "2", "1", "2", "3", "40.0%", "50.0%"]
    assert row_named(units, "Sở Khoa học và Công nghệ")[-2:] == ["0.0%", "—"]
    assert "Văn phòng Sở" not in units  # one level at a time
    assert f"unit={province.snv.id}" in row_named_html(units, "Sở Nội vụ")  # drills down


def test_drilling_down_to_a_unit_then_to_its_people(province, client_of):
    client = client_of(province.admin)
    html = page_of(client, f"/reports/?unit={province.snv.id}")
    crumbs = html[html.index('class="crumbs"') : html.index("</nav>", html.index('class="crumbs"'))]
    assert "The whole province" in crumbs
    assert "Sở Nội vụ" in crumbs
    assert row_named(section(html, "units-title"), "Văn phòng Sở")[:4] == ["1", "1", "2", "2"]
    people = section(html, "people-title")
    assert row_named(people, "Cán Bộ Nội Vụ") == ["1", "0", "0", "1", "1"]  # sits in the Sở itself
    assert "Trần Văn Một" not in people  # the Văn phòng lists its own
    html = page_of(client, f"/reports/?unit={province.office.id}")
    assert 'aria-labelledby="units-title"' not in html  # no sub-units
    assert row_named(section(html, "people-title"), "Trần Văn Một Priority") == [
        "2",
        "2",
        "0",
        "0",
        "0",
    ]


def test_a_units_people_come_a_page_at_a_time(province, client_of, monkeypatch):
    monkeypatch.setattr("training.reports.dashboard.PEOPLE_PER_PAGE", 1)
    client = client_of(province.admin)
    first = section(page_of(client, f"/reports/?unit={province.org.id}"), "people-title")
    assert "Lê Thị Hai" in first
    assert "Phạm Văn Ba" not in first
    assert "Page 1 of 2" in first
    second = section(page_of(client, f"/reports/?unit={province.org.id}&page=2"), "people-title")
    assert row_named(second, "Phạm Văn Ba") == ["1", "0", "1", "0", "1"]
    assert "Lê Thị Hai" not in second


def test_as_of_a_day_before_the_move_shows_the_old_tree(province, client_of):
    client = client_of(province.admin)
    old = page_of(client, f"/reports/?unit={province.snv.id}&as_of={dmy(BEFORE_MOVE)}")
    assert "Sở Nội vụ on " + dmy(BEFORE_MOVE) in text(old)
    assert row_named(section(old, "units-title"), "Phòng Tổ chức")[:3] == ["2", "1", "3"]
    assert "50.0%" in section(old, "overview-title")  # 3 of 6 then
    now = page_of(client, f"/reports/?unit={province.snv.id}")
    assert "Phòng Tổ chức" not in now
    assert "66.7%" in section(now, "overview-title")
    # the filter keeps the day through the drill-down links
    assert f"as_of={dmy(BEFORE_MOVE)}" in section(old, "units-title")


def test_course_and_priority_filters_change_the_numbers(province, client_of):
    client = client_of(province.admin)
    only_secrets = section(
        page_of(client, f"/reports/?course={province.secrets.id}"), "overview-title"
    )
    assert "1 of 2;" in text(only_secrets)
    assert "50.0%" in only_secrets
    priority = section(page_of(client, "/reports/?priority=y"), "overview-title")
    assert "3 of 4;" in text(priority)
    assert "Priority staff only." in text(priority)
    # a course that does not exist is refused by the form: all courses, not an error
    assert "4 of 9;" in text(page_of(client, "/reports/?course=999999&as_of=garbage"))


def test_units_below_target_are_marked_once_a_target_is_set(province, client_of):
    client = client_of(province.admin)
    assert "badge-below" not in page_of(client, "/reports/")
    response = client.post(
        "/reports/targets",
        data={"group": "everyone", "percent": "60", "due_on": dmy(TODAY + timedelta(days=30))},
    )
    assert response.status_code == 302
    html = page_of(client, "/reports/")
    units = section(html, "units-title")
    below = [name for name in rows(units) if "Below target" in name]
    assert sorted(below) == ["Sở Khoa học và Công nghệ Below target", "Sở Tài chính Below target"]
    assert "Target 60.0% by" in text(section(html, "overview-title"))
    # at every level: the Phòng Tổ chức (33.3 %) too
    assert "3 units are below target." in text(html)


def test_targets_accept_a_decimal_comma_and_keep_their_history(province, client_of):
    client = client_of(province.admin)
    due = dmy(TODAY + timedelta(days=60))
    client.post("/reports/targets", data={"group": "priority", "percent": "92,5", "due_on": due})
    client.post("/reports/targets", data={"group": "priority", "percent": "100", "due_on": due})
    refused = client.post(
        "/reports/targets", data={"group": "everyone", "percent": "120", "due_on": due}
    )
    assert refused.status_code == 200
    assert "at most 100" in refused.get_data(as_text=True)
    targets = db.session.scalars(select(CoverageTarget).order_by(CoverageTarget.id)).all()
    assert [(str(t.percent), t.withdrawn_at is None) for t in targets] == [
        ("92.5", False),
        ("100.0", True),
    ]
    html = page_of(client, "/reports/targets")
    assert "92.5%" in section(html, "history-title")
    client.post("/reports/targets/priority/withdraw")
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(CoverageTarget)
            .where(CoverageTarget.withdrawn_at.is_(None))
        )
        == 0
    )


def test_a_roster_shorter_than_the_official_headcount_is_flagged(province, client_of):
    client = client_of(province.officer)
    html = page_of(client, "/reports/")
    assert "Roster shorter" not in html
    response = client.post(
        f"/reports/units/{province.office.id}/headcount", data={"headcount": "5"}
    )
    assert response.status_code == 302
    units = section(page_of(client, "/reports/"), "units-title")
    assert "Văn phòng Sở Roster shorter than official headcount" in rows(units)
    html = page_of(client, f"/reports/?unit={province.office.id}")
    assert "Official headcount: 5" in text(section(html, "overview-title"))
    client.post(f"/reports/units/{province.office.id}/headcount", data={"headcount": ""})
    db.session.expire_all()
    assert db.session.get(Unit, province.office.id).official_headcount is None


def test_charts_are_svg_each_followed_by_its_data_table(province, client_of):
    html = section(page_of(client_of(province.admin), "/reports/"), "charts-title")
    assert "<script" not in html
    for key in ("coverage-chart", "priority-chart", "months-chart"):
        start = html.index(f'aria-labelledby="{key}-title {key}-desc"')
        assert html.rfind("<svg", 0, start) > html.rfind("</svg>", 0, start)
        assert f'<title id="{key}-title">' in html
        after = html[html.index("</svg>", start) :] + "<svg"  # the next chart, or the end
        assert after.index('<div class="visually-hidden chart-data"><table>') < after.index("<svg")
    months = html[html.index('aria-labelledby="months-chart-title') :]
    table = months[months.index('<div class="visually-hidden chart-data"><table>') :]
    done = first_of_month(START + timedelta(days=10))
    assert [done.strftime("%m/%Y"), "4"] in [[k, *v] for k, v in rows(table).items()]


def test_chart_geometry_is_sized_in_percent_of_the_width():
    units = [UnitValues("Sở Nội vụ", 50.0, 100.0), UnitValues("Một đơn vị rất dài " * 4, None)]
    chart = coverage_chart(units, target_pct=90.0)
    assert [bar.width for row in chart.rows for bar in row.bars] == [41.0, 0.0]
    assert [bar.is_below for row in chart.rows for bar in row.bars] == [True, False]
    assert chart.rows[1].label.endswith("…")
    assert len(chart.rows[1].label) <= 34
    assert chart.targets[0].x == pytest.approx(90 * 0.82)
    pairs = priority_chart(units, target_pct=None, priority_target_pct=100.0)
    assert [bar.series for bar in pairs.rows[0].bars] == ["all", "priority"]
    assert [bar.is_below for bar in pairs.rows[0].bars] == [False, False]
    columns = months_chart([(date(2026, 1, 1), 0), (date(2026, 2, 1), 4), (date(2026, 3, 1), 2)])
    assert [c.height for c in columns.columns] == [0, 130, 65]
    assert columns.total == 6


# --- downloads ------------------------------------------------------------------------------


def _csv(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def _xlsx(body: bytes, sheet_index: int) -> list[dict[str, object]]:
    sheet = openpyxl.load_workbook(io.BytesIO(body), read_only=True).worksheets[sheet_index]
    values = list(sheet.iter_rows(values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def test_csv_xlsx_and_json_of_a_table_hold_the_same_numbers(province, client_of):
    client = client_of(province.admin)
    bodies = {}
    for fmt in ("csv", "json", "xlsx"):
        response = client.get(f"/reports/download/unit.{fmt}?as_of={dmy(TODAY)}")
        assert response.status_code == 200
        assert "attachment" in response.headers["Content-Disposition"]
        bodies[fmt] = response.data
    with force_locale("en"):  # the workbook's headers are in the reader's language
        label = {column.name: str(column.label) for column in COLUMNS[Table.UNIT]}
    figures = ("staff", "completed", "overdue", "coverage_pct", "priority_coverage_pct")

    def number(value: object) -> float | None:
        return None if value in (None, "") else float(value)  # type: ignore[arg-type]

    from_csv = {r["unit_code"]: [number(r[name]) for name in figures] for r in _csv(bodies["csv"])}
    from_json = {
        r["unit_code"]: [number(r[name]) for name in figures] for r in json.loads(bodies["json"])
    }
    from_xlsx = {
        r[label["unit_code"]]: [number(r[label[name]]) for name in figures]
        for r in _xlsx(bodies["xlsx"], 1)
    }
    assert from_csv == from_json == from_xlsx
    assert set(from_csv) == {"SKHCN", "SNV", "SNV-VP", "STC", "STC-KT", "SNV-TC"}
    assert from_csv["SNV"] == [2, 2, 1, 66.7, 100.0]
    assert from_csv["STC"] == [4, 2, 3, 40.0, 50.0]
    assert from_csv["SKHCN"] == [1, 0, 1, 0.0, None]
    courses = json.loads(client.get("/reports/download/course.json").data)
    assert {c["course_slug"]: c["completed"] for c in courses} == {"basics": 3, "secrets": 1}


def test_unknown_tables_and_formats_are_not_found(province, client_of):
    client = client_of(province.admin)
    assert client.get("/reports/download/people.csv").status_code == 404
    assert client.get("/reports/download/unit.pdf").status_code == 404
    assert client.get("/reports/download/unit.csv?as_of=31/02/2026").status_code == 400


# --- an officer's subtree -------------------------------------------------------------------


def test_officer_sees_only_their_subtree(province, client_of):
    client = client_of(province.officer)
    html = page_of(client, "/reports/")
    assert "Sở Nội vụ on " + dmy(TODAY) in text(html)
    assert "The whole province" not in html
    for name in (*OUTSIDERS, "Phòng Tổ chức", "Khoa học"):
        assert name not in html, name
    assert "66.7%" in section(html, "overview-title")
    page_of(client, f"/reports/?unit={province.office.id}")
    for other in (province.stc, province.org, province.skhcn, province.accounts):
        page_of(client, f"/reports/?unit={other.id}", 404)
        page_of(client, f"/reports/download/unit.csv?unit={other.id}", 404)
        assert client.get(f"/reports/units/{other.id}/headcount").status_code == 404
    page_of(client, "/reports/?unit=999999", 404)


def test_an_officers_breadcrumbs_start_at_their_own_unit(province, client_of):
    html = page_of(client_of(province.officer), f"/reports/?unit={province.office.id}")
    crumbs = html[html.index('class="crumbs"') : html.index("</nav>", html.index('class="crumbs"'))]
    assert "Sở Nội vụ" in crumbs
    assert "Văn phòng Sở" in crumbs
    assert "province" not in crumbs


@pytest.mark.parametrize("table", ["unit", "course"])
def test_officer_downloads_hold_nothing_outside_their_subtree(province, client_of, table):
    client = client_of(province.officer)
    csv_body = client.get(f"/reports/download/{table}.csv").data
    json_body = client.get(f"/reports/download/{table}.json").data
    xlsx_body = client.get(f"/reports/download/{table}.xlsx").data
    sheets = openpyxl.load_workbook(io.BytesIO(xlsx_body), read_only=True).worksheets
    cells = " ".join(
        str(value) for sheet in sheets for row in sheet.iter_rows(values_only=True) for value in row
    )
    for body in (csv_body.decode("utf-8-sig"), json_body.decode(), cells):
        for name in OUTSIDERS + OUTSIDE_UNITS:
            assert name not in body, (table, name)
    if table == "unit":
        assert [r["unit_code"] for r in _csv(csv_body)] == ["SNV", "SNV-VP"]
    else:
        assert {r["course_slug"]: int(r["required"]) for r in _csv(csv_body)} == {
            "basics": 2,
            "secrets": 1,
        }


def _file(client: FlaskClient, job_id: str) -> bytes:
    """A file response holds the file open until closed."""
    with client.get(f"/reports/jobs/{job_id}/file") as response:
        assert response.status_code == 200
        return response.get_data()


def _export(client: FlaskClient, data: dict[str, object]) -> str:
    response = client.post("/reports/people-export", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    job_id = response.headers["Location"].rstrip("/").rsplit("/", 1)[1]
    jobs.wait_for(job_id, timeout=60)
    return job_id


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_people_export_holds_only_people_in_scope(province, client_of, exports, fmt):
    client = client_of(province.officer)
    job_id = _export(client, {"fmt": fmt, "as_of": dmy(TODAY)})
    assert "Download" in page_of(client, f"/reports/jobs/{job_id}")
    body = _file(client, job_id)
    if fmt == "csv":
        lines = _csv(body)
        found = " ".join(" ".join(v for v in line.values() if v) for line in lines)
    else:
        people = _xlsx(body, 1)
        found = " ".join(str(v) for line in people for v in line.values())
        lines = people
    assert "Trần Văn Một" in found
    assert "Cán Bộ Nội Vụ" in found
    for name in OUTSIDERS + OUTSIDE_UNITS:
        assert name not in found, name
    assert len(lines) == 3  # the officer's basics, Một's basics and secrets
    assert jobs.file_path(db.session.get(ExportJob, job_id)).parent == exports


def test_the_people_export_of_another_unit_is_refused(province, client_of, exports):
    client = client_of(province.officer)
    response = client.post("/reports/people-export", data={"fmt": "csv", "unit": province.stc.id})
    assert response.status_code == 404
    assert not db.session.scalars(select(ExportJob)).all()


def test_the_admins_export_of_a_unit_as_it_stood_before_the_move(province, client_of, exports):
    client = client_of(province.admin)
    job_id = _export(client, {"fmt": "csv", "as_of": dmy(BEFORE_MOVE), "unit": province.snv.id})
    lines = _csv(_file(client, job_id))
    assert {line["full_name"] for line in lines} == {
        "Cán Bộ Nội Vụ",
        "Trần Văn Một",
        "Lê Thị Hai",
        "Phạm Văn Ba",
    }


# --- who may do what ------------------------------------------------------------------------


def test_targets_are_the_admins_alone(province, client_of):
    client = client_of(province.officer)
    assert client.get("/reports/targets").status_code == 403
    due = dmy(TODAY + timedelta(days=30))
    response = client.post(
        "/reports/targets", data={"group": "everyone", "percent": "90", "due_on": due}
    )
    assert response.status_code == 403
    assert client.post("/reports/targets/everyone/withdraw").status_code == 403
    assert not db.session.scalars(select(CoverageTarget)).all()


def test_learners_have_no_dashboard(province, app):
    learner = db.session.scalar(select(Person).where(Person.username == "tran.mot"))
    client = app.test_client()
    sign_in(client, learner.username)
    for path in (
        "/reports/",
        "/reports/download/unit.csv",
        f"/reports/units/{learner.unit_id}/headcount",
    ):
        assert client.get(path).status_code == 403, path


def test_forged_target_and_export_forms_are_refused(province, make_app, exports):
    csrf_app = make_app(WTF_CSRF_ENABLED=True, EXPORTS_DIR=str(exports), REDIS_URL=None)
    client = csrf_app.test_client()
    login = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login) or re.search(
        r'name="csrf_token" value="([^"]+)"', login
    )
    assert token
    client.post(
        "/auth/login",
        data={"username": "quantri", "password": PASSWORD, "csrf_token": token.group(1)},
    )
    due = dmy(TODAY + timedelta(days=30))
    forged = client.post(
        "/reports/targets", data={"group": "everyone", "percent": "90", "due_on": due}
    )
    assert forged.status_code == 400
    assert client.post("/reports/people-export", data={"fmt": "csv"}).status_code == 400
    assert (
        client.post(
            f"/reports/units/{province.snv.id}/headcount", data={"headcount": "3"}
        ).status_code
        == 400
    )
    assert not db.session.scalars(select(CoverageTarget)).all()
    assert not db.session.scalars(select(ExportJob)).all()


def test_a_province_with_one_root_compares_the_units_below_it(
    make_unit, make_user, client_of
) -> None:
    """The demo's shape: the People's Committee's tree has one root; the province's page lists
    its agencies, not the one total row."""
    root = make_unit("AG", name="Tỉnh An Giang", kind=UnitKind.PROVINCE, today=START)
    make_unit("SNV", name="Sở Nội vụ", parent=root, today=START)
    make_unit("STC", name="Sở Tài chính", parent=root, today=START)
    admin = make_user(unit=root, username="quantri", role=Role.ICT_ADMIN, today=START)
    units = rows(section(page_of(client_of(admin), "/reports/"), "units-title"))
    names = [name for name in units if name.startswith("Sở")]
    assert names == ["Sở Nội vụ", "Sở Tài chính"]
    assert not any(name.startswith("Tỉnh") for name in units)


def test_a_day_before_the_officers_unit_existed_shows_today_and_says_why(
    app: Flask, office, client_of
) -> None:
    """The office's units were founded today: last month they did not stand."""
    client = client_of(office.officer)
    last_month = (today_vn() - timedelta(days=30)).strftime("%d/%m/%Y")
    page = page_of(client, f"/reports/?as_of={last_month}")
    assert "did not exist on" in page
    assert today_vn().strftime("%d/%m/%Y") in page
    # a file is never silently of another day than asked
    assert client.get(f"/reports/download/unit.csv?as_of={last_month}").status_code == 404
    # another agency's unit still answers 404, on any day
    other = f"/reports/?as_of={last_month}&unit={office.other.id}"
    assert client.get(other).status_code == 404
