"""Making, changing and ending assignments, within the actor's scope.

An officer assigns within their own subtree (a unit of it, or named people of it); only the
ICT admin assigns to the whole province and changes the directive's defaults. The rule is here,
not in the form's choices: a forged unit or person id is refused the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, or_, select, true
from sqlalchemy.orm import contains_eager, joinedload

from training.assignments.models import Assignment, AssignmentPerson, TargetGroup
from training.assignments.requirements import close_all, refresh
from training.courses.models import Audience, Course
from training.courses.services import audience_fits
from training.errors import FieldProblem, NotAllowed, refuse_if_any
from training.extensions import db
from training.org.models import Person, Role, Unit
from training.org.people import Actor, PeopleFilter, people_query
from training.org.scope import Scope, scope_of

MAX_DAYS = 730


@dataclass
class AssignmentData:
    course: Course
    audience: TargetGroup
    unit: Unit | None = None  # None: the whole province
    due_on: date | None = None
    due_days: int | None = None
    priority_due_days: int | None = None
    people: Sequence[Person] = field(default_factory=list)  # for TargetGroup.NAMED


def _scope(actor: Actor) -> Scope:
    if actor is None:
        return Scope(root=None)
    if actor.role == Role.LEARNER:
        raise NotAllowed(_("Only unit officers and the province's ICT administrators assign."))
    return scope_of(actor)


def check_assignment(data: AssignmentData, *, actor: Actor, today: date) -> list[FieldProblem]:
    """Every problem of the request at once, the scope's first."""
    scope = _scope(actor)
    problems = []
    if not data.course.active:
        problems.append(FieldProblem("course", _("This course is no longer offered.")))
    problems.extend(_audience_problems(data))
    if data.audience == TargetGroup.NAMED:
        if not data.people:
            problems.append(FieldProblem("people", _("Name at least one person.")))
        elif any(not p.active or not scope.contains(p.unit) for p in data.people):
            problems.append(
                FieldProblem("people", _("You can only assign people of your own units."))
            )
    elif data.unit is None:
        if scope.root is not None:
            problems.append(
                FieldProblem(
                    "unit", _("Only the province's ICT administrators assign province-wide.")
                )
            )
    elif not data.unit.is_active:
        problems.append(FieldProblem("unit", _("Unit %(code)s is retired.", code=data.unit.code)))
    elif not scope.contains(data.unit):
        problems.append(FieldProblem("unit", _("You can only assign within your own units.")))
    problems.extend(_deadline_problems(data, today))
    return problems


# The target groups whose people can open a course of each audience: a course the learner
# cannot open (`courses.services.audience_fits`) would be required of them for ever.
_GROUPS_FOR = {
    Audience.ALL: set(TargetGroup),
    Audience.PRIORITY: {TargetGroup.PRIORITY, TargetGroup.NAMED},
    Audience.IT_STAFF: {TargetGroup.IT_STAFF, TargetGroup.NAMED},
    Audience.UNIT_HEADS: {TargetGroup.UNIT_HEADS, TargetGroup.NAMED},
}


def _audience_problems(data: AssignmentData) -> list[FieldProblem]:
    """A priority course only for priority staff, the IT course only for IT staff: anyone else
    would find the course closed to them (404) and stay overdue."""
    if data.audience not in _GROUPS_FOR[data.course.audience]:
        return [FieldProblem("audience", _("This course is not open to everyone in that group."))]
    if data.audience == TargetGroup.NAMED:
        closed = [p.full_name for p in data.people if not audience_fits(data.course.audience, p)]
        if closed:
            return [
                FieldProblem(
                    "people",
                    _("This course is not open to %(names)s.", names=", ".join(closed)),
                )
            ]
    return []


def _deadline_problems(data: AssignmentData, today: date) -> list[FieldProblem]:
    problems = []
    if (data.due_on is None) == (data.due_days is None):
        problems.append(
            FieldProblem(None, _("Give either a due date or a number of days, not both."))
        )
    if data.due_on is not None and data.due_on < today:
        problems.append(FieldProblem("due_on", _("The due date cannot be in the past.")))
    for name, days in (("due_days", data.due_days), ("priority_due_days", data.priority_due_days)):
        if days is not None and not 1 <= days <= MAX_DAYS:
            problems.append(FieldProblem(name, _("Between 1 and %(max)d days.", max=MAX_DAYS)))
    if (
        data.priority_due_days is not None
        and data.due_days is not None
        and data.priority_due_days > data.due_days
    ):
        problems.append(
            FieldProblem(
                "priority_due_days",
                _("Priority staff get a shorter window than everyone else, not a longer one."),
            )
        )
    return problems


def create_assignment(data: AssignmentData, *, actor: Actor, today: date) -> Assignment:
    """Made and applied at once: everyone it targets today is required from today, in one
    statement; people who come under it later are added as they come."""
    refuse_if_any(check_assignment(data, actor=actor, today=today))
    assignment = Assignment(
        course=data.course,
        unit=None if data.audience == TargetGroup.NAMED else data.unit,
        audience=data.audience,
        due_on=data.due_on,
        due_days=data.due_days,
        priority_due_days=data.priority_due_days,
        starts_on=today,
        created_by=actor,
    )
    db.session.add(assignment)
    db.session.flush()
    if data.audience == TargetGroup.NAMED:
        db.session.add_all(
            AssignmentPerson(assignment_id=assignment.id, person_id=p.id) for p in data.people
        )
        db.session.flush()
    refresh(today, assignments=[assignment])
    return assignment


def may_change(actor: Actor, assignment: Assignment) -> bool:
    """Officers change what they made within their subtree; province-wide assignments and the
    directive's defaults are the ICT admin's."""
    return assignment.id in changeable(actor, [assignment])


def changeable(actor: Actor, assignments: Sequence[Assignment]) -> set[int]:
    """The ids of those the actor may change or end, for a whole list in one query at most:
    a named assignment is an officer's only while every person it names is in their scope."""
    if actor is None or actor.role == Role.ICT_ADMIN:
        return {a.id for a in assignments}
    if actor.role != Role.UNIT_OFFICER:
        return set()
    scope = scope_of(actor)
    mine = [a for a in assignments if a.default_key is None]
    named = [a.id for a in mine if a.unit is None and a.audience == TargetGroup.NAMED]
    outside = set()
    if named:
        outside = set(
            db.session.scalars(
                select(AssignmentPerson.assignment_id)
                .join(Person, Person.id == AssignmentPerson.person_id)
                .join(Unit, Unit.id == Person.unit_id)
                .where(AssignmentPerson.assignment_id.in_(named), ~scope.units())
                .distinct()
            )
        )
    return {
        a.id
        for a in mine
        if (a.id in named and a.id not in outside)
        or (a.unit is not None and scope.contains(a.unit))
    }


def _require_may_change(actor: Actor, assignment: Assignment) -> None:
    if not may_change(actor, assignment):
        raise NotAllowed(_("You cannot change this assignment."))


def change_deadlines(
    assignment: Assignment,
    *,
    due_days: int | None,
    priority_due_days: int | None,
    actor: Actor,
    today: date,
) -> None:
    """New windows apply to requirements opened from now on; deadlines already given stay as
    they were announced."""
    _require_may_change(actor, assignment)
    data = AssignmentData(
        course=assignment.course,
        audience=assignment.audience,
        due_on=assignment.due_on,
        due_days=due_days if assignment.due_on is None else None,
        priority_due_days=priority_due_days,
    )
    refuse_if_any(_deadline_problems(data, today))
    assignment.due_days = data.due_days
    assignment.priority_due_days = priority_due_days


def end_assignment(assignment: Assignment, *, actor: Actor, today: date) -> None:
    """Withdrawn from today; what it required until now stays in everyone's history."""
    _require_may_change(actor, assignment)
    if assignment.ended_on is None:
        assignment.ended_on = today
        close_all(assignment, today)


def _visible(scope: Scope) -> ColumnElement[bool]:
    """What applies within the scope: its own units' assignments, named ones made by its
    officers, and the province-wide ones above it. SQL over `Assignment` and its outer-joined
    `Unit`."""
    if scope.root is None:
        return true()
    return or_(
        Assignment.unit_id.is_(None) & (Assignment.audience != TargetGroup.NAMED),
        scope.units(),
        Assignment.created_by_id.in_(select(Person.id).where(scope.people())),
    )


def _in_scope(scope: Scope) -> Select[Assignment]:
    return (
        select(Assignment)
        .outerjoin(Unit, Unit.id == Assignment.unit_id)
        .options(joinedload(Assignment.course), contains_eager(Assignment.unit))
        .where(_visible(scope))
    )


def assignments_for(scope: Scope) -> list[Assignment]:
    """What applies within the scope, the active first."""
    return list(
        db.session.scalars(
            _in_scope(scope).order_by(Assignment.ended_on.is_not(None), Assignment.id.desc())
        ).unique()
    )


def get_assignment_in_scope(scope: Scope, assignment_id: int) -> Assignment | None:
    """One query; out of scope reads as missing, so a forged id answers 404."""
    return db.session.scalars(_in_scope(scope).where(Assignment.id == assignment_id)).first()


MAX_FOUND = 30


def pick_people(
    scope: Scope, *, ids: Sequence[int], query: str = ""
) -> tuple[list[Person], list[Person]]:
    """For naming people: those of `ids` who are active people of the scope (a forged id is
    simply not among them, which the caller reports), and up to `MAX_FOUND` others whose name,
    username, employee ID or e-mail matches the search."""
    chosen: list[Person] = []
    if ids:
        chosen = list(
            db.session.scalars(people_query(scope, PeopleFilter()).where(Person.id.in_(ids)))
        )
    found: list[Person] = []
    if query:
        found = list(
            db.session.scalars(
                people_query(scope, PeopleFilter(query=query))
                .where(Person.id.not_in([p.id for p in chosen]))
                .limit(MAX_FOUND)
            )
        )
    return chosen, found
