"""Staff roster import, as an officer and an administrator meet it: the preview names every
problem with its row and column, one bad row writes nothing, the same file twice changes
nothing, people who move keep their history, and nobody reaches outside their units."""

from __future__ import annotations

import csv
import html
import io
import re
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from flask import g
from sqlalchemy import func, select
from werkzeug.test import EnvironBuilder

from tests.helpers import PASSWORD, cp1258
from tests.helpers import sign_in as sign_in_vi
from training.auth.models import SignInToken, TokenKind
from training.clock import today_vn, utcnow
from training.courses.completions import new_code
from training.courses.models import Audience, Completion, CompletionMethod, Course
from training.errors import ImportRejected
from training.extensions import db
from training.org import people as people_services
from training.org.models import Membership, Person, PersonFlag, PersonFlagPeriod, Role
from training.org.people import PersonData, create_person
from training.rosters.services import COLUMNS, apply_plan, plan_file, plan_import
from training.rosters.usernames import derive_usernames, username_base
from training.tables import TableLimits, limits_from_config, read_table

HEADER = [
    "Mã cán bộ",
    "Họ và tên",
    "Email",
    "Mã đơn vị",
    "Chức vụ",
    "Soạn thảo văn bản mật",
    "Cán bộ CNTT",
    "Thủ trưởng đơn vị",
]


def roster(rows: list[list[str]], *, sep: str = ";", bom: bool = True, header=HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig" if bom else "utf-8")


def staff(n: int, unit: str = "SNV", *, start: int = 1) -> list[list[str]]:
    return [
        [f"CB{i:05d}", "Nguyễn Văn Người", "", unit, "Chuyên viên", "không", "", "0"]
        for i in range(start, start + n)
    ]


def sign_in(client, username: str) -> None:
    """Signed in, reading English: the messages below are the catalogue's ids."""
    sign_in_vi(client, username)
    client.post("/language/en")


def text_of(response) -> str:
    """The page as a reader sees it: tags out, entities decoded, spaces collapsed."""
    page = response.get_data(as_text=True)
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def offers_import(response) -> bool:
    return 'action="/rosters/import/confirm"' in response.get_data(as_text=True)


def upload(client, data: bytes, filename: str = "ds.csv", **fields):
    form = {"file": (io.BytesIO(data), filename), "unit_id": "0", "encoding": "", **fields}
    # A builder, closed here: a large body is spooled to a temporary file, which the test
    # client would otherwise leave open.
    builder = EnvironBuilder(
        path="/rosters/import", method="POST", data=form, content_type="multipart/form-data"
    )
    environ = builder.get_environ()
    try:
        return client.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()


def confirm_fields(response) -> dict[str, str]:
    page = response.get_data(as_text=True)
    return {
        name: re.search(rf'name="{name}" type="hidden" value="([^"]+)"', page).group(1)
        for name in ("upload_id", "fingerprint")
    }


def upload_and_import(client, data: bytes, filename: str = "ds.csv", **fields):
    preview = upload(client, data, filename, **fields)
    assert preview.status_code == 200
    assert offers_import(preview), text_of(preview)
    return client.post("/rosters/import/confirm", data=confirm_fields(preview))


def people_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Person))


@pytest.fixture(autouse=True)
def _slips_written_in_tmp(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The staff commands write their slip files to the working folder by default."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(autouse=True)
def english(app, database, monkeypatch, tmp_path):
    """Commands speak the site's default language: English here, as the pages above. Uploads
    wait in the test's own folder."""
    monkeypatch.setitem(app.config, "BABEL_DEFAULT_LOCALE", "en")
    monkeypatch.setitem(app.config, "ROSTER_UPLOAD_FOLDER", str(tmp_path / "uploads"))
    g.pop("_flask_babel", None)
    yield
    g.pop("_flask_babel", None)


@pytest.fixture
def org(make_unit, make_user):
    """Two agencies; SNV has a division. An officer for SNV, an admin for the province."""
    snv = make_unit("SNV", name="Sở Nội vụ")
    division = make_unit("SNV-VP", parent=snv, name="Văn phòng Sở")
    stc = make_unit("STC", name="Sở Tài chính")
    officer = make_user(role=Role.UNIT_OFFICER, unit=snv, username="cntt.snv")
    admin = make_user(role=Role.ICT_ADMIN, unit=stc, username="quantri")
    return {"snv": snv, "division": division, "stc": stc, "officer": officer, "admin": admin}


def test_one_bad_row_among_a_thousand_writes_nothing_then_the_fixed_file_imports(app, org, client):
    sign_in(client, "cntt.snv")
    rows = staff(1000)
    rows[499][2] = "not-an-address"  # row 501 of the file: the header is row 1
    before = people_count()

    preview = upload(client, roster(rows))
    page = text_of(preview)
    assert "1 problem: nothing will be saved" in page
    assert "501 Email This e-mail address is not valid." in page
    assert not offers_import(preview)
    assert people_count() == before

    rows[499][2] = "nguoi500@example.org"
    done = upload_and_import(client, roster(rows))
    assert done.status_code == 200
    assert "The list was imported: 1000 people added." in text_of(done)
    assert people_count() == before + 1000
    person = db.session.scalar(select(Person).where(Person.employee_id == "CB00500"))
    assert person.unit_id == org["snv"].id
    assert person.password_hash is None  # they choose it at first sign-in
    # No mail server in tests: everyone gets a printed code, and the page shows the slips.
    assert db.session.scalar(select(func.count()).select_from(SignInToken)) == 1000
    assert done.get_data(as_text=True).count('class="slip"') == 1000

    again = upload(client, roster(rows))
    page = text_of(again)
    assert "The list matches the staff records: there is nothing to import." in page
    assert not offers_import(again)
    assert "1000 unchanged" in page


@pytest.mark.parametrize(
    ("encode", "filename", "extra"),
    [
        (lambda text: text.replace(",", ";").encode("utf-8-sig"), "ds.csv", []),
        (lambda text: text.encode("utf-8"), "ds.csv", []),
        (lambda text: cp1258(text.replace(",", ";")), "ds.csv", []),
        (lambda text: cp1258(text), "ds.csv", ["--encoding", "cp1258"]),
        (None, "ds.xlsx", []),
    ],
    ids=["semicolon-bom", "comma-utf8", "cp1258-detected", "cp1258-chosen", "xlsx"],
)
def test_every_file_shape_excel_writes_imports(app, org, tmp_path, encode, filename, extra):
    rows = [
        ["CB1", "Trần Thị Hạnh", "hanh@example.org", "SNV", "Trưởng phòng", "có", "", ""],
        ["CB2", "Lê Văn Khang", "", "SNV-VP", "", "x", "CÓ", "1"],
    ]
    if encode is None:
        workbook = openpyxl.Workbook()
        workbook.active.append(HEADER)
        for row in rows:
            workbook.active.append(row)
        out = io.BytesIO()
        workbook.save(out)
        data = out.getvalue()
    else:
        lines = [",".join(HEADER), *(",".join(row) for row in rows)]
        data = encode("\r\n".join(lines) + "\r\n")
    path = tmp_path / filename
    path.write_bytes(data)

    result = app.test_cli_runner().invoke(args=["staff", "import", str(path), *extra])
    assert result.exit_code == 0, result.output
    assert "2 rows: 2 to add" in result.output
    hanh = db.session.scalar(select(Person).where(Person.employee_id == "CB1"))
    khang = db.session.scalar(select(Person).where(Person.employee_id == "CB2"))
    assert (hanh.full_name, hanh.username, hanh.position) == (
        "Trần Thị Hạnh",
        "hanh.tt",
        "Trưởng phòng",
    )
    assert hanh.drafts_classified
    assert not hanh.is_it_staff
    assert (khang.unit_id, khang.is_it_staff, khang.is_unit_head) == (
        org["division"].id,
        True,
        True,
    )
    assert {
        p.flag
        for p in db.session.scalars(
            select(PersonFlagPeriod).where(PersonFlagPeriod.person_id == khang.id)
        )
    } == {PersonFlag.DRAFTS_CLASSIFIED, PersonFlag.IT_STAFF, PersonFlag.UNIT_HEAD}

    again = app.test_cli_runner().invoke(args=["staff", "import", str(path), *extra])
    assert again.exit_code == 0, again.output
    assert "2 rows: 0 to add, 0 to update, 0 to move, 0 to deactivate, 2 unchanged." in again.output
    assert "Nothing to import." in again.output


def _bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<" * (60 * 1024 * 1024))
    return out.getvalue()


def test_an_xlsx_bomb_and_a_renamed_binary_are_refused(app, org, client):
    sign_in(client, "quantri")
    bomb = _bomb()
    assert len(bomb) < 200_000
    page = text_of(upload(client, bomb, "danh-sach.xlsx"))
    assert "This workbook unpacks to 60.0 MB, more than the 50.0 MB allowed" in page
    page = text_of(upload(client, b"\x7fELF\x02\x01\x01\0\0\0binary junk", "danh-sach.csv"))
    assert "This file is not a CSV text file although its name says so" in page
    renamed = upload(client, b"MZ\x90\0\x03\0\0\0\x04\0", "danh-sach.xlsx")
    assert "This file is not an Excel workbook although its name ends in .xlsx" in text_of(renamed)
    assert not offers_import(renamed)
    assert people_count() == 2


def test_formulas_and_control_characters_are_problems_of_their_cell(app, org, client):
    sign_in(client, "cntt.snv")
    rows = [
        ["CB1", '=HYPERLINK("http://evil.example","Bấm")', "", "SNV", "", "", "", ""],
        ["CB2", "Lê\u202eKhang", "", "SNV", "@SUM(A1)", "", "", ""],
        ["CB3", "Trần Hạnh", "", "SNV", "", "có lẽ", "", ""],
    ]
    page = text_of(upload(client, roster(rows)))
    assert "3 problems: nothing will be saved" not in page  # all four, in one pass:
    assert "4 problems: nothing will be saved" in page
    assert "2 Họ và tên This cell starts like a formula" in page
    assert "3 Họ và tên This cell holds a control or invisible character" in page
    assert "3 Chức vụ This cell starts like a formula" in page
    assert "4 Soạn thảo văn bản mật Write có or không here" in page
    assert people_count() == 2


def test_an_officer_cannot_import_outside_their_units(app, org, client, make_user, tmp_path):
    other = make_user(unit=org["stc"], username="lan.stc", full_name="Phạm Thị Lan")
    db.session.execute(
        Person.__table__.update().where(Person.id == other.id).values(employee_id="STC-7")
    )
    db.session.commit()
    sign_in(client, "cntt.snv")

    # By file content: a row in another agency, and a person of another agency.
    rows = [
        ["CB1", "Trần Thị Hạnh", "", "STC", "", "", "", ""],
        ["STC-7", "Phạm Thị Lan", "", "SNV", "", "", "", ""],
        ["CB3", "Lê Văn Khang", "", "KHONG-CO", "", "", "", ""],
    ]
    page = text_of(upload(client, roster(rows)))
    assert "2 Mã đơn vị You can only place people in your own units." in page
    assert "3 Mã cán bộ This value cannot be used." in page
    assert "Phạm" not in page.split("Check the staff list", 1)[1]  # names nobody outside
    assert "4 Mã đơn vị No unit has the code KHONG-CO." in page

    # By the form's unit field: another agency's unit is no choice at all.
    response = upload(client, roster(staff(1, unit="")), unit_id=str(org["stc"].id))
    assert "Not a valid choice." in text_of(response)
    assert not offers_import(response)

    # By the command line, acting as the officer.
    path = tmp_path / "ds.csv"
    path.write_bytes(roster(staff(1, unit="")))
    result = app.test_cli_runner().invoke(
        args=["staff", "import", str(path), "--unit", "STC", "--as", "cntt.snv"],
    )
    assert result.exit_code == 1
    assert "File: You can only import staff into your own units." in result.output
    assert people_count() == 3


def test_a_forged_or_foreign_confirmation_is_refused(app, org, client, make_user):
    sign_in(client, "cntt.snv")
    preview = upload(client, roster(staff(2)))
    fields = confirm_fields(preview)

    # Someone else, even an admin, cannot carry out the officer's upload.
    other = app.test_client()
    sign_in(other, "quantri")
    response = other.post("/rosters/import/confirm", data=fields)
    assert response.status_code == 409
    assert "This preview has expired or belongs to another session" in text_of(response)

    # A made-up upload, or a plan the officer never saw, writes nothing.
    response = client.post("/rosters/import/confirm", data={**fields, "upload_id": "x" * 32})
    assert response.status_code == 409
    response = client.post("/rosters/import/confirm", data={**fields, "fingerprint": "0" * 64})
    assert response.status_code == 409
    assert "The staff records changed since your preview" in text_of(response)
    assert people_count() == 2

    # The staff list changed between preview and import: the officer sees the new plan.
    make_user(unit=org["snv"], username="chen.vao")
    db.session.execute(
        Person.__table__.update().where(Person.username == "chen.vao").values(employee_id="CB00002")
    )
    db.session.commit()
    response = client.post("/rosters/import/confirm", data=fields)
    assert response.status_code == 409
    assert people_count() == 3

    response = client.post("/rosters/import/confirm", data=confirm_fields(response))
    assert response.status_code == 200
    assert people_count() == 4


def test_moving_a_person_by_reimport_keeps_their_completions_and_history(app, org, client):
    sign_in(client, "cntt.snv")
    upload_and_import(client, roster(staff(1)))
    person = db.session.scalar(select(Person).where(Person.employee_id == "CB00001"))
    course = Course(
        slug="atttm",
        title_vi="An toàn thông tin",
        summary_vi="…",
        audience=Audience.ALL,
        minutes=10,
        current_hash="0" * 64,
    )
    db.session.add(course)
    db.session.flush()
    db.session.add(
        Completion(
            person_id=person.id,
            course_id=course.id,
            course_hash=course.current_hash,
            method=CompletionMethod.MANUAL,
            reason="kiểm thử",
            completed_on=date(2026, 6, 1),
            valid_until=date(2027, 6, 1),
            code=new_code(),
        )
    )
    # Joined earlier, so the move closes a membership that held for a while.
    db.session.execute(
        Membership.__table__.update()
        .where(Membership.person_id == person.id)
        .values(valid_from=date(2026, 1, 1))
    )
    db.session.commit()

    rows = staff(1, unit="SNV-VP")
    rows[0][4] = "Phó Chánh Văn phòng"
    preview = upload(client, roster(rows))
    page = text_of(preview)
    assert "Unit: Sở Nội vụ (SNV) → Văn phòng Sở (SNV-VP)" in page
    assert "Position: Chuyên viên → Phó Chánh Văn phòng" in page
    done = client.post("/rosters/import/confirm", data=confirm_fields(preview))
    assert done.status_code == 200
    db.session.expire_all()
    assert person.unit_id == org["division"].id
    memberships = db.session.execute(
        select(Membership.unit_id, Membership.valid_from, Membership.valid_to)
        .where(Membership.person_id == person.id)
        .order_by(Membership.valid_from)
    ).all()
    assert memberships == [
        (org["snv"].id, date(2026, 1, 1), today_vn()),
        (org["division"].id, today_vn(), None),
    ]
    completions = db.session.scalars(
        select(Completion.person_id).where(Completion.course_id == course.id)
    ).all()
    assert completions == [person.id]


def test_an_officer_never_touches_a_manager_record_but_may_list_it(app, org, client):
    officer = org["officer"]
    db.session.execute(
        Person.__table__.update()
        .where(Person.id == officer.id)
        .values(employee_id="CB-OFF", email=None, position=None)
    )
    db.session.commit()
    sign_in(client, "cntt.snv")
    same = [["CB-OFF", officer.full_name, "", "SNV", "", "", "", ""]]
    page = text_of(upload(client, roster(same)))
    assert "1 unchanged" in page
    assert "nothing will be saved" not in page
    renamed = [["CB-OFF", "Tên Khác", "", "SNV", "", "", "", ""]]
    page = text_of(upload(client, roster(renamed)))
    assert "2 Mã cán bộ This is an IT officer's or an administrator's record" in page


def test_deactivate_missing_leaves_out_managers_and_other_units(app, org, client, make_user):
    sign_in(client, "cntt.snv")
    upload_and_import(client, roster(staff(3)))
    outsider = make_user(unit=org["stc"], username="o.stc")
    rows = staff(2)  # CB00003 left
    preview = upload(client, roster(rows), unit_id=str(org["snv"].id), deactivate_missing="y")
    page = text_of(preview)
    assert "To deactivate: not in the list" in page
    assert "Nguyễn Văn Người CB00003 SNV" in page
    assert "cntt.snv" not in page.split("To deactivate", 1)[1]
    client.post("/rosters/import/confirm", data=confirm_fields(preview))
    db.session.expire_all()
    gone = db.session.scalar(select(Person).where(Person.employee_id == "CB00003"))
    assert gone.active is False
    assert org["officer"].active
    assert outsider.active


def test_usernames_follow_the_documented_rule_and_never_collide(app, org, make_user):
    make_user(unit=org["snv"], username="an.nv")
    assert username_base("Nguyễn Văn An") == "an.nv"
    assert username_base("Đặng Thị Ánh Tuyết") == "tuyet.dta"
    assert username_base("Y") == "canbo.y"
    assert username_base("ស៊ុន") == "canbo"
    assert derive_usernames(["Nguyễn Văn An", "Ngô Văn An", "Trần Hạnh"]) == [
        "an.nv2",
        "an.nv3",
        "hanh.t",
    ]


def test_planning_costs_the_same_queries_for_ten_or_a_hundred_rows(app, org, count_queries):
    limits = TableLimits(10**7, 10**5, 300, 10**8)

    def plan(n: int) -> int:
        rows = read_table(roster(staff(n)), filename="ds.csv", columns=COLUMNS, limits=limits)
        with count_queries() as log:
            plan_import(
                rows,
                actor=org["officer"],
                default_unit=None,
                deactivate_missing=True,
                today=today_vn(),
            )
        db.session.rollback()
        return len(log)

    assert plan(10) == plan(100)


def test_the_command_line_shows_every_problem_and_a_dry_run_writes_nothing(app, org, tmp_path):
    path = tmp_path / "ds.csv"
    rows = staff(3)
    rows[1][1] = ""
    rows[2][5] = "maybe"
    path.write_bytes(roster(rows))
    result = app.test_cli_runner().invoke(args=["staff", "import", str(path)])
    assert result.exit_code == 1
    assert "Row 3, column Họ và tên: A full name is required." in result.output
    assert "Row 4, column Soạn thảo văn bản mật: Write có or không here" in result.output
    assert "2 problems: nothing was imported." in result.output

    path.write_bytes(roster(staff(250)))
    result = app.test_cli_runner().invoke(args=["staff", "import", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "250 rows: 250 to add" in result.output
    assert "Dry run: nothing was written." in result.output
    assert people_count() == 2

    slips = tmp_path / "slips.html"
    result = app.test_cli_runner().invoke(
        args=["staff", "import", str(path), "--as", "cntt.snv", "--slips", str(slips)]
    )
    assert result.exit_code == 0, result.output
    assert "Importing" in result.output  # the progress bar of a large file
    assert "250 sign-in slips written to" in result.output
    assert people_count() == 252
    page = slips.read_text(encoding="utf-8")
    assert page.count('class="slip"') == 250
    assert "nguoi.nv" in page
    assert "http://127.0.0.1:5000/auth/first-sign-in" in page
    assert oct(slips.stat().st_mode & 0o777) == "0o600"


def test_staff_codes_reissues_codes_and_voids_the_old_ones(app, org, tmp_path):
    path = tmp_path / "ds.csv"
    path.write_bytes(roster(staff(2)))
    assert (
        app.test_cli_runner()
        .invoke(args=["staff", "import", str(path), "--slips", str(tmp_path / "a.html")])
        .exit_code
        == 0
    )
    first = set(db.session.scalars(select(SignInToken.id)))
    out = tmp_path / "b.html"
    result = app.test_cli_runner().invoke(
        args=["staff", "codes", "--people", "nguoi.nv,nguoi.nv2,cntt.snv", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "cntt.snv has a password already: no code." in result.output
    assert out.read_text(encoding="utf-8").count('class="slip"') == 2
    db.session.expire_all()
    old = db.session.scalars(select(SignInToken).where(SignInToken.id.in_(first))).all()
    assert all(t.revoked_at is not None for t in old)
    assert all(
        t.kind == TokenKind.CODE
        for t in db.session.scalars(select(SignInToken).where(SignInToken.revoked_at.is_(None)))
    )


def test_apply_refuses_a_plan_with_problems(app, org):
    rows = read_table(
        roster([["", "Tên", "", "SNV", "", "", "", ""]]),
        filename="ds.csv",
        columns=COLUMNS,
        limits=TableLimits(10**6, 100, 300, 10**7),
    )
    plan = plan_import(
        rows, actor=None, default_unit=None, deactivate_missing=False, today=today_vn()
    )
    assert [str(p) for p in plan.problems] == [
        "line 2, column Mã cán bộ: An employee ID is required."
    ]
    with pytest.raises(ImportRejected):
        apply_plan(plan, actor=None, today=today_vn(), now=None)


def test_the_upload_page_documents_columns_and_offers_templates(app, org, client):
    sign_in(client, "cntt.snv")
    page = text_of(client.get("/rosters/import"))
    for column in COLUMNS:
        assert column.label in page
    assert "5 MB, 20000 rows, 300 characters in a cell" in page
    with client.get("/rosters/template.csv") as csv_template:
        assert csv_template.status_code == 200
        assert csv_template.data.startswith("\ufeffMã cán bộ".encode())
    with client.get("/rosters/template.xlsx") as xlsx_template:
        xlsx = xlsx_template.data
    rows = read_table(
        xlsx,
        filename="t.xlsx",
        columns=COLUMNS,
        limits=TableLimits(10**6, 100, 300, 10**7),
    )
    assert rows[0].values["full_name"] == "Nguyễn Văn An"
    assert "Import a staff list" in text_of(client.get("/people"))
    assert "/rosters/import" in client.get("/").get_data(as_text=True)


def test_learners_have_no_roster_pages(app, org, client, make_user):
    make_user(unit=org["snv"], username="hoc.vien")
    sign_in(client, "hoc.vien")
    assert client.get("/rosters/import").status_code == 403
    assert client.post("/rosters/codes", data={"codes-unit_id": org["snv"].id}).status_code == 403
    assert client.get("/rosters/template.csv").status_code == 403


def test_an_upload_waits_an_hour_at_most_and_must_stay_intact(app, org, client, monkeypatch):
    sign_in(client, "cntt.snv")
    preview = upload(client, roster(staff(1)))
    fields = confirm_fields(preview)
    folder = Path(app.config["ROSTER_UPLOAD_FOLDER"])
    stored = folder / f"{fields['upload_id']}.bin"
    assert stored.read_bytes() == roster(staff(1))
    assert oct(stored.stat().st_mode & 0o777) == "0o600"

    stored.write_bytes(roster(staff(1, unit="STC")))  # changed behind the site's back
    response = client.post("/rosters/import/confirm", data=fields)
    assert response.status_code == 409
    assert "This preview has expired" in text_of(response)

    fields = confirm_fields(upload(client, roster(staff(1))))
    monkeypatch.setitem(app.config, "ROSTER_UPLOAD_MINUTES", 0)
    assert client.post("/rosters/import/confirm", data=fields).status_code == 409
    assert people_count() == 2


def test_a_list_of_the_full_size_goes_through_csrf_and_a_larger_one_is_refused(
    make_app, org, tmp_path
):
    """The CSRF check reads the whole request, so the site's request limit must fit a list of
    ROSTER_MAX_BYTES; past that limit the list is refused with a message, past the request
    limit with the 413 page."""
    app = make_app(WTF_CSRF_ENABLED=True, ROSTER_UPLOAD_FOLDER=str(tmp_path))
    client = app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post(
        "/auth/login", data={"username": "cntt.snv", "password": PASSWORD, "csrf_token": token}
    )
    page = client.get("/rosters/import").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/language/en", data={"csrf_token": token})
    note = "x" * 50_000
    rows = [[*row, note] for row in staff(100)]
    big = roster(rows, header=[*HEADER, "Ghi chú"])
    assert 5_000_000 < len(big) < 5 * 1024 * 1024
    response = upload(client, big, csrf_token=token)
    assert response.status_code == 200
    assert offers_import(response), text_of(response)[:2000]

    too_big = roster(
        [*rows, *[[*row, note] for row in staff(10, start=101)]], header=[*HEADER, "Ghi chú"]
    )
    page = text_of(upload(client, too_big, csrf_token=token))
    assert "the limit is 5.0 MB. Split it into smaller files." in page
    huge = upload(client, too_big + b"x" * (1024 * 1024), csrf_token=token)
    assert huge.status_code == 413


def test_an_officer_prints_new_codes_for_their_unit_only(app, org, client, make_user):
    sign_in(client, "cntt.snv")
    upload_and_import(client, roster(staff(2)))
    make_user(unit=org["stc"], username="khac.don.vi", password=None)
    before = set(db.session.scalars(select(SignInToken.id)))
    page = client.post("/rosters/codes", data={"codes-unit_id": org["snv"].id})
    assert page.status_code == 200
    html_page = page.get_data(as_text=True)
    assert html_page.count('class="slip"') == 2  # not the officer, who has a password
    assert "nguoi.nv2" in html_page
    db.session.expire_all()
    assert all(
        t.revoked_at is not None
        for t in db.session.scalars(select(SignInToken).where(SignInToken.id.in_(before)))
    )
    other = client.post("/rosters/codes", data={"codes-unit_id": org["stc"].id})
    assert other.status_code == 400  # another agency is no choice at all


def test_the_preview_costs_the_same_queries_for_five_or_forty_changes(
    app, org, client, count_queries
):
    sign_in(client, "cntt.snv")
    upload_and_import(client, roster(staff(40)))

    def preview_queries(n: int) -> int:
        rows = staff(40)
        for row in rows[:n]:
            row[4] = "Phó phòng"
            row[3] = "SNV-VP"
        with count_queries() as log:
            page = upload(client, roster(rows))
        assert text_of(page).count("Position: Chuyên viên → Phó phòng") == n
        return len(log)

    assert preview_queries(5) == preview_queries(40)


def test_people_saved_by_someone_else_between_check_and_write_stop_the_import(
    app, org, monkeypatch
):
    """Two imports of the same newcomer at once: each checked before the other wrote. The one
    that writes second meets the database's unique index and reports it, writing nothing."""
    plan = plan_file(
        roster(staff(2)),
        filename="ds.csv",
        limits=limits_from_config(app.config, "ROSTER"),
        encoding=None,
        sheet=None,
        actor=None,
        default_unit=None,
        deactivate_missing=False,
        today=today_vn(),
    )
    assert not plan.problems
    before = people_count()
    first = plan.creates[0].data
    clash = PersonData(
        username=f"{first.username}.khac",
        full_name=first.full_name,
        unit=first.unit,
        employee_id=first.employee_id,
    )
    create_person(clash, actor=None, password=None, today=today_vn())
    db.session.commit()
    monkeypatch.setattr(people_services, "find_conflicts", lambda *_a, **_k: {})
    with pytest.raises(ImportRejected) as refused:
        apply_plan(plan, actor=None, today=today_vn(), now=utcnow())
    db.session.rollback()
    assert "at the same moment" in str(refused.value)
    assert people_count() == before + 1  # the other import's person only
