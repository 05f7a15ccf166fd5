"""What the busy pages cost: the same number of SQL statements with 1 row as with 20.

Each test builds a world with one of everything the page lists, counts one request, grows the
world to twenty, counts again, and fixes both counts to the same number. A lazy load in a
template loop, or a write slipped into a GET, moves the second count and fails the test with the
statements listed. Each page is requested once before counting, as a running site has: the
per-process caches (lesson lists, rendered lesson HTML) are then warm, and what is counted is
the steady cost of a view.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.assignment_world import add_course
from tests.helpers import sign_in
from tests.query_count import QueryLog
from training.assignments.defaults import ensure_default_assignments
from training.assignments.models import TargetGroup
from training.assignments.services import AssignmentData, create_assignment
from training.clock import today_vn, utcnow
from training.courses.completions import new_code
from training.courses.models import Audience, Completion, CompletionMethod, Course
from training.extensions import db
from training.org.models import Person, Role, Unit, UnitKind
from training.org.people import PersonData, create_people, set_person_flags
from training.org.units import move_person_to_unit
from training.quizzes.models import Attempt, AttemptResult, Quiz

Counter = Callable[[], object]


def _cost(client: FlaskClient, path: str, count_queries: Counter) -> QueryLog:
    """In production each request has a session of its own; the test client reuses the test's
    application context, and with it the session, so the session is dropped before each
    request here: otherwise rows loaded by the warm-up would be counted as free."""
    db.session.remove()
    with count_queries() as first:  # type: ignore[attr-defined]
        warm = client.get(path)
    assert warm.status_code == 200, warm.get_data(as_text=True)
    assert not first.writes(), first.summary()  # GET never writes, not even the first time
    db.session.remove()
    with count_queries() as log:  # type: ignore[attr-defined]
        response = client.get(path)
    assert response.status_code == 200
    db.session.remove()
    return log


def _assert_flat(small: QueryLog, large: QueryLog, expected: int) -> None:
    assert len(small) == expected, small.summary()
    assert len(large) == expected, large.summary()


# --- the learner's world -----------------------------------------------------------------------


def _write_lesson(folder: Path, number: int) -> None:
    (folder / f"{number:02d}-extra-{number}.vi.md").write_text(
        f'---\ntitle: "Bài thêm {number}"\nclauses: [D3.1]\n---\n\nNội dung bài {number}.\n',
        encoding="utf-8",
    )


def _write_course(courses: Path, number: int) -> None:
    folder = courses / f"extra-{number}"
    folder.mkdir()
    (folder / "course.yml").write_text(
        f'title:\n  vi: "Khoá thêm {number}"\nsummary:\n  vi: "Khoá học thêm {number}."\n'
        f"audience: all\nminutes: 5\nquiz: extra-{number}\nclauses: [D3.1]\n"
        f"order: {10 + number}\n",
        encoding="utf-8",
    )
    _write_lesson(folder, 1)
    bank = (courses.parent / "quizzes" / "sample.yml").read_text(encoding="utf-8")
    (courses.parent / "quizzes" / f"extra-{number}.yml").write_text(
        bank.replace("slug: sample", f"slug: extra-{number}")
        .replace("course: sample", f"course: extra-{number}")
        .replace("id: sa-", f"id: x{number}-"),
        encoding="utf-8",
    )


@dataclass
class LearnerWorld:
    """One learner on the sample course with a quiz attempt in progress, and `rows` of each
    thing the learner's pages list: courses, lessons of the sample course, finished attempts
    (passed, failed, timed out) and certificates."""

    client: FlaskClient
    person_id: int
    content: Path
    sync: Callable[[], object]
    open_attempt_id: int
    rows: int = 1
    passed_attempt_ids: list[int] = field(default_factory=list)

    def grow(self, rows: int) -> None:
        courses = self.content / "courses"
        for number in range(self.rows + 1, rows + 1):
            _write_course(courses, number)
            _write_lesson(courses / "sample", number + 2)
        result = self.sync()
        assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
        self._finish_attempts(self.rows, rows)
        self.rows = rows

    def _finish_attempts(self, done: int, rows: int) -> None:
        """Past attempts, one a day: passed with a certificate, failed, or run out of time."""
        template = db.session.get(Attempt, self.open_attempt_id)
        course = db.session.scalar(select(Course).where(Course.slug == "sample"))
        quiz = db.session.scalar(select(Quiz).where(Quiz.slug == "sample"))
        for number in range(done + 1 if done else 1, rows + 1):
            day = today_vn() - timedelta(days=number)
            started = utcnow() - timedelta(days=number)
            attempt = Attempt(
                person_id=self.person_id,
                quiz_id=quiz.id,
                course_id=course.id,
                course_hash=course.current_hash,
                validity_months=12,
                pass_mark=80,
                partial_credit=False,
                started_at=started,
                started_on=day,
                day_seq=1,
                open_slot=None,
                deadline_at=started + timedelta(minutes=20),
                items=template.items,
            )
            db.session.add(attempt)
            db.session.flush()
            kind = number % 3
            if kind == 2:
                attempt.expired_at = started + timedelta(minutes=21)
                continue
            passed = kind == 1
            db.session.add(
                AttemptResult(
                    attempt_id=attempt.id,
                    score=100 if passed else 0,
                    passed=passed,
                    graded_at=started + timedelta(minutes=5),
                    answers=[{"selected": [0], "points": 1.0 if passed else 0.0}]
                    * len(template.items),
                )
            )
            if passed:
                self.passed_attempt_ids.append(attempt.id)
                db.session.add(
                    Completion(
                        person_id=self.person_id,
                        course_id=course.id,
                        course_hash=course.current_hash,
                        attempt_id=attempt.id,
                        completed_on=day,
                        valid_until=day + timedelta(days=365),
                        code=f"TEST-{number:04d}-ABCD",
                    )
                )
        db.session.commit()


@pytest.fixture
def learner_world(app, content, sync, make_user) -> LearnerWorld:
    content_file = content / "quizzes" / "sample.yml"
    content_file.write_text(
        content_file.read_text(encoding="utf-8").replace(
            "questions_per_attempt: 2", "questions_per_attempt: 2\ntime_limit_minutes: 20"
        ),
        encoding="utf-8",
    )
    assert sync().exit_code == 0
    person = make_user(username="hocvien", full_name="Trần Thị Mỹ Hạnh", classified=True)
    client = app.test_client()
    sign_in(client, person.username)
    for key in ("01-intro", "02-email"):
        client.post(f"/courses/sample/lessons/{key}/read")
    started = client.post("/courses/sample/quiz")
    assert started.status_code == 302, started.get_data(as_text=True)
    attempt_id = int(started.headers["Location"].rsplit("/", 1)[1])
    world = LearnerWorld(client, person.id, content, sync, attempt_id, rows=0)
    world._finish_attempts(0, 1)
    world.rows = 1
    return world


# Every page starts with the signed-in person and their unit (Flask-Login's loader).
LEARNER_PAGES = {
    # the courses with the reads, the completions in force and the status of each course
    # required of the learner, in one statement
    "home": ("/", 2),
    # the same statement
    "my courses": ("/courses/", 2),
    # the course with the reads; the quiz with the standing (attempts today, the open one,
    # lessons read), the completion in force and the latest attempts with their results
    "course page": ("/courses/sample", 3),
    # the course with the reads; the lesson list and its HTML come from the process cache
    "lesson page": ("/courses/sample/lessons/01-intro", 2),
    # the completions with their courses
    "certificates": ("/certificates/", 2),
}


@pytest.mark.parametrize("page", LEARNER_PAGES)
def test_a_learner_page_costs_the_same_with_twenty_rows(learner_world, count_queries, page):
    path, expected = LEARNER_PAGES[page]
    small = _cost(learner_world.client, path, count_queries)
    learner_world.grow(20)
    large = _cost(learner_world.client, path, count_queries)
    _assert_flat(small, large, expected)


# Both attempt pages: the person, then the attempt with its result, course and completion.


@pytest.mark.parametrize(
    "attempt_of",
    [
        pytest.param(lambda world: world.open_attempt_id, id="attempt page"),
        pytest.param(lambda world: world.passed_attempt_ids[0], id="result page"),
    ],
)
def test_an_attempt_page_costs_the_same_with_twenty_attempts(
    learner_world, count_queries, attempt_of
):
    path = f"/attempts/{attempt_of(learner_world)}"
    small = _cost(learner_world.client, path, count_queries)
    learner_world.grow(20)
    large = _cost(learner_world.client, path, count_queries)
    _assert_flat(small, large, 2)


# --- the officer's world -----------------------------------------------------------------------


@dataclass
class OfficeWorld:
    """A unit IT officer over an agency with `rows` divisions, `rows` staff, and one member of
    staff whose unit and flags changed `rows` times (the person page lists that history)."""

    client: FlaskClient
    agency_id: int
    subject_id: int
    make_unit: Callable[..., Unit]
    make_user: Callable[..., Person]
    rows: int = 0

    def grow(self, rows: int) -> None:
        agency = db.session.get(Unit, self.agency_id)
        subject = db.session.get(Person, self.subject_id)
        for number in range(self.rows + 1, rows + 1):
            division = self.make_unit(
                f"DIV{number}", parent=agency, kind=UnitKind.DIVISION, key=number % 4 == 0
            )
            self.make_user(unit=division, classified=number % 3 == 0, it_staff=number % 5 == 0)
            day = today_vn() + timedelta(days=number)
            move_person_to_unit(subject, division, today=day)
            set_person_flags(
                subject, drafts_classified=number % 2 == 1, is_it_staff=False, today=day
            )
        db.session.commit()
        self.rows = rows


@pytest.fixture
def office_world(app, make_unit, make_user) -> OfficeWorld:
    agency = make_unit("SNV", name="Sở Nội vụ")
    officer = make_user(role=Role.UNIT_OFFICER, unit=agency, username="cntt.snv")
    subject = make_user(unit=agency, username="doi.tuong", full_name="Phạm Văn Bình")
    client = app.test_client()
    sign_in(client, officer.username)
    world = OfficeWorld(client, agency.id, subject.id, make_unit, make_user)
    world.grow(1)
    return world


# Every page starts with the signed-in officer and their unit, the scope (Flask-Login's loader).
OFFICER_PAGES = {
    # the head-counts by unit, the units under it; coverage today: the tree of the day (twice:
    # the officer's scope, then the report's), the counts by unit, the targets in force
    "officer home": ("/", 7),
    # the coverage dashboard of the officer's unit: the person, the courses for the filter, the
    # day's tree (the officer's scope, then the page's), the counts by unit, the targets, the
    # short rosters, the counts by course, the unit's own people and their number, its
    # headcount, the completions by month
    "coverage dashboard": ("/reports/", 12),
    # the units for the filter, the page of people with their units, the count
    "people": ("/people", 4),
    # the person with their unit, the memberships with units, the flags
    "person page": (None, 4),
    # the head-counts by unit, the units under it
    "units": ("/units", 3),
}


# How many coverage reports each page runs (by unit, by course): on PostgreSQL each sets its
# planner settings and puts them back (coverage.streamed), two statements more.
REPORT_PAGES = {"officer home": 1, "coverage dashboard": 2}


@pytest.mark.parametrize("page", OFFICER_PAGES)
def test_an_officer_page_costs_the_same_with_twenty_rows(office_world, count_queries, page):
    path, expected = OFFICER_PAGES[page]
    if db.engine.dialect.name == "postgresql":
        expected += 2 * REPORT_PAGES.get(page, 0)
    path = path or f"/people/{office_world.subject_id}"
    small = _cost(office_world.client, path, count_queries)
    office_world.grow(20)
    large = _cost(office_world.client, path, count_queries)
    _assert_flat(small, large, expected)


def _pages_send_no_cookie(client: FlaskClient, paths: dict[str, str]) -> None:
    """The first page after signing in stores the form token in the session, and sends the
    cookie once. After that, reading any page must leave the session as it is: a page that
    rewrote it would sign and send a new cookie on every request, and with two tabs open one
    tab's cookie would overwrite what the other had just stored (a message, a language)."""
    assert client.get("/").status_code == 200
    for page, path in paths.items():
        response = client.get(path)
        assert response.status_code == 200, page
        assert "Set-Cookie" not in response.headers, f"{page} rewrote the session cookie"


def test_reading_a_learners_pages_leaves_the_session_alone(learner_world):
    _pages_send_no_cookie(
        learner_world.client, {page: path for page, (path, _) in LEARNER_PAGES.items()}
    )


def test_reading_an_officers_pages_leaves_the_session_alone(office_world):
    person = f"/people/{office_world.subject_id}"
    _pages_send_no_cookie(
        office_world.client,
        {page: path or person for page, (path, _) in OFFICER_PAGES.items()},
    )


# --- the status grid and the learner's deadlines, at 5 and at 200 people -----------------------


@dataclass
class ProvinceWorld:
    """An agency with a key division and an ordinary one, its officer, one learner, the
    directive's defaults for three courses and a unit assignment whose deadline has passed;
    `people` staff besides, some flagged, some with completions (in force, expiring, lapsed)."""

    officer: FlaskClient
    learner: FlaskClient
    learner_id: int
    division_ids: tuple[int, int]
    courses: list[int]
    people: int = 0

    def grow(self, people: int) -> None:
        today = today_vn()
        divisions = [db.session.get(Unit, i) for i in self.division_ids]
        courses = [db.session.get(Course, i) for i in self.courses]
        numbers = range(self.people + 1, people + 1)
        batch = [
            PersonData(
                username=f"nv{number}",
                full_name=f"Nhân viên {number:03d}",
                unit=divisions[number % 2],
                drafts_classified=number % 7 == 0,
                is_it_staff=number % 5 == 0,
            )
            for number in numbers
        ]
        made = zip(numbers, create_people(batch, actor=None, today=today), strict=True)
        db.session.flush()
        for number, person in made:
            if number % 3:
                db.session.add(
                    Completion(
                        person_id=person.id,
                        course_id=courses[0].id,
                        course_hash=courses[0].current_hash,
                        method=CompletionMethod.MANUAL,
                        reason="kiểm thử",
                        completed_on=today - timedelta(days=30 * (number % 14)),
                        valid_until=today - timedelta(days=30 * (number % 14)) + timedelta(365),
                        code=new_code(),
                    )
                )
        db.session.commit()
        self.people = people


@pytest.fixture
def province_world(app, make_unit, make_user) -> ProvinceWorld:
    today = today_vn()
    agency = make_unit("SNV", name="Sở Nội vụ", today=today)
    key = make_unit("SNV-VP", parent=agency, kind=UnitKind.DIVISION, key=True, today=today)
    plain = make_unit("SNV-TC", parent=agency, kind=UnitKind.DIVISION, today=today)
    officer = make_user(role=Role.UNIT_OFFICER, unit=agency, username="cntt.snv", today=today)
    learner = make_user(unit=key, username="hoc.vien", full_name="Trần Thị Hạnh", today=today)
    courses = [
        add_course("foundations", position=1),
        add_course("state-secrets", audience=Audience.PRIORITY, position=2),
        add_course("it-staff", audience=Audience.IT_STAFF, position=3),
    ]
    db.session.commit()
    ensure_default_assignments(today - timedelta(days=100))
    create_assignment(
        AssignmentData(courses[0], TargetGroup.EVERYONE, unit=plain, due_days=10),
        actor=None,
        today=today - timedelta(days=20),
    )
    db.session.commit()
    clients = []
    for username in (officer.username, learner.username):
        client = app.test_client()
        sign_in(client, username)
        clients.append(client)
    world = ProvinceWorld(*clients, learner.id, (key.id, plain.id), [c.id for c in courses])
    world.grow(5)
    return world


# Every page starts with the signed-in person and their unit (Flask-Login's loader).
GRID_PAGES = {
    # the units for the filter, the courses for the filter, the counts by course and status
    # (priority apart), the columns' courses, the number of people, the page of people with
    # their units and priority, the statuses of that page's people
    "status grid": ("/assignments/status", 8),
    # the same, the status filter being part of the people's query
    "grid, overdue priority staff": ("/assignments/status?overdue=y&priority=y", 8),
    "grid, one course, one status": ("/assignments/status?course_id=1&status=completed", 8),
    # the assignments with their courses and units, the counts of today, the named counts
    "assignments": ("/assignments/", 4),
}


@pytest.mark.parametrize("page", GRID_PAGES)
def test_the_grid_costs_the_same_at_5_and_at_200_people(province_world, count_queries, page):
    path, expected = GRID_PAGES[page]
    small = _cost(province_world.officer, path, count_queries)
    province_world.grow(200)
    large = _cost(province_world.officer, path, count_queries)
    _assert_flat(small, large, expected)


# The learner is priority staff (a key division) and required three courses.
DEADLINE_PAGES = {
    # the person; the courses with the reads, the completions in force and the required
    # courses' status, in one statement
    "learner home": ("/", 2),
    "my courses": ("/courses/", 2),
}


@pytest.mark.parametrize("page", DEADLINE_PAGES)
def test_the_learners_deadlines_cost_the_same_at_5_and_at_200_people(
    province_world, count_queries, page
):
    path, expected = DEADLINE_PAGES[page]
    small = _cost(province_world.learner, path, count_queries)
    province_world.grow(200)
    large = _cost(province_world.learner, path, count_queries)
    _assert_flat(small, large, expected)


def test_a_training_record_costs_the_same_at_5_and_at_200_people(province_world, count_queries):
    path = f"/people/{province_world.learner_id}/training"
    small = _cost(province_world.officer, path, count_queries)
    province_world.grow(200)
    large = _cost(province_world.officer, path, count_queries)
    # the person with their unit; the requirements with their assignments, units and courses;
    # the statuses; the reminders; the completions; the attempts
    _assert_flat(small, large, 7)
