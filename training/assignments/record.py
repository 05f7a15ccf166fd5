"""A person's training record, as their officer sees it: what is required of them and how they
stand today, every requirement they were ever under, every completion however it was earned,
every quiz attempt, and the reminders they were sent.

A read model for one page: six queries whatever the length of the history, nothing written.
Completions are shown revoked or not (a revoked one says so: the certificate code still answers
"revoked"); only the statuses count what is in force.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import aliased, joinedload

from training.assignments.models import Assignment, Reminder, Requirement
from training.assignments.status import PairStatus, statuses
from training.assignments.wording import describe_deadline, describe_target
from training.courses.completions import method_label
from training.courses.models import Completion, Course, ExternalCourse
from training.extensions import db
from training.org.models import Person
from training.quizzes.models import Attempt, AttemptResult, AttemptStatus, attempt_status


@dataclass(frozen=True)
class Standing:
    """One course required of the person today."""

    course: Course
    pair: PairStatus
    reminded_today: bool


@dataclass(frozen=True)
class RequirementLine:
    course: Course
    target: str
    deadline_rule: str
    clause: str | None
    starts_on: date
    ended_on: date | None
    due_on: date


@dataclass(frozen=True)
class CompletionLine:
    course: Course
    completed_on: date
    valid_until: date
    method: str
    code: str
    reason: str | None
    evidence: str | None
    revoked: bool

    def in_force_on(self, day: date) -> bool:
        return not self.revoked and self.completed_on <= day <= self.valid_until


@dataclass(frozen=True)
class AttemptLine:
    course: Course
    started_at: datetime
    status: AttemptStatus
    score: int | None
    passed: bool | None


@dataclass(frozen=True)
class ReminderLine:
    course: Course
    sent_on: date
    sent_by: str | None  # None: the daily job


@dataclass(frozen=True)
class TrainingRecord:
    person: Person
    today: date
    standings: list[Standing]
    requirements: list[RequirementLine]
    completions: list[CompletionLine]
    attempts: list[AttemptLine]
    reminders: list[ReminderLine]


def _requirements(person: Person) -> list[tuple[Requirement, Assignment, Course]]:
    return [
        (requirement, assignment, course)
        for requirement, assignment, course in db.session.execute(
            select(Requirement, Assignment, Course)
            .join(Assignment, Assignment.id == Requirement.assignment_id)
            .join(Course, Course.id == Requirement.course_id)
            .options(joinedload(Assignment.unit))
            .where(Requirement.person_id == person.id)
            .order_by(Requirement.starts_on.desc(), Course.position, Requirement.id)
        ).unique()
    ]


def _completions(person: Person) -> list[CompletionLine]:
    rows = db.session.execute(
        select(Completion, Course, ExternalCourse.source)
        .join(Course, Course.id == Completion.course_id)
        .outerjoin(ExternalCourse, ExternalCourse.id == Completion.external_course_id)
        .where(Completion.person_id == person.id)
        .order_by(Completion.completed_on.desc(), Completion.id.desc())
    )
    return [
        CompletionLine(
            course,
            completion.completed_on,
            completion.valid_until,
            method_label(completion.method, source),
            completion.code,
            completion.reason,
            completion.evidence,
            completion.revoked_at is not None,
        )
        for completion, course, source in rows
    ]


def _attempts(person: Person, now: datetime) -> list[AttemptLine]:
    """Only the columns a line shows: a whole attempt carries its frozen questions (JSON)."""
    rows = db.session.execute(
        select(
            Course,
            Attempt.started_at,
            Attempt.deadline_at,
            Attempt.expired_at,
            AttemptResult.score,
            AttemptResult.passed,
        )
        .join(Course, Course.id == Attempt.course_id)
        .outerjoin(AttemptResult, AttemptResult.attempt_id == Attempt.id)
        .where(Attempt.person_id == person.id)
        .order_by(Attempt.started_at.desc(), Attempt.id.desc())
    )
    return [
        AttemptLine(
            course,
            started_at,
            attempt_status(
                graded=score is not None, expired_at=expired_at, deadline_at=deadline_at, now=now
            ),
            score,
            passed,
        )
        for course, started_at, deadline_at, expired_at, score, passed in rows
    ]


def _reminders(person: Person) -> list[ReminderLine]:
    sender = aliased(Person)
    rows = db.session.execute(
        select(Course, Reminder.sent_on, sender.full_name)
        .join(Course, Course.id == Reminder.course_id)
        .outerjoin(sender, sender.id == Reminder.sent_by_id)
        .where(Reminder.person_id == person.id)
        .order_by(Reminder.sent_on.desc(), Reminder.id.desc())
    )
    return [ReminderLine(course, sent_on, sent_by) for course, sent_on, sent_by in rows]


def training_record(person: Person, *, today: date, now: datetime) -> TrainingRecord:
    found = _requirements(person)
    courses = {course.id: course for _r, _a, course in found}
    pairs = statuses(today, select(Person.id).where(Person.id == person.id))
    reminders = _reminders(person)
    reminded = {line.course.id for line in reminders if line.sent_on == today}
    standings = sorted(
        (Standing(courses[p.course_id], p, p.course_id in reminded) for p in pairs),
        key=lambda s: (not s.pair.status.needs_action, s.pair.due_on, s.course.position),
    )
    lines = [
        RequirementLine(
            course,
            describe_target(assignment),
            describe_deadline(assignment),
            assignment.clause,
            requirement.starts_on,
            requirement.ended_on,
            requirement.due_on,
        )
        for requirement, assignment, course in found
    ]
    return TrainingRecord(
        person,
        today,
        standings,
        lines,
        _completions(person),
        _attempts(person, now),
        reminders,
    )
