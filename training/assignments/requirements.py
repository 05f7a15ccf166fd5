"""Requirements derived from assignments, by set-based statements.

For each active assignment, `refresh` closes the open requirements of people who no longer fit
its target and opens one for each person who fits it and has none: one UPDATE and one
INSERT … SELECT per assignment, whatever the number of people (assigning a course to the whole
province is one statement). It runs when an assignment is made or ended, and, through the note
the org services leave (`org.changes`), just before any transaction that moved a person, changed
their flags or reshaped the tree is committed, so requirements never lag the organisation.

Deadlines are fixed when a requirement opens: `due_days` (or `priority_due_days` for priority
staff) from the day the person came under the assignment; a fixed `due_on` for everyone who was
under it by then, and the same window as a priority person gets (or `LATE_JOINER_DAYS`) for
someone who joins after that date, so a newcomer is never overdue on their first day.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    delete,
    exists,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.orm import aliased

from training.assignments.models import Assignment, AssignmentPerson, Requirement, TargetGroup
from training.courses.models import Audience
from training.extensions import db
from training.org.changes import Changes, follow_changes
from training.org.models import Person, Unit
from training.org.priority import priority_now

LATE_JOINER_DAYS = 30


def fits(assignment: Assignment) -> ColumnElement[bool]:
    """SQL, correlated to `Person`: the person fits the assignment's target today, and the
    course is open to them: a named person who stops drafting classified documents is no
    longer required to take a course they can no longer open."""
    conditions: list[ColumnElement[bool]] = [Person.active.is_(True)]
    course_audience = assignment.course.audience
    if course_audience == Audience.PRIORITY and assignment.audience != TargetGroup.PRIORITY:
        conditions.append(priority_now())
    elif course_audience == Audience.IT_STAFF and assignment.audience != TargetGroup.IT_STAFF:
        conditions.append(Person.is_it_staff.is_(True))
    elif course_audience == Audience.UNIT_HEADS and assignment.audience != TargetGroup.UNIT_HEADS:
        conditions.append(Person.is_unit_head.is_(True))
    if assignment.audience == TargetGroup.NAMED:
        conditions.append(
            exists().where(
                AssignmentPerson.assignment_id == assignment.id,
                AssignmentPerson.person_id == Person.id,
            )
        )
        return and_(*conditions)
    if assignment.unit is not None:
        own = aliased(Unit)
        conditions.append(
            exists().where(
                own.id == Person.unit_id,
                own.path.startswith(assignment.unit.path, autoescape=True),
            )
        )
    if assignment.audience == TargetGroup.PRIORITY:
        conditions.append(priority_now())
    elif assignment.audience == TargetGroup.IT_STAFF:
        conditions.append(Person.is_it_staff.is_(True))
    elif assignment.audience == TargetGroup.UNIT_HEADS:
        conditions.append(Person.is_unit_head.is_(True))
    return and_(*conditions)


def due_for_newcomers(assignment: Assignment, today: date) -> ColumnElement[date]:
    """SQL, correlated to `Person`: the deadline of a requirement opening today."""
    if assignment.due_on is not None and today <= assignment.due_on:
        return literal(assignment.due_on)
    days = assignment.due_days or assignment.priority_due_days or LATE_JOINER_DAYS
    usual = literal(today + timedelta(days=days))
    if assignment.priority_due_days is None or assignment.priority_due_days >= days:
        return usual
    shorter = literal(today + timedelta(days=assignment.priority_due_days))
    return case((priority_now(), shorter), else_=usual)


def _people_filter(person_ids: Collection[int] | None) -> list[ColumnElement[bool]]:
    return [] if person_ids is None else [Person.id.in_(sorted(person_ids))]


def refresh(
    today: date,
    *,
    assignments: Collection[Assignment] | None = None,
    person_ids: Collection[int] | None = None,
) -> None:
    """Bring the requirements of these assignments (all active ones by default) and these
    people (everyone by default) up to date as of `today`."""
    if person_ids is not None and not person_ids:
        return
    if assignments is None:
        assignments = db.session.scalars(
            select(Assignment).where(Assignment.ended_on.is_(None)).order_by(Assignment.id)
        ).all()
    for assignment in assignments:
        if assignment.ended_on is not None:
            close_all(assignment, assignment.ended_on)
            continue
        _close_misfits(assignment, today, person_ids)
        _open_newcomers(assignment, today, person_ids)


def _still_fits(assignment: Assignment) -> Select[int]:
    return select(Person.id).where(fits(assignment))


def _close_misfits(assignment: Assignment, today: date, person_ids: Collection[int] | None) -> None:
    """A requirement that began today and no longer holds never held for a whole day: it goes,
    so the person can come back under the assignment the same day without a clash."""
    misfit = [
        Requirement.assignment_id == assignment.id,
        Requirement.ended_on.is_(None),
        Requirement.person_id.not_in(_still_fits(assignment)),
    ]
    if person_ids is not None:
        misfit.append(Requirement.person_id.in_(sorted(person_ids)))
    db.session.execute(
        delete(Requirement).where(*misfit, Requirement.starts_on >= today),
        execution_options={"synchronize_session": False},
    )
    db.session.execute(
        update(Requirement).where(*misfit).values(ended_on=today),
        execution_options={"synchronize_session": False},
    )


def _open_newcomers(
    assignment: Assignment, today: date, person_ids: Collection[int] | None
) -> None:
    starts_on = max(today, assignment.starts_on)
    already = exists().where(
        Requirement.assignment_id == assignment.id,
        Requirement.person_id == Person.id,
        Requirement.ended_on.is_(None),
    )
    newcomers = select(
        literal(assignment.id),
        Person.id,
        literal(assignment.course_id),
        literal(starts_on),
        due_for_newcomers(assignment, starts_on),
    ).where(fits(assignment), ~already, *_people_filter(person_ids))
    db.session.execute(
        insert(Requirement).from_select(
            ["assignment_id", "person_id", "course_id", "starts_on", "due_on"], newcomers
        )
    )


def close_all(assignment: Assignment, day: date) -> None:
    """An ended assignment requires nothing from `day` on; what it required before stays."""
    db.session.execute(
        delete(Requirement).where(
            Requirement.assignment_id == assignment.id,
            Requirement.ended_on.is_(None),
            Requirement.starts_on >= day,
        ),
        execution_options={"synchronize_session": False},
    )
    db.session.execute(
        update(Requirement)
        .where(Requirement.assignment_id == assignment.id, Requirement.ended_on.is_(None))
        .values(ended_on=day),
        execution_options={"synchronize_session": False},
    )


@follow_changes
def _follow_the_organisation(changes: Changes) -> None:
    """The org services noted what they changed; the requirements follow before the commit, in
    the same transaction, so a reader never sees a moved person with the old requirements."""
    refresh(changes.today, person_ids=None if changes.tree else changes.people)
