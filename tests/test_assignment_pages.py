"""The assignment pages, the person's training record and the learner's deadlines, through the
test client: what an officer and the ICT admin see and may do, and the refusals of forged ids
(404 or a form error, and nothing written)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.assignment_world import add_course, assign, assignment_count, attempt, complete
from tests.helpers import PASSWORD, sign_in
from training.assignments.defaults import ensure_default_assignments
from training.assignments.models import (
    Assignment,
    AssignmentPerson,
    Reminder,
    Requirement,
    TargetGroup,
)
from training.clock import today_vn
from training.courses.models import Audience
from training.extensions import db
from training.org.models import Role


@pytest.fixture
def officer_client(app, office):
    client = app.test_client()
    sign_in(client, office.officer.username)
    return _english(client)


@pytest.fixture
def admin_client(app, make_user, office):
    admin = make_user(role=Role.ICT_ADMIN, unit=office.agency, username="quantri")
    client = app.test_client()
    sign_in(client, admin.username)
    return _english(client)


def _english(client):
    """The tests read the English messages, which stay when the Vietnamese ones change."""
    assert client.post("/language/en").status_code == 302
    return client


def _ticked(page: str, name: str, value: object) -> bool:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*value="{value}"[^>]*>', page) or re.search(
        rf'<input[^>]*value="{value}"[^>]*name="{name}"[^>]*>', page
    )
    return tag is not None and "checked" in tag.group(0)


def _text(response) -> str:
    """The page's text with tags and runs of white space collapsed, to assert on sentences."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def _requirements() -> int:
    return db.session.scalar(select(func.count()).select_from(Requirement)) or 0


# --- the list ---------------------------------------------------------------------------------


def test_officer_lists_the_defaults_and_their_own_with_todays_counts(
    officer_client, office, make_user
):
    today = today_vn()
    done, late = make_user(unit=office.division), make_user(unit=office.division)
    make_user(unit=office.key_division, full_name="Trần Ưu Tiên")
    ensure_default_assignments(today)
    db.session.commit()
    complete(done, office.basics, today)
    assign(office.basics, unit=office.division, on=today - timedelta(days=50), due_days=20)
    assert late  # required, not done, and past the unit assignment's deadline

    page = officer_client.get("/assignments/")
    assert page.status_code == 200
    text = _text(page)
    assert "Everyone in the province" in text
    assert "Priority staff in the province" in text
    assert "Everyone in Phòng Tổ chức and its sub-units" in text
    assert "Clause D2, D3" in text
    assert "Within 90 days of coming under it; priority staff within 30 days" in text
    # the unit assignment: two people of the division, one done, one overdue
    row = re.search(r"Within 20 days of coming under it\s*(\d+)\s*(\d+)\s*(\d+)", text)
    assert row is not None
    assert row.groups() == ("2", "1", "1")
    # the officer counts their own people only: the stranger of the other agency is not there
    basics_default = re.search(r"Everyone in the province.*?(\d+) (\d+) (\d+)", text)
    assert basics_default is not None
    assert basics_default.group(1) == "4"


def test_the_list_offers_no_end_to_an_officer_for_a_default(officer_client, office):
    ensure_default_assignments(today_vn())
    db.session.commit()
    page = officer_client.get("/assignments/").get_data(as_text=True)
    assert "/end" not in page
    assert "/deadlines" not in page


# --- a new assignment -------------------------------------------------------------------------


def _form(office, **overrides):
    data = {
        "course_id": office.basics.id,
        "target": "unit",
        "unit_id": office.division.id,
        "audience": "everyone",
        "deadline": "days",
        "due_days": "45",
        "priority_due_days": "",
        "due_on": "",
        "q": "",
    }
    data.update(overrides)
    return data


def test_officer_assigns_a_course_to_a_sub_unit(officer_client, office, make_user):
    member = make_user(unit=office.division)
    response = officer_client.post("/assignments/new", data=_form(office))
    assert response.status_code == 302, _text(response)
    assert response.headers["Location"].endswith("/assignments/")
    assignment = db.session.scalars(select(Assignment)).one()
    assert (assignment.unit_id, assignment.due_days) == (office.division.id, 45)
    due = db.session.scalars(
        select(Requirement.due_on).where(Requirement.person_id == member.id)
    ).one()
    assert due == today_vn() + timedelta(days=45)
    assert "was assigned" in _text(officer_client.get("/assignments/"))


def test_a_date_deadline_needs_the_date(officer_client, office):
    response = officer_client.post(
        "/assignments/new", data=_form(office, deadline="date", due_days="")
    )
    assert response.status_code == 200
    assert "Give the due date." in _text(response)
    late = (today_vn() + timedelta(days=10)).strftime("%d/%m/%Y")
    response = officer_client.post(
        "/assignments/new", data=_form(office, deadline="date", due_on=late, due_days="")
    )
    assert response.status_code == 302
    assert db.session.scalars(select(Assignment.due_on)).one() == today_vn() + timedelta(days=10)


@pytest.mark.parametrize(
    "forged",
    [
        pytest.param(lambda o: {"unit_id": o.other.id}, id="another agency's unit"),
        pytest.param(lambda o: {"target": "province"}, id="the whole province"),
        pytest.param(lambda o: {"course_id": 999_999}, id="a course that does not exist"),
        pytest.param(
            lambda o: {"target": "named", "person_id": [o.stranger.id]}, id="another's staff"
        ),
    ],
)
def test_an_officer_cannot_assign_outside_their_scope(officer_client, office, forged):
    response = officer_client.post("/assignments/new", data=_form(office, **forged(office)))
    assert response.status_code == 200
    assert 'role="alert"' in response.get_data(as_text=True)
    assert assignment_count() == 0
    assert _requirements() == 0


def test_a_priority_course_goes_only_to_priority_staff(officer_client, office):
    response = officer_client.post(
        "/assignments/new", data=_form(office, course_id=office.secrets.id)
    )
    assert "This course is not open to everyone in that group." in _text(response)
    response = officer_client.post(
        "/assignments/new", data=_form(office, course_id=office.secrets.id, audience="priority")
    )
    assert response.status_code == 302
    assert assignment_count() == 1


def test_the_admin_assigns_to_the_whole_province(admin_client, office):
    response = admin_client.post("/assignments/new", data=_form(office, target="province"))
    assert response.status_code == 302
    assignment = db.session.scalars(select(Assignment)).one()
    assert assignment.unit_id is None
    assert assignment.audience == TargetGroup.EVERYONE
    assert office.stranger.id in set(db.session.scalars(select(Requirement.person_id)))


def test_people_are_named_by_searching_within_the_scope(officer_client, office, make_user):
    ours = make_user(unit=office.division, full_name="Lê Thị Tìm", username="le.tim")
    make_user(unit=office.other, full_name="Lê Thị Tìm Ngoài", username="le.tim.ngoai")
    found = officer_client.post(
        "/assignments/new", data=_form(office, target="named", q="le thi tim", find="Search")
    )
    assert found.status_code == 200
    page = found.get_data(as_text=True)
    assert f'name="person_id" value="{ours.id}"' in page
    assert "Ngoài" not in page
    assert assignment_count() == 0  # searching writes nothing

    named = officer_client.post(
        "/assignments/new", data=_form(office, target="named", person_id=[ours.id])
    )
    assert named.status_code == 302
    assignment = db.session.scalars(select(Assignment)).one()
    assert assignment.audience == TargetGroup.NAMED
    assert db.session.scalars(select(AssignmentPerson.person_id)).all() == [ours.id]
    assert db.session.scalars(select(Requirement.person_id)).all() == [ours.id]


def test_the_grids_selection_arrives_named_and_outsiders_are_dropped(
    officer_client, office, make_user
):
    ours = make_user(unit=office.division, full_name="Phạm Chọn")
    page = officer_client.get(
        f"/assignments/new?person_id={ours.id}&person_id={office.stranger.id}"
    ).get_data(as_text=True)
    assert _ticked(page, "person_id", ours.id)
    assert f'name="person_id" value="{office.stranger.id}"' not in page
    assert _ticked(page, "target", "named")


# --- ending, and the windows of the defaults --------------------------------------------------


def test_ending_asks_first_then_ends_keeping_the_history(officer_client, office, make_user):
    make_user(unit=office.division)
    assignment = assign(office.basics, unit=office.division, due_days=30)
    confirm = officer_client.get(f"/assignments/{assignment.id}/end")
    assert confirm.status_code == 200
    assert "It requires 1 person today." in _text(confirm)
    assert db.session.get(Assignment, assignment.id).ended_on is None  # asking wrote nothing

    ended = officer_client.post(f"/assignments/{assignment.id}/end")
    assert ended.status_code == 302
    db.session.expire_all()
    assert db.session.get(Assignment, assignment.id).ended_on == today_vn()
    assert "has ended" in _text(officer_client.get("/assignments/"))


def test_another_units_assignment_answers_404(officer_client, office):
    theirs = assign(office.basics, unit=office.other, due_days=30)
    for path in (f"/assignments/{theirs.id}/end", f"/assignments/{theirs.id}/deadlines"):
        assert officer_client.get(path).status_code == 404
        assert officer_client.post(path, data={"due_days": "5"}).status_code == 404
    db.session.expire_all()
    assignment = db.session.get(Assignment, theirs.id)
    assert (assignment.ended_on, assignment.due_days) == (None, 30)


def test_an_officer_cannot_end_or_change_a_default(officer_client, office):
    ensure_default_assignments(today_vn())
    db.session.commit()
    default = db.session.scalars(
        select(Assignment).where(Assignment.default_key == "default:basics")
    ).one()
    assert officer_client.post(f"/assignments/{default.id}/end").status_code == 403
    assert officer_client.post(f"/assignments/{default.id}/deadlines").status_code == 403
    db.session.expire_all()
    assert db.session.get(Assignment, default.id).ended_on is None


def test_the_admin_changes_the_windows_of_a_default(admin_client, office):
    ensure_default_assignments(today_vn())
    db.session.commit()
    default = db.session.scalars(
        select(Assignment).where(Assignment.default_key == "default:basics")
    ).one()
    page = admin_client.get(f"/assignments/{default.id}/deadlines")
    assert "New windows apply to requirements opened from now on" in _text(page)
    saved = admin_client.post(
        f"/assignments/{default.id}/deadlines", data={"due_days": "60", "priority_due_days": "20"}
    )
    assert saved.status_code == 302
    db.session.expire_all()
    default = db.session.get(Assignment, default.id)
    assert (default.due_days, default.priority_due_days) == (60, 20)
    refused = admin_client.post(
        f"/assignments/{default.id}/deadlines", data={"due_days": "10", "priority_due_days": "20"}
    )
    assert "shorter window" in _text(refused)


# --- a person's training record ---------------------------------------------------------------


def test_the_training_record_shows_requirements_completions_and_certificates(
    officer_client, office, make_user
):
    today = today_vn()
    person = make_user(unit=office.key_division, full_name="Hoàng Thị Hồ Sơ")
    ensure_default_assignments(today - timedelta(days=45))
    db.session.commit()
    completion = complete(person, office.basics, today - timedelta(days=3))
    attempt(person, office.secrets, score=40, days_ago=2)
    attempt(person, office.secrets, score=None, days_ago=1)

    page = officer_client.get(f"/people/{person.id}/training")
    assert page.status_code == 200
    text = _text(page)
    assert "Training history of Hoàng Thị Hồ Sơ" in text
    assert "Priority staff in the province" in text  # the secrets default, through the division
    assert "Overdue" in text  # secrets: 30 days from 45 days ago
    assert "Recorded manually" in text
    assert "Tập huấn tháng 10" in text
    assert f'href="/verify/{completion.code}"' in page.get_data(as_text=True)
    assert "40% not passed" in text
    assert "time ran out" in text
    assert "Send a reminder now" not in text  # no e-mail address: the page says so instead
    assert "No e-mail address" in text


def test_the_person_page_links_to_the_training_record(officer_client, office, make_user):
    person = make_user(unit=office.division)
    page = officer_client.get(f"/people/{person.id}").get_data(as_text=True)
    assert f'href="/people/{person.id}/training"' in page
    assert 'href="/assignments/status"' in officer_client.get("/people").get_data(as_text=True)


def test_another_units_person_has_no_training_record_here(officer_client, office):
    assert officer_client.get(f"/people/{office.stranger.id}/training").status_code == 404
    response = officer_client.post(
        f"/people/{office.stranger.id}/training/{office.basics.id}/remind"
    )
    assert response.status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Reminder)) == 0


def test_send_a_reminder_now_once_a_day(officer_client, office, make_user):
    person = make_user(unit=office.division)
    person.email = "nhac.viec@snv.example.vn"
    db.session.commit()
    assign(office.basics, unit=office.division, on=today_vn() - timedelta(days=40), due_days=30)
    page = officer_client.get(f"/people/{person.id}/training")
    assert "Send a reminder now" in _text(page)

    path = f"/people/{person.id}/training/{office.basics.id}/remind"
    first = officer_client.post(path, follow_redirects=True)
    assert "A reminder was sent to" in _text(first)
    assert "Reminded today" in _text(first)
    second = officer_client.post(path, follow_redirects=True)
    assert "already reminded of this course today" in _text(second)
    assert db.session.scalar(select(func.count()).select_from(Reminder)) == 1


# --- the learner's deadlines ------------------------------------------------------------------


def test_the_learner_sees_the_next_deadline_first_and_the_overdue_marked(app, make_user, office):
    today = today_vn()
    learner = make_user(unit=office.division, username="hoc.vien")
    soon, later, late, done, _free = (
        add_course(slug, position=n)
        for n, slug in enumerate(("soon", "later", "late", "done", "free"), start=10)
    )
    db.session.commit()
    assign(later, unit=office.division, due_days=40)
    assign(soon, unit=office.division, due_days=12)
    assign(late, unit=office.division, on=today - timedelta(days=33), due_days=30)
    assign(done, unit=office.division, due_days=20)
    complete(learner, done, today - timedelta(days=2))
    client = app.test_client()
    sign_in(client, learner.username)
    _english(client)

    for path in ("/", "/courses/"):
        text = _text(client.get(path))
        order = [text.index(f"Course {slug}") for slug in ("late", "soon", "later", "done", "free")]
        assert order == sorted(order), path
        assert "Overdue by 3 days" in text
        assert "12 days left" in text
        assert "40 days left" in text
        valid = (today - timedelta(days=2)).replace(year=today.year + 1)
        assert f"Valid until {valid:%d/%m/%Y}" in text
        assert "Also open to you" in text
    home = _text(client.get("/"))
    assert (
        home.index("Next required course") < home.index("Course late") < home.index("Course soon")
    )


def test_a_priority_learner_sees_the_priority_course_first(app, make_user, office):
    today = today_vn()
    learner = make_user(unit=office.key_division, username="uu.tien")
    ensure_default_assignments(today)
    db.session.commit()
    client = app.test_client()
    sign_in(client, learner.username)
    _english(client)
    text = _text(client.get("/"))
    assert "You are on the priority list" in text
    # both are due in 30 days (the priority window); the priority course comes first
    assert text.index("Course secrets") < text.index("Course basics")
    assert "30 days left" in text


def test_a_course_due_today_says_so(app, make_user, office):
    learner = make_user(unit=office.division, username="han.chot")
    assign(office.basics, unit=office.division, on=today_vn() - timedelta(days=7), due_days=7)
    client = app.test_client()
    sign_in(client, learner.username)
    _english(client)
    assert "Due today" in _text(client.get("/"))


def test_a_learner_may_not_open_the_officers_pages(app, make_user, office):
    learner = make_user(unit=office.division, username="hoc.vien2")
    client = app.test_client()
    sign_in(client, learner.username)
    _english(client)
    for path in ("/assignments/", "/assignments/new", "/assignments/status"):
        assert client.get(path).status_code == 403


def test_the_it_course_is_assigned_only_to_it_staff(officer_client, office):
    it = add_course("it-ops", audience=Audience.IT_STAFF, position=5)
    db.session.commit()
    response = officer_client.post(
        "/assignments/new", data=_form(office, course_id=it.id, audience="unit_heads")
    )
    assert "This course is not open to everyone in that group." in _text(response)
    assert assignment_count() == 0


# --- with CSRF protection on, as in production ------------------------------------------------


def test_forged_assignment_forms_change_nothing(make_app, office, make_user):
    csrf_app = make_app(WTF_CSRF_ENABLED=True)
    person = make_user(unit=office.division)
    person.email = "gia.mao@snv.example.vn"
    db.session.commit()
    ours = assign(
        office.basics, unit=office.division, on=today_vn() - timedelta(days=40), due_days=9
    )
    client = csrf_app.test_client()
    login = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', login).group(1)
    client.post(
        "/auth/login",
        data={"username": office.officer.username, "password": PASSWORD, "csrf_token": token},
    )
    for path, data in (
        ("/assignments/new", _form(office)),
        (f"/assignments/{ours.id}/end", {}),
        (f"/assignments/{ours.id}/deadlines", {"due_days": "5"}),
        (f"/people/{person.id}/training/{office.basics.id}/remind", {}),
    ):
        assert client.post(path, data=data).status_code == 400, path
    db.session.expire_all()
    assert assignment_count() == 1
    assert db.session.get(Assignment, ours.id).ended_on is None
    assert db.session.scalar(select(func.count()).select_from(Reminder)) == 0

    page = client.get("/assignments/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    made = client.post("/assignments/new", data={**_form(office), "csrf_token": token})
    assert made.status_code == 302
    assert assignment_count() == 2
