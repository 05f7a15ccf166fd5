"""The officer's day, end to end, as issue 10's "done when" tells it: import a roster for the
agency (preview, then import), a classified drafter among them; the directive's defaults apply
with the 30-day priority deadline; the overdue filter finds the drafter once that day passes; a
reminder sent from the person's page reaches a real mailbox; the learner sees that deadline first
on their home page."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.factories import add_course
from tests.helpers import PASSWORD, TODAY, sign_in
from tests.smtp import smtp_inbox
from tests.test_rosters import roster, upload_and_import
from training.assignments.defaults import ensure_default_assignments
from training.clock import today_vn
from training.courses.models import Audience
from training.extensions import db
from training.org.models import Person, Role
from training.org.people import store_password


@pytest.fixture(autouse=True)
def _slips_written_in_tmp(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)


def test_an_officer_imports_assigns_chases_and_the_learner_sees_the_deadline(
    app, make_unit, make_user, monkeypatch
):
    agency = make_unit("SNV", name="Sở Nội vụ")
    make_unit("SNV-VP", parent=agency, name="Văn phòng Sở")
    make_user(role=Role.UNIT_OFFICER, unit=agency, username="cntt.snv")
    add_course("foundations", title_vi="Kiến thức nền tảng")
    add_course("state-secrets", audience=Audience.PRIORITY, title_vi="Bảo vệ bí mật nhà nước")
    ensure_default_assignments(TODAY)
    db.session.commit()

    officer = app.test_client()
    sign_in(officer, "cntt.snv")
    rows = [
        ["CB0001", "Trần Thị Mỹ Hạnh", "hanh@example.gov.vn", "SNV-VP", "Văn thư", "có", "", ""],
        ["CB0002", "Lê Minh Khang", "khang@example.gov.vn", "SNV-VP", "Chuyên viên", "", "", ""],
    ]
    imported = upload_and_import(officer, roster(rows))
    assert imported.status_code == 200
    drafter = db.session.scalars(select(Person).where(Person.employee_id == "CB0001")).one()
    assert drafter.drafts_classified
    assert drafter.is_priority

    today = today_vn()
    grid = officer.get("/assignments/status").get_data(as_text=True)
    assert (today + timedelta(days=30)).strftime("%d/%m/%Y") in grid  # the priority window
    assert (today + timedelta(days=90)).strftime("%d/%m/%Y") in grid  # everyone else's

    later = (today + timedelta(days=31)).strftime("%d/%m/%Y")
    overdue = officer.get(f"/assignments/status?overdue=y&on={later}").get_data(as_text=True)
    assert "Trần Thị Mỹ Hạnh" in overdue
    assert "Lê Minh Khang" not in overdue

    secrets = re.search(r"/people/\d+/training/(\d+)/remind", _training_page(officer, drafter))
    assert secrets is not None
    with smtp_inbox(app, monkeypatch) as box:
        sent = officer.post(secrets.group(0))
        assert sent.status_code == 302
    assert box.recipients() == ["hanh@example.gov.vn"]

    store_password(drafter, PASSWORD)  # as her first sign-in would
    db.session.commit()
    learner = app.test_client()
    sign_in(learner, drafter.username)
    home = learner.get("/").get_data(as_text=True)
    first_card = home.index("Bảo vệ bí mật nhà nước")
    assert first_card < home.index("Kiến thức nền tảng")
    assert "Còn 30 ngày" in home[first_card:]


def _training_page(client, person: Person) -> str:
    return str(client.get(f"/people/{person.id}/training").get_data(as_text=True))
