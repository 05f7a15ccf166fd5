"""Frozen snapshots on the web: the ICT admin freezes a day, sees its checksum and downloads
files that stay byte-identical; nobody else reaches them."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.assignment_world import assign, complete
from tests.helpers import sign_in
from training.clock import today_vn
from training.extensions import db
from training.org.models import Role
from training.org.people import deactivate_person
from training.reports.models import Snapshot


@pytest.fixture
def world(office, make_user):
    today = today_vn()
    assign(office.basics, unit=office.agency, on=today - timedelta(days=60), due_days=30)
    learner = make_user(unit=office.division, username="hoc.vien", today=today - timedelta(days=90))
    complete(learner, office.basics, today - timedelta(days=10))
    admin = make_user(role=Role.ICT_ADMIN, unit=office.agency, username="quantri")
    return {"admin": admin, "learner": learner}


def _client(app, username: str):
    client = app.test_client()
    sign_in(client, username)
    assert client.post("/language/en").status_code == 302
    return client


def _freeze(client, day: str, title: str = "Kiểm tra năm"):
    return client.post("/reports/snapshots", data={"as_of": day, "title": title})


def test_the_admin_freezes_a_day_and_its_files_never_change(app, world, office) -> None:
    client = _client(app, "quantri")
    today = today_vn()
    response = _freeze(client, today.strftime("%d/%m/%Y"))
    assert response.status_code == 302
    snapshot = db.session.scalar(select(Snapshot))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert snapshot.checksum in page
    assert "Figures intact" in page
    assert hashlib.sha256(snapshot.data.encode()).hexdigest() == snapshot.checksum
    urls = [
        f"/reports/snapshots/{snapshot.id}/workbook.xlsx",
        f"/reports/snapshots/{snapshot.id}/unit.csv",
        f"/reports/snapshots/{snapshot.id}/course.json",
    ]
    first = {url: client.get(url) for url in urls}
    for url, got in first.items():
        assert got.status_code == 200, url
        assert got.headers["X-Checksum-SHA256"] == snapshot.checksum
        assert snapshot.checksum[:12] in got.headers["Content-Disposition"]
    assert "SNV" in first[urls[1]].get_data().decode("utf-8-sig")
    deactivate_person(world["learner"], actor=None, today=today - timedelta(days=5))
    db.session.commit()
    assert {url: client.get(url).get_data() for url in urls} == {
        url: got.get_data() for url, got in first.items()
    }


def test_a_snapshot_of_the_future_or_without_a_title_is_refused(app, world) -> None:
    client = _client(app, "quantri")
    tomorrow = (today_vn() + timedelta(days=1)).strftime("%d/%m/%Y")
    page = _freeze(client, tomorrow).get_data(as_text=True)
    assert "not of the future" in page
    page = _freeze(client, today_vn().strftime("%d/%m/%Y"), title="   ").get_data(as_text=True)
    assert "This field is required" in page or "title" in page.lower()
    assert db.session.scalar(select(func.count()).select_from(Snapshot)) == 0


def test_only_the_ict_admin_reaches_snapshots(app, world, office) -> None:
    admin = _client(app, "quantri")
    assert _freeze(admin, today_vn().strftime("%d/%m/%Y")).status_code == 302
    snapshot_id = db.session.scalar(select(Snapshot.id))
    officer = _client(app, office.officer.username)
    learner = _client(app, "hoc.vien")
    for client in (officer, learner):
        assert client.get("/reports/snapshots").status_code == 403
        assert client.get(f"/reports/snapshots/{snapshot_id}").status_code == 403
        assert client.get(f"/reports/snapshots/{snapshot_id}/unit.csv").status_code == 403
        assert _freeze(client, today_vn().strftime("%d/%m/%Y")).status_code == 403
    assert admin.get(f"/reports/snapshots/{snapshot_id + 1}").status_code == 404
    assert admin.get(f"/reports/snapshots/{snapshot_id}/people.csv").status_code == 404
    assert admin.get(f"/reports/snapshots/{snapshot_id}/unit.xlsx").status_code == 404
    assert admin.get(f"/reports/snapshots/{snapshot_id}/workbook.csv").status_code == 404
