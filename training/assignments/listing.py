"""The officer's list of assignments, each with how many people it requires today and how they
stand: three queries for the whole list (the assignments, the counts, and what the officer may
end), however many assignments and people there are.

The counts are of the viewer's own people: a province-wide default shows an officer how their
units are doing, the ICT admin how the province is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, or_, select

from training.assignments.models import Assignment, AssignmentPerson, Requirement
from training.assignments.services import assignments_for, changeable
from training.assignments.status import Status, status_statement
from training.assignments.wording import describe_deadline, describe_target
from training.extensions import db
from training.org.models import Person
from training.org.people import Actor
from training.org.scope import Scope

DONE = (Status.COMPLETED.value, Status.EXPIRING.value)


@dataclass(frozen=True)
class AssignmentRow:
    assignment: Assignment
    target: str
    deadline: str
    required: int  # people of the scope it requires today
    done: int  # of them, holding a completion in force
    overdue: int
    can_change: bool

    @property
    def is_default(self) -> bool:
        return self.assignment.default_key is not None


def _named_counts(ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = db.session.execute(
        select(AssignmentPerson.assignment_id, func.count())
        .where(AssignmentPerson.assignment_id.in_(ids))
        .group_by(AssignmentPerson.assignment_id)
    )
    return {assignment_id: int(n) for assignment_id, n in rows}


def _standing(scope: Scope, today: date) -> dict[int, tuple[int, int, int]]:
    """assignment → (required, done, overdue) among the scope's people today, in one GROUP BY:
    each requirement holding today joined to the status of its (person, course) pair. A pair is
    done whichever assignment it was done for; overdue counts those past this assignment's
    own deadline with no completion in force."""
    people = None if scope.root is None else select(Person.id).where(scope.people())
    pairs = status_statement(today, people).subquery("pairs")
    # late by this assignment's own deadline: another one's earlier deadline is not its doing
    late = pairs.c.status.not_in(DONE) & (Requirement.due_on < today)
    holding = (
        select(
            Requirement.assignment_id,
            func.count(),
            func.sum(case((pairs.c.status.in_(DONE), 1), else_=0)),
            func.sum(case((late, 1), else_=0)),
        )
        .join(
            pairs,
            (pairs.c.person_id == Requirement.person_id)
            & (pairs.c.course_id == Requirement.course_id),
        )
        .where(
            Requirement.starts_on <= today,
            or_(Requirement.ended_on.is_(None), Requirement.ended_on > today),
        )
        .group_by(Requirement.assignment_id)
    )
    return {
        assignment_id: (int(n), int(done or 0), int(overdue or 0))
        for assignment_id, n, done, overdue in db.session.execute(holding)
    }


def assignment_rows(scope: Scope, *, actor: Actor, today: date) -> list[AssignmentRow]:
    assignments = assignments_for(scope)
    standing = _standing(scope, today)
    named = _named_counts([a.id for a in assignments if a.unit_id is None])
    may = changeable(actor, assignments)
    return [
        AssignmentRow(
            a,
            describe_target(a, named=named.get(a.id, 0)),
            describe_deadline(a),
            *standing.get(a.id, (0, 0, 0)),
            can_change=a.id in may and a.is_active,
        )
        for a in assignments
    ]


def required_today(assignment: Assignment, today: date) -> int:
    """How many people the assignment requires today, whoever's scope they are in: ending it
    ends all of them."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Requirement)
            .where(
                Requirement.assignment_id == assignment.id,
                Requirement.starts_on <= today,
                or_(Requirement.ended_on.is_(None), Requirement.ended_on > today),
            )
        )
        or 0
    )
