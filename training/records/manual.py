"""Completions recorded by hand, and revoking any completion.

An officer records a completion for one of the learners they manage (the same rule as editing
the person: `org.people.may_manage`), the ICT admin for anyone, and only with a written reason
and an evidence reference (the document number of the attendance sheet, the decision, the
outside certificate): a record nobody can justify later is worth nothing in an inspection.
Nothing is ever deleted: a mistaken completion is revoked, with a reason, stops counting
everywhere and its certificate verifies as revoked. Both go to the completion log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import aliased

from training.courses.completions import record_completion
from training.courses.models import (
    Completion,
    CompletionAction,
    CompletionMethod,
    Course,
    ExternalCourse,
)
from training.errors import FieldProblem, NotAllowed, RuleViolation, refuse_if_any
from training.extensions import db
from training.org.models import Person, Role
from training.org.people import Actor, may_manage
from training.org.scope import Scope
from training.records import log
from training.records.actors import actor_id, one_line, paragraph, text_problems

MIN_REASON = 10
MAX_REASON = 2000
MAX_EVIDENCE = 200


def reason_problems(reason: str, field: str = "reason") -> list[FieldProblem]:
    return text_problems(
        field,
        reason,
        limit=MAX_REASON,
        minimum=MIN_REASON,
        missing=_(
            "Write the reason in at least %(num)d characters: it is what an inspection will read.",
            num=MIN_REASON,
        ),
        multiline=True,
    )


def record_manual(
    person: Person,
    course: Course,
    *,
    completed_on: date,
    reason: str,
    evidence: str,
    actor: Actor,
    now: datetime,
    today: date,
) -> Completion:
    """Refused, writing nothing, without a reason of `MIN_REASON` characters and an evidence
    reference, for a future day, or when the person already holds a completion of the course
    that day."""
    if not may_manage(actor, person):
        raise NotAllowed(_("You can record completions only for the learners of your own units."))
    reason, evidence = paragraph(reason), one_line(evidence)
    problems = [
        *reason_problems(reason),
        *text_problems(
            "evidence",
            evidence,
            limit=MAX_EVIDENCE,
            missing=_("Give the evidence: a document number or another reference."),
        ),
    ]
    if completed_on > today:
        problems.append(
            FieldProblem("completed_on", _("A completion cannot be dated in the future."))
        )
    if not course.active:
        problems.append(FieldProblem("course_id", _("This course is no longer offered.")))
    refuse_if_any(problems)
    completion_id = record_completion(
        person_id=person.id,
        course_id=course.id,
        course_hash=course.current_hash,
        validity_months=course.validity_months,
        completed_on=completed_on,
        method=CompletionMethod.MANUAL,
        recorded_by_id=actor_id(actor),
        reason=reason,
        evidence=evidence,
    )
    if completion_id is None:
        raise RuleViolation(
            "completed_on",
            _(
                "%(name)s already has a completion of this course on %(date)s.",
                name=person.full_name,
                date=completed_on.strftime("%d/%m/%Y"),
            ),
        )
    log.append(
        completion_id=completion_id,
        action=CompletionAction.RECORDED,
        method=CompletionMethod.MANUAL,
        actor=actor,
        person_id=person.id,
        course_id=course.id,
        completed_on=completed_on,
        reason=reason,
        evidence=evidence,
        now=now,
    )
    return db.session.get_one(Completion, completion_id)


def may_revoke(actor: Actor, completion: Completion, person: Person) -> bool:
    """Whoever may manage the person may revoke what people recorded for them (manual, in
    person, imported); a quiz passed on the site is the ICT admin's alone to revoke."""
    if not may_manage(actor, person):
        return False
    return (
        completion.method != CompletionMethod.QUIZ or actor is None or actor.role == Role.ICT_ADMIN
    )


def revoke_completion(completion: Completion, *, reason: str, actor: Actor, now: datetime) -> None:
    person = db.session.get_one(Person, completion.person_id)
    if not may_revoke(actor, completion, person):
        raise NotAllowed(_("Only the province's ICT administrators can revoke this completion."))
    if completion.revoked_at is not None:
        raise RuleViolation(None, _("This completion was already revoked."))
    reason = paragraph(reason)
    refuse_if_any(reason_problems(reason))
    completion.revoked_at = now
    completion.revoked_by_id = actor_id(actor)
    log.append(
        completion_id=completion.id,
        action=CompletionAction.REVOKED,
        method=completion.method,
        actor=actor,
        person_id=person.id,
        course_id=completion.course_id,
        completed_on=completion.completed_on,
        reason=reason,
        evidence=completion.evidence,
        now=now,
    )


@dataclass(frozen=True)
class HistoryLine:
    """One completion of a person, as their training records page shows it."""

    completion: Completion
    course: Course
    source: str | None  # the outside platform, for one earned elsewhere
    recorded_by: str | None
    revoked_by: str | None
    can_revoke: bool

    def status(self, today: date) -> str:
        if self.completion.revoked_at is not None:
            return "revoked"
        if self.completion.completed_on <= today <= self.completion.valid_until:
            return "valid"
        return "expired" if self.completion.valid_until < today else "future"


def completions_of(person: Person, *, actor: Actor) -> list[HistoryLine]:
    """Every completion of the person, revoked ones too, newest first: one query."""
    recorder, revoker = aliased(Person, name="recorder"), aliased(Person, name="revoker")
    rows = db.session.execute(
        select(Completion, Course, ExternalCourse.source, recorder.full_name, revoker.full_name)
        .join(Course, Course.id == Completion.course_id)
        .outerjoin(ExternalCourse, ExternalCourse.id == Completion.external_course_id)
        .outerjoin(recorder, recorder.id == Completion.recorded_by_id)
        .outerjoin(revoker, revoker.id == Completion.revoked_by_id)
        .where(Completion.person_id == person.id)
        .order_by(Completion.completed_on.desc(), Completion.id.desc())
    ).all()
    return [
        HistoryLine(
            completion,
            course,
            source,
            recorded_by,
            revoked_by,
            completion.revoked_at is None and may_revoke(actor, completion, person),
        )
        for completion, course, source, recorded_by, revoked_by in rows
    ]


def get_completion_in_scope(scope: Scope, completion_id: int) -> Completion | None:
    """Another unit's completion reads as missing, like a missing one."""
    return db.session.scalar(
        select(Completion)
        .join(Person, Person.id == Completion.person_id)
        .where(Completion.id == completion_id, scope.people())
    )


def active_courses() -> Sequence[Course]:
    return db.session.scalars(
        select(Course).where(Course.active.is_(True)).order_by(Course.position, Course.title_vi)
    ).all()


def find_course(slug: str) -> Course:
    course = db.session.scalar(select(Course).where(Course.slug == slug.strip()))
    if course is None:
        raise RuleViolation("course", _("No course has the name %(slug)s.", slug=slug.strip()))
    return course
