"""Validation reports every problem at once, and checks a whole batch for conflicts in a fixed
number of queries: what an all-or-nothing roster import needs."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from tests.helpers import TODAY, sign_in
from training.errors import Problem, RuleViolations
from training.extensions import db
from training.org.models import Role
from training.org.people import Candidate, PersonData, check_person, create_person, find_conflicts


@pytest.fixture
def unit(make_unit):
    return make_unit("SNV")


def test_one_record_reports_every_problem(unit):
    data = PersonData(
        username="X",
        full_name="",
        unit=unit,
        email="không-phải-email",
        employee_id="E" * 40,
        position="Chuyên\u202eviên",
    )
    problems = check_person(data, actor=None)
    assert {p.field for p in problems} == {
        "username",
        "full_name",
        "email",
        "employee_id",
        "position",
    }
    with pytest.raises(RuleViolations) as raised:
        create_person(data, actor=None, password=None, today=TODAY)
    assert len(raised.value.problems) == 5


def _count_queries():
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    return statements, count


def test_a_batch_is_checked_in_one_query_per_key(unit, make_user):
    make_user(unit=unit, username="lan.nguyen")
    taken = make_user(unit=unit, username="an.tran")
    taken.employee_id = "AG-00007"
    db.session.commit()
    candidates = [
        Candidate(line, PersonData(username=f"nguoi{line}", full_name="A", unit=unit))
        for line in range(2, 202)
    ]
    candidates[10] = Candidate(12, PersonData(username="lan.nguyen", full_name="A", unit=unit))
    candidates[20] = Candidate(
        22, PersonData(username="moi", full_name="A", unit=unit, employee_id="AG-00007")
    )
    candidates[30] = Candidate(32, PersonData(username="nguoi3", full_name="A", unit=unit))
    statements, count = _count_queries()
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        found = find_conflicts(candidates, actor=None)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 2  # usernames, employee IDs: not one per row
    assert sorted(found) == [12, 22, 32]
    assert found[12][0].field == "username"
    assert found[22][0].field == "employee_id"
    assert "3" in found[32][0].message  # the same username as line 3 of the batch
    rows = [Problem(line, p.message, p.field) for line, ps in found.items() for p in ps]
    assert str(rows[0]).startswith("line 12, column username: ")


def test_the_person_form_shows_the_first_problem_of_every_field(app, unit, make_user):
    officer = make_user(role=Role.UNIT_OFFICER, unit=unit)
    client = app.test_client()
    sign_in(client, officer.username)
    page = client.post(
        "/people/new",
        data={
            "full_name": "Lê\u200bVăn",
            "username": "X!!",
            "unit_id": unit.id,
            "role": "learner",
            "email": "sai",
        },
    ).get_data(as_text=True)
    assert "Tên đăng nhập gồm 3 đến 64" in page
    assert "ký tự điều khiển" in page
    assert "Địa chỉ thư điện tử không hợp lệ" in page
