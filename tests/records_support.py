"""What the records tests share: a small province with an officer, a sub-unit officer, learners
in and out of scope; clients signed in and reading English (the pages' own words, whatever the
Vietnamese catalogue says); passing the sample quiz; files to import.

Plain functions, not fixtures: each test module wires the fixtures it needs from them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

import openpyxl
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.helpers import sign_in
from training.courses.models import Completion, CompletionLog, Course
from training.extensions import db
from training.org.models import Person, Role, Unit, UnitKind
from training.quizzes.models import Attempt


@dataclass
class Province:
    province: Unit
    agency: Unit  # the officer's unit
    division: Unit  # a sub-unit of it, with its own officer
    other: Unit  # another agency, outside the officer's scope
    admin: Person
    officer: Person
    sub_officer: Person
    learner: Person  # in the division: in the officer's scope
    colleague: Person  # in the agency itself
    outsider: Person  # in the other agency


def build_province(make_unit, make_user) -> Province:
    province = make_unit("TINH", kind=UnitKind.PROVINCE, name="Tỉnh An Giang")
    agency = make_unit("SO-A", parent=province, name="Sở Tài chính")
    division = make_unit("SO-A-VP", parent=agency, kind=UnitKind.DIVISION, name="Văn phòng Sở")
    other = make_unit("SO-B", parent=province, name="Sở Xây dựng")
    org = Province(
        province,
        agency,
        division,
        other,
        admin=make_user(
            role=Role.ICT_ADMIN, unit=province, username="quantri", full_name="Võ Quản Trị"
        ),
        officer=make_user(
            role=Role.UNIT_OFFICER, unit=agency, username="cntt.a", full_name="Đỗ Cán Bộ"
        ),
        sub_officer=make_user(
            role=Role.UNIT_OFFICER, unit=division, username="cntt.vp", full_name="Hồ Văn Phòng"
        ),
        learner=make_user(unit=division, username="hoc.vien", full_name="Trần Thị Mỹ Hạnh"),
        colleague=make_user(unit=agency, username="dong.nghiep", full_name="Lê Văn Khang"),
        outsider=make_user(unit=other, username="nguoi.ngoai", full_name="Phạm Thị Ngoài"),
    )
    for person, employee_id in (
        (org.learner, "NV001"),
        (org.colleague, "NV002"),
        (org.sub_officer, "NV050"),
        (org.outsider, "NV900"),
    ):
        person.employee_id = employee_id
    db.session.commit()
    return org


def client_for(app: Flask, person: Person) -> FlaskClient:
    """Signed in, reading English."""
    client = app.test_client()
    sign_in(client, person.username)
    client.post("/language/en", data={"next": "/"})
    return client


def sample_course() -> Course:
    return db.session.scalar(select(Course).where(Course.slug == "sample"))


def pass_quiz(client: FlaskClient) -> None:
    """Read every lesson of the sample course, then pass its quiz, through the pages."""
    for key in ("01-intro", "02-email"):
        client.post(f"/courses/sample/lessons/{key}/read")
    started = client.post("/courses/sample/quiz")
    assert started.status_code == 302, started.get_data(as_text=True)
    attempt = db.session.get(Attempt, int(started.headers["Location"].rsplit("/", 1)[1]))
    answers = {
        f"q{q.position}": [str(i) for i, c in enumerate(q.payload["choices"]) if c["correct"]]
        for q in attempt.questions
    }
    client.post(f"/attempts/{attempt.id}", data=answers)
    db.session.expire_all()


def counts() -> tuple[int, int]:
    """(completions, log lines): what "nothing was written" is checked against."""
    return (
        db.session.scalar(select(func.count()).select_from(Completion)),
        db.session.scalar(select(func.count()).select_from(CompletionLog)),
    )


def csv_file(rows: list[list[str]], *, delimiter: str = ",", bom: bool = True) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8-sig" if bom else "utf-8")


def xlsx_file(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def dmy(day: date) -> str:
    return day.strftime("%d/%m/%Y")
