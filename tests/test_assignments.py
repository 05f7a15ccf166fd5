"""Assignments, the requirements they put on people, and the status of each required pair."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.assignment_world import complete
from tests.helpers import TODAY
from training.assignments.defaults import ensure_default_assignments
from training.assignments.models import Assignment, Requirement, TargetGroup
from training.assignments.services import AssignmentData, create_assignment, end_assignment
from training.assignments.status import Status, status_counts, statuses
from training.courses.models import (
    Audience,
    Completion,
    Course,
    CourseVersion,
    LessonRead,
)
from training.courses.services import courses_for
from training.errors import NotAllowed, RuleViolations
from training.extensions import db
from training.org.models import Person, Role, Unit
from training.org.people import PersonData, set_person_flags, update_person
from training.org.units import move_person_to_unit, set_key_department


def status_of(person: Person, course: Course, on: date = TODAY) -> Status | None:
    found = [
        s
        for s in statuses(on, select(Person.id).where(Person.id == person.id))
        if s.course_id == course.id
    ]
    return found[0].status if found else None


def assign(course: Course, *, unit: Unit | None = None, **kwargs: object) -> None:
    data = AssignmentData(
        course=course,
        audience=kwargs.pop("audience", TargetGroup.EVERYONE),  # type: ignore[arg-type]
        unit=unit,
        **kwargs,  # type: ignore[arg-type]
    )
    create_assignment(data, actor=None, today=TODAY)
    db.session.commit()


def test_a_province_wide_assignment_requires_everyone_at_once(make_user, make_course):
    people = [make_user() for _ in range(5)]
    course = make_course()
    assign(course, due_days=90)
    rows = db.session.scalars(select(Requirement)).all()
    assert {r.person_id for r in rows} == {p.id for p in people}
    assert {r.due_on for r in rows} == {TODAY + timedelta(days=90)}
    assert status_of(people[0], course) == Status.NOT_STARTED


def test_someone_added_later_is_assigned_automatically(make_user, make_unit, make_course):
    agency = make_unit("SNV")
    course = make_course()
    assign(course, unit=agency, due_days=60)
    later = TODAY + timedelta(days=10)
    newcomer = make_user(unit=make_unit("SNV-P1", parent=agency, today=TODAY), today=later)
    requirement = db.session.scalars(
        select(Requirement).where(Requirement.person_id == newcomer.id)
    ).one()
    assert requirement.starts_on == later
    assert requirement.due_on == later + timedelta(days=60)
    outsider = make_user(unit=make_unit("STC"))
    assert status_of(outsider, course) is None


def test_moving_a_person_moves_their_requirements_and_keeps_completions(
    make_user, make_unit, make_course
):
    first, second = make_unit("SNV"), make_unit("STC")
    course_a, course_b = make_course(), make_course()
    assign(course_a, unit=first, due_days=30)
    assign(course_b, unit=second, due_days=30)
    person = make_user(unit=first)
    complete(person, course_a, TODAY)
    moved_on = TODAY + timedelta(days=40)
    move_person_to_unit(person, second, today=moved_on)
    db.session.commit()

    on_day = moved_on + timedelta(days=1)
    assert status_of(person, course_a, on_day) is None  # no longer required of them
    assert status_of(person, course_b, on_day) == Status.NOT_STARTED
    assert status_of(person, course_a, TODAY + timedelta(days=5)) == Status.COMPLETED  # history
    assert db.session.scalar(select(func.count()).select_from(Completion)) == 1


def test_a_sub_unit_of_a_key_department_is_priority(make_user, make_unit, make_course):
    department = make_unit("SKHCN")
    division = make_unit("SKHCN-P1", parent=department)
    person = make_user(unit=division)
    assert not person.is_priority
    set_key_department(department, True, today=TODAY)
    db.session.commit()
    assert db.session.get(Person, person.id).is_priority

    secrets = make_course(audience=Audience.PRIORITY)
    assign(secrets, audience=TargetGroup.PRIORITY, due_days=30)
    requirement = db.session.scalars(select(Requirement)).one()
    assert requirement.person_id == person.id


def test_priority_staff_get_the_shorter_window(make_user, make_course):
    drafter = make_user(classified=True)
    other = make_user()
    course = make_course()
    assign(course, due_days=90, priority_due_days=30)
    due = dict(db.session.execute(select(Requirement.person_id, Requirement.due_on)).all())
    assert due[drafter.id] == TODAY + timedelta(days=30)
    assert due[other.id] == TODAY + timedelta(days=90)


def test_becoming_a_drafter_brings_the_priority_course(make_user, make_course):
    person = make_user()
    secrets = make_course(audience=Audience.PRIORITY)
    assign(secrets, audience=TargetGroup.PRIORITY, due_days=30)
    assert status_of(person, secrets) is None
    set_person_flags(person, drafts_classified=True, is_it_staff=False, today=TODAY)
    db.session.commit()
    assert status_of(person, secrets) == Status.NOT_STARTED


def test_each_status(make_user, make_course):
    course = make_course()
    people = [make_user() for _ in range(6)]
    assign(course, due_days=30)
    done, expiring, expired, started, overdue, fresh = people
    on = TODAY + timedelta(days=20)
    complete(done, course, TODAY)
    complete(expiring, course, on - timedelta(days=340))  # valid until 25 days after `on`
    complete(expired, course, TODAY - timedelta(days=400))  # 13 months before: expired
    version_id = db.session.scalars(
        select(CourseVersion.id).where(CourseVersion.course_id == course.id)
    ).one()
    db.session.add(
        LessonRead(person_id=started.id, course_id=course.id, lesson_key="a", version_id=version_id)
    )
    db.session.commit()
    assert status_of(started, course, on) == Status.IN_PROGRESS
    assert status_of(started, course, TODAY + timedelta(days=31)) == Status.OVERDUE
    assert status_of(done, course, on) == Status.COMPLETED
    assert status_of(expiring, course, on) == Status.EXPIRING
    assert status_of(expired, course, on) == Status.EXPIRED
    assert status_of(fresh, course, on) == Status.NOT_STARTED
    assert status_of(overdue, course, TODAY + timedelta(days=31)) == Status.OVERDUE


def test_a_completion_13_months_old_is_expired_on_a_12_month_course(make_user, make_course):
    person = make_user()
    course = make_course()
    assign(course, due_days=30)
    complete(person, course, TODAY - timedelta(days=396), months=course.validity_months)
    assert status_of(person, course) == Status.EXPIRED
    complete(person, course, TODAY)
    assert status_of(person, course) == Status.COMPLETED


def test_a_revoked_completion_does_not_count(make_user, make_course):
    person = make_user()
    course = make_course()
    assign(course, due_days=30)
    completion = complete(person, course, TODAY)
    completion.revoked_at = func.now()
    db.session.commit()
    assert status_of(person, course) == Status.NOT_STARTED


def test_officers_assign_only_within_their_scope(make_user, make_unit, make_course):
    mine, other = make_unit("SNV"), make_unit("STC")
    officer = make_user(role=Role.UNIT_OFFICER, unit=mine)
    stranger = make_user(unit=other)
    course = make_course()
    for data in (
        AssignmentData(course, TargetGroup.EVERYONE, unit=other, due_days=30),
        AssignmentData(course, TargetGroup.EVERYONE, unit=None, due_days=30),
        AssignmentData(course, TargetGroup.NAMED, people=[stranger], due_days=30),
    ):
        with pytest.raises(RuleViolations):
            create_assignment(data, actor=officer, today=TODAY)
        db.session.rollback()
    learner = make_user(unit=mine)
    with pytest.raises(NotAllowed):
        create_assignment(
            AssignmentData(course, TargetGroup.EVERYONE, unit=mine, due_days=30),
            actor=learner,
            today=TODAY,
        )
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Requirement)) == 0


def test_ending_an_assignment_keeps_what_it_required(make_user, make_course):
    person = make_user()
    course = make_course()
    assign(course, due_days=30)
    assignment = db.session.scalars(select(Requirement)).one().assignment_id
    end_assignment(db.session.get(Assignment, assignment), actor=None, today=TODAY + timedelta(5))
    db.session.commit()
    assert status_of(person, course, TODAY + timedelta(days=2)) == Status.NOT_STARTED
    assert status_of(person, course, TODAY + timedelta(days=6)) is None


def test_the_directive_defaults_are_made_once(make_user, make_course):
    make_course("foundations")
    make_course("state-secrets", audience=Audience.PRIORITY)
    make_course("it-staff", audience=Audience.IT_STAFF)
    make_course("unit-heads", audience=Audience.UNIT_HEADS)
    drafter = make_user(classified=True)
    it = make_user(it_staff=True)
    head = make_user(unit_head=True)
    made = ensure_default_assignments(TODAY)
    db.session.commit()
    assert len(made) == 4
    assert ensure_default_assignments(TODAY) == []
    due = {
        (p, c): d
        for p, c, d in db.session.execute(
            select(Requirement.person_id, Course.slug, Requirement.due_on).join(
                Course, Course.id == Requirement.course_id
            )
        )
    }
    assert due[drafter.id, "state-secrets"] == TODAY + timedelta(days=30)
    assert due[drafter.id, "foundations"] == TODAY + timedelta(days=30)
    assert due[it.id, "foundations"] == TODAY + timedelta(days=90)
    assert due[it.id, "it-staff"] == TODAY + timedelta(days=60)
    assert (it.id, "state-secrets") not in due
    assert due[head.id, "unit-heads"] == TODAY + timedelta(days=60)
    assert due[head.id, "foundations"] == TODAY + timedelta(days=90)
    assert (it.id, "unit-heads") not in due
    assert (drafter.id, "unit-heads") not in due


def test_the_heads_course_is_open_only_to_unit_heads(make_user, make_course):
    course = make_course("unit-heads", audience=Audience.UNIT_HEADS)
    head, clerk = make_user(unit_head=True), make_user()
    assert [c.course.slug for c in courses_for(head, today=TODAY)] == ["unit-heads"]
    assert courses_for(clerk, today=TODAY) == []
    with pytest.raises(RuleViolations, match="không dành cho tất cả"):
        create_assignment(
            AssignmentData(course, TargetGroup.EVERYONE, due_days=30), actor=None, today=TODAY
        )
    db.session.rollback()
    with pytest.raises(RuleViolations, match="không dành cho Nguyễn Văn An"):
        create_assignment(
            AssignmentData(course, TargetGroup.NAMED, people=[clerk], due_days=30),
            actor=None,
            today=TODAY,
        )


def test_editing_a_person_through_the_service_follows_the_unit(make_user, make_unit, make_course):
    first, second = make_unit("A1"), make_unit("B1")
    course = make_course()
    assign(course, unit=second, due_days=10)
    person = make_user(unit=first)
    data = PersonData(username=person.username, full_name=person.full_name, unit=second)
    update_person(person, data, actor=None, today=TODAY)
    db.session.commit()
    assert status_of(person, course) == Status.NOT_STARTED


def test_a_named_person_who_loses_priority_is_no_longer_required_the_priority_course(
    make_user, make_course
):
    drafter = make_user(classified=True)
    secrets = make_course(audience=Audience.PRIORITY)
    create_assignment(
        AssignmentData(secrets, TargetGroup.NAMED, people=[drafter], due_days=30),
        actor=None,
        today=TODAY,
    )
    db.session.commit()
    assert status_of(drafter, secrets) == Status.NOT_STARTED
    later = TODAY + timedelta(days=10)
    set_person_flags(drafter, drafts_classified=False, is_it_staff=False, today=later)
    db.session.commit()
    assert status_of(drafter, secrets, later) is None
    assert status_of(drafter, secrets, TODAY) == Status.NOT_STARTED  # what was required stays


def test_status_counts_agree_with_the_statuses_pair_by_pair(make_user, make_course):
    """The per-course counts (one statement, planned to sort in memory on PostgreSQL) are the
    statuses counted: the benchmark's figure is of the same answer."""
    people = [make_user() for _ in range(6)]
    basics, other = make_course(), make_course()
    assign(basics, due_days=10)
    assign(other, due_days=90)
    complete(people[0], basics, TODAY + timedelta(days=1))
    complete(people[1], basics, TODAY - timedelta(days=400))  # long lapsed by the day counted
    complete(people[2], other, TODAY + timedelta(days=2))
    day = TODAY + timedelta(days=20)  # the basics deadline has passed
    expected: dict[tuple[int, Status], int] = {}
    for pair in statuses(day):
        expected[pair.course_id, pair.status] = expected.get((pair.course_id, pair.status), 0) + 1
    assert status_counts(day, by_course=True) == expected
    assert expected[basics.id, Status.OVERDUE] == 4
    assert expected[basics.id, Status.COMPLETED] == 1
    totals = status_counts(day)
    assert sum(totals.values()) == 12
    assert totals[None, Status.OVERDUE] == 4
