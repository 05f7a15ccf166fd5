"""The directive's default assignments, made by `init` (and `seed-demo`) for every course loaded.

Directive 288/CT-UBND asks every agency to train all its staff (D2), priority staff first (D2:
those in key departments and those who draft secret documents), and its IT staff in running and
securing its systems (D4); the all-staff courses teach the working rules of D3. The windows are
the province's choice, editable by the ICT admin: 90 days for everyone, 30 for priority staff,
60 for the IT track and for the heads of units' course (D1, D4, D5: what a head directs,
provides and checks). Each default is made once (`default_key`, unique), so running `init`
again, or after the admin changed a window, changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from training.assignments.models import Assignment, TargetGroup
from training.assignments.requirements import refresh
from training.courses.models import Audience, Course
from training.extensions import db

EVERYONE_DAYS = 90
PRIORITY_DAYS = 30
IT_STAFF_DAYS = 60
UNIT_HEAD_DAYS = 60


@dataclass(frozen=True)
class DefaultRule:
    group: TargetGroup
    due_days: int
    priority_due_days: int | None
    clause: str


RULES = {
    Audience.ALL: DefaultRule(TargetGroup.EVERYONE, EVERYONE_DAYS, PRIORITY_DAYS, "D2, D3"),
    Audience.PRIORITY: DefaultRule(TargetGroup.PRIORITY, PRIORITY_DAYS, None, "D2"),
    Audience.IT_STAFF: DefaultRule(TargetGroup.IT_STAFF, IT_STAFF_DAYS, None, "D4"),
    Audience.UNIT_HEADS: DefaultRule(TargetGroup.UNIT_HEADS, UNIT_HEAD_DAYS, None, "D1, D4, D5"),
}


def default_key(course: Course) -> str:
    return f"default:{course.slug}"


def ensure_default_assignments(today: date) -> list[Assignment]:
    """The defaults missing for the active courses, made and applied; the ones made."""
    courses = db.session.scalars(
        select(Course).where(Course.active.is_(True)).order_by(Course.position, Course.slug)
    ).all()
    existing = set(
        db.session.scalars(
            select(Assignment.default_key).where(Assignment.default_key.is_not(None))
        )
    )
    made = []
    for course in courses:
        if default_key(course) in existing:
            continue
        rule = RULES[course.audience]
        assignment = Assignment(
            course=course,
            unit=None,
            audience=rule.group,
            due_days=rule.due_days,
            priority_due_days=rule.priority_due_days,
            starts_on=today,
            default_key=default_key(course),
            clause=rule.clause,
        )
        db.session.add(assignment)
        made.append(assignment)
    db.session.flush()
    refresh(today, assignments=made)
    return made
