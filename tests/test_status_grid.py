"""The officer's status grid: people × required courses, priority staff first, every filter in
SQL, the counts at the top with priority staff counted apart, a page at a time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.assignment_world import assign, complete
from tests.helpers import sign_in
from training.assignments import views as assignment_views
from training.assignments.models import TargetGroup
from training.assignments.status import (
    one_person_params,
    one_person_statement,
    status_of,
    statuses,
)
from training.clock import today_vn
from training.extensions import db
from training.org.models import Person, Role


@dataclass
class Staff:
    late: Person  # division: basics overdue
    done: Person  # division: basics completed
    key: Person  # key division (priority): basics overdue, secrets not started
    drafter: Person  # division, drafts classified documents (priority): basics completed


@pytest.fixture
def staff(office, make_user) -> Staff:
    today = today_vn()
    people = Staff(
        late=make_user(unit=office.division, full_name="An Quá Hạn", today=today),
        done=make_user(unit=office.division, full_name="Bình Đã Học", today=today),
        key=make_user(unit=office.key_division, full_name="Yến Trọng Yếu", today=today),
        drafter=make_user(
            unit=office.division, full_name="Xuân Soạn Mật", classified=True, today=today
        ),
    )
    assign(office.basics, unit=office.agency, on=today - timedelta(days=40), due_days=30)
    assign(office.basics, unit=office.other, on=today - timedelta(days=40), due_days=30)
    assign(office.secrets, audience=TargetGroup.PRIORITY, unit=office.agency, due_days=30)
    complete(people.done, office.basics, today - timedelta(days=5))
    complete(people.drafter, office.basics, today - timedelta(days=5))
    return people


@pytest.fixture
def grid(app, office, staff):
    client = app.test_client()
    sign_in(client, office.officer.username)
    client.post("/language/en")

    def _get(query: str = "") -> str:
        response = client.get(f"/assignments/status{query}")
        assert response.status_code == 200
        return response.get_data(as_text=True)

    return _get


def _rows(page: str) -> list[str]:
    """The names of the grid's rows, top to bottom."""
    body = page.split('<table class="status-grid">', 1)[1] if "status-grid" in page else ""
    return re.findall(r'/training">([^<]+)</a>', body)


def _cells(page: str, name: str) -> str:
    row = re.search(rf"{name}</a>.*?</tr>", page, re.S)
    assert row is not None, name
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row.group(0)))


def _summary(page: str) -> dict[str, tuple[int, int]]:
    table = page.split('<table class="summary">', 1)[1].split("</table>", 1)[0]
    found = re.findall(
        r'status-([a-z_]+)">[^<]*</span></th>\s*<td class="num"><a[^>]*>(\d+)</a></td>\s*'
        r'<td class="num"><a[^>]*>(\d+)</a>',
        table,
    )
    return {status: (int(everyone), int(priority)) for status, everyone, priority in found}


def test_the_grid_shows_each_person_and_course_priority_first(grid, office, staff):
    page = grid()
    # priority staff first (by name), then the others by name; nobody of the other agency
    assert _rows(page) == [
        staff.drafter.full_name,
        staff.key.full_name,
        staff.late.full_name,
        staff.done.full_name,
        office.officer.full_name,
    ]
    assert "nguoi.ngoai" not in page
    assert office.stranger.full_name not in page
    today = today_vn()
    late = _cells(page, staff.late.full_name)
    assert f"Overdue due {today - timedelta(days=10):%d/%m/%Y}" in late
    assert "Not required" in late  # the priority course is not his
    done = _cells(page, staff.done.full_name)
    valid = (today - timedelta(days=5)).replace(year=today.year + 1)
    assert f"Completed until {valid:%d/%m/%Y}" in done
    key = _cells(page, staff.key.full_name)
    assert "Priority" in key
    assert f"Not started due {today + timedelta(days=30):%d/%m/%Y}" in key
    assert 'class="is-priority"' in page


def test_the_counts_are_per_status_with_priority_staff_apart(grid, staff):
    counts = _summary(grid())
    # basics: late, key and the officer overdue; done and drafter completed
    assert counts["overdue"] == (3, 1)
    assert counts["completed"] == (2, 1)
    # secrets: the two priority staff, not started
    assert counts["not_started"] == (2, 2)
    assert counts["expired"] == (0, 0)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("?priority=y", ["drafter", "key"], id="priority only"),
        pytest.param("?overdue=y", ["key", "late", "officer"], id="overdue only"),
        pytest.param("?overdue=y&priority=y", ["key"], id="overdue priority staff"),
        pytest.param("?status=completed", ["drafter", "done"], id="status"),
        pytest.param("?status=not_started", ["drafter", "key"], id="another status"),
        pytest.param("?status=completed&overdue=y", [], id="two statuses, nobody"),
    ],
)
def test_the_filters(grid, office, staff, query, expected):
    names = {
        "drafter": staff.drafter.full_name,
        "key": staff.key.full_name,
        "late": staff.late.full_name,
        "done": staff.done.full_name,
        "officer": office.officer.full_name,
    }
    assert _rows(grid(query)) == [names[n] for n in expected]


def test_the_course_filter_keeps_one_column_and_its_people(grid, office, staff):
    page = grid(f"?course_id={office.secrets.id}")
    assert _rows(page) == [staff.drafter.full_name, staff.key.full_name]
    assert "Course basics" not in page.split("status-grid", 1)[1]


def test_the_sub_unit_filter(grid, office, staff):
    page = grid(f"?unit_id={office.key_division.id}")
    assert _rows(page) == [staff.key.full_name]
    assert _summary(page)["overdue"] == (1, 1)


def test_a_forged_sub_unit_shows_nobody_outside_the_scope(grid, office, staff):
    page = grid(f"?unit_id={office.other.id}")
    assert office.stranger.full_name not in page
    assert 'role="alert"' in page  # "Not a valid choice"


def test_the_grid_on_a_past_day(grid, office, staff):
    page = grid("?on=" + (today_vn() - timedelta(days=20)).strftime("%d/%m/%Y"))
    # twenty days ago basics was not yet due, and secrets not yet assigned
    assert _summary(page)["overdue"] == (0, 0)
    assert "Course secrets" not in page.split('<table class="status-grid">', 1)[1]


def test_the_grid_pages(grid, monkeypatch, staff):
    monkeypatch.setattr(assignment_views, "GRID_PER_PAGE", 2)
    first, third = grid(), grid("?page=3")
    assert len(_rows(first)) == 2
    assert len(_rows(third)) == 1
    assert "Page 1 of 3" in first
    assert "page=2" in first


def test_the_selected_people_go_to_a_new_assignment(grid, staff):
    page = grid()
    assert '<form id="bulk" method="get" action="/assignments/new"' in page
    assert f'name="person_id" value="{staff.late.id}" form="bulk"' in page


def test_the_admin_sees_the_whole_province(app, office, staff, make_user):
    admin = make_user(role=Role.ICT_ADMIN, unit=office.agency, username="quantri")
    client = app.test_client()
    sign_in(client, admin.username)
    page = client.get("/assignments/status").get_data(as_text=True)
    assert office.stranger.full_name in page


def test_the_grid_is_linked_from_the_officers_home(app, office):
    client = app.test_client()
    sign_in(client, office.officer.username)
    assert 'href="/assignments/status"' in client.get("/").get_data(as_text=True)
    db.session.remove()


def test_the_learners_statement_answers_as_the_grids(office, staff):
    """The learner's pages' statement, built once with bound days (`one_person_statement`),
    and `statuses`, built per call for any set of people, answer alike."""
    for day in (today_vn(), today_vn() - timedelta(days=20), today_vn() + timedelta(days=400)):
        for person in (staff.late, staff.done, staff.key, staff.drafter, office.stranger):
            expected = statuses(day, select(Person.id).where(Person.id == person.id))
            rows = db.session.execute(one_person_statement(), one_person_params(person.id, day))
            found = [
                (person_id, course_id, due_on, valid_until, last_until, status_of(status))
                for person_id, course_id, due_on, valid_until, last_until, status in rows
            ]
            assert sorted(found, key=str) == sorted((pair[:6] for pair in expected), key=str)
