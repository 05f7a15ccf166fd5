"""Fixtures for the assignment pages: courses as rows (no content files needed), and a unit with
an officer, staff and assignments whose deadlines fall before, on and after today.

The pages read the real clock (`today_vn()`), so everything here is dated from it, not from the
fixtures' fixed `TODAY`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.factories import add_completion
from training.assignments.models import Assignment, TargetGroup
from training.assignments.services import AssignmentData, create_assignment
from training.clock import today_vn, utcnow
from training.courses.models import (
    Audience,
    Completion,
    Course,
    CourseVersion,
    Lesson,
    LessonText,
)
from training.extensions import db
from training.org.models import Person, Role, Unit, UnitKind
from training.quizzes.models import Attempt, AttemptResult, Quiz


def add_course(slug: str, *, audience: Audience = Audience.ALL, position: int = 1) -> Course:
    course = Course(
        slug=slug,
        title_vi=f"Khoá {slug}",
        title_en=f"Course {slug}",
        summary_vi="Tóm tắt",
        audience=audience,
        minutes=10,
        current_hash=f"{slug:0>64}"[-64:],
        position=position,
    )
    db.session.add(course)
    db.session.flush()
    # one lesson, as a loaded course has: the learner's pages list its lessons
    version = CourseVersion(course_id=course.id, content_hash=course.current_hash)
    db.session.add(version)
    db.session.flush()
    lesson = Lesson(version_id=version.id, key="01-intro", position=1)
    db.session.add(lesson)
    db.session.flush()
    db.session.add(
        LessonText(
            lesson_id=lesson.id,
            lang="vi",
            title="Mở đầu",
            source_hash=f"{slug:x>64}"[-64:],
            html="<p>Mở đầu.</p>",
        )
    )
    db.session.flush()
    return course


@pytest.fixture
def make_course(database: object) -> Callable[..., Course]:
    counter = iter(range(1, 1000))

    def _make(slug: str | None = None, *, audience: Audience = Audience.ALL) -> Course:
        n = next(counter)
        course = add_course(slug or f"course-{n}", audience=audience, position=n)
        db.session.commit()
        return course

    return _make


def complete(person: Person, course: Course, on: date, *, months: int = 12) -> Completion:
    return add_completion(
        person, course, on, months, reason="Tập huấn tháng 10", evidence="QĐ 12/2026"
    )


def assign(
    course: Course,
    *,
    unit: Unit | None = None,
    audience: TargetGroup = TargetGroup.EVERYONE,
    on: date | None = None,
    people: list[Person] | None = None,
    actor: Person | None = None,
    **deadline: object,
) -> Assignment:
    """Made `on` a day (today by default): a day long past gives deadlines already missed."""
    data = AssignmentData(
        course=course,
        audience=audience,
        unit=unit,
        people=people or [],
        **deadline,  # type: ignore[arg-type]
    )
    assignment = create_assignment(data, actor=actor, today=on or today_vn())
    db.session.commit()
    return assignment


@dataclass
class Office:
    """An agency with a key division and an ordinary one, its officer, another agency with its
    own officer and staff (out of scope), and two courses."""

    agency: Unit
    key_division: Unit
    division: Unit
    other: Unit
    officer: Person
    other_officer: Person
    stranger: Person
    basics: Course
    secrets: Course


@pytest.fixture
def office(make_unit, make_user, snapshots) -> Office:
    today = today_vn()
    return snapshots.keep(("office", today), lambda: _build_office(make_unit, make_user, today))


def _build_office(make_unit, make_user, today: date) -> Office:
    agency = make_unit("SNV", name="Sở Nội vụ", today=today)
    key_division = make_unit(
        "SNV-VP", name="Văn phòng Sở", parent=agency, kind=UnitKind.DIVISION, key=True, today=today
    )
    division = make_unit(
        "SNV-TC", name="Phòng Tổ chức", parent=agency, kind=UnitKind.DIVISION, today=today
    )
    other = make_unit("STC", name="Sở Tài chính", today=today)
    officer = make_user(role=Role.UNIT_OFFICER, unit=agency, username="cntt.snv", today=today)
    other_officer = make_user(role=Role.UNIT_OFFICER, unit=other, username="cntt.stc", today=today)
    stranger = make_user(unit=other, username="nguoi.ngoai", full_name="Lê Văn Ngoại", today=today)
    basics = add_course("basics", position=1)
    secrets = add_course("secrets", audience=Audience.PRIORITY, position=2)
    db.session.commit()
    return Office(
        agency, key_division, division, other, officer, other_officer, stranger, basics, secrets
    )


def assignment_count() -> int:
    return len(db.session.scalars(select(Assignment.id)).all())


def attempt(person: Person, course: Course, *, score: int | None, days_ago: int = 1) -> Attempt:
    """A finished quiz attempt (graded with `score`), or one whose time ran out (`None`)."""
    quiz = db.session.scalar(select(Quiz).where(Quiz.slug == course.slug))
    if quiz is None:
        quiz = Quiz(
            slug=course.slug,
            course_slug=course.slug,
            pass_mark=80,
            questions_per_attempt=1,
            time_limit_minutes=20,
            max_attempts_per_day=None,
            content_hash=course.current_hash,
        )
        db.session.add(quiz)
        db.session.flush()
    started = utcnow() - timedelta(days=days_ago)
    row = Attempt(
        person_id=person.id,
        quiz_id=quiz.id,
        course_id=course.id,
        course_hash=course.current_hash,
        validity_months=12,
        pass_mark=80,
        partial_credit=False,
        started_at=started,
        started_on=today_vn() - timedelta(days=days_ago),
        day_seq=1,
        open_slot=None,
        deadline_at=started + timedelta(minutes=20),
        expired_at=None if score is not None else started + timedelta(minutes=21),
        items=[],
    )
    db.session.add(row)
    db.session.flush()
    if score is not None:
        db.session.add(
            AttemptResult(
                attempt_id=row.id,
                score=score,
                passed=score >= 80,
                graded_at=started + timedelta(minutes=5),
                answers=[],
            )
        )
    db.session.commit()
    return row
