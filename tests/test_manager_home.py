"""The managers' home answers their first question at a glance: how far training has got in
their scope today, for everyone and for priority staff, against the targets; how much is
overdue; which units lag. On the province of `tests/test_dashboard.py`."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.helpers import sign_in
from tests.test_dashboard import TODAY, Province, build_province, dmy, rows, section, text
from training.clock import utcnow
from training.extensions import db
from training.org.models import Person
from training.reports.models import TargetGroup
from training.reports.targets import parse_percent, set_target


@pytest.fixture
def province(make_unit, make_user) -> Province:
    return build_province(make_unit, make_user)


def home_of(app: Flask, person: Person) -> str:
    client: FlaskClient = app.test_client()
    sign_in(client, person.username)
    client.post("/language/en")
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def weakest(html: str) -> list[str]:
    table = html[html.index('id="weakest-title"') :]
    return [name.strip() for name in rows(table[: table.index("</table>")]) if name != "Unit"]


def test_the_admins_home_shows_the_provinces_coverage_and_weakest_units(app, province):
    html = section(home_of(app, province.admin), "coverage-title")
    figures = text(html)
    assert "44.4% coverage" in figures
    assert "75.0% priority coverage" in figures
    assert "5 overdue courses" in figures
    assert weakest(html) == ["Sở Khoa học và Công nghệ", "Sở Tài chính", "Sở Nội vụ"]
    assert 'href="/reports/"' in html


def test_the_officers_home_shows_their_subtree_only(app, province):
    page = home_of(app, province.officer)
    html = section(page, "coverage-title")
    figures = text(html)
    assert "66.7% coverage" in figures
    assert "100.0% priority coverage" in figures
    assert "1 overdue courses" in figures
    assert weakest(html) == ["Văn phòng Sở"]
    for outside in ("Sở Tài chính", "Phòng Tổ chức", "Khoa học", "Lê Thị Hai"):
        assert outside not in page, outside


def test_the_home_pages_measure_against_the_targets(app, province):
    due = TODAY + timedelta(days=30)
    set_target(TargetGroup.EVERYONE, parse_percent("60"), due, actor=None, now=utcnow())
    set_target(TargetGroup.PRIORITY, parse_percent("100"), due, actor=None, now=utcnow())
    db.session.commit()
    html = section(home_of(app, province.admin), "coverage-title")
    assert f"Target 60.0% by {dmy(due)}" in text(html)
    assert f"Target 100.0% by {dmy(due)}" in text(html)
    assert len(re.findall(r'class="stat[^"]*stat-below', html)) == 2  # 44.4 < 60, 75 < 100
    below = [name for name in weakest(html) if name.endswith("Below target")]
    assert below == [
        "Sở Khoa học và Công nghệ Below target",
        "Sở Tài chính Below target",
    ]
    officer = section(home_of(app, province.officer), "coverage-title")
    assert "stat-below" not in officer  # 66.7 and 100.0: on target


def test_a_learners_home_has_no_coverage(app, province):
    learner = db.session.scalar(select(Person).where(Person.username == "tran.mot"))
    assert 'id="coverage-title"' not in home_of(app, learner)
