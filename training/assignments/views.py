"""Assignment pages: the list, a new assignment (also the grid's "assign to the selected"),
ending one, the windows of the directive's defaults; the officer's status grid; a person's
training record with "send a reminder now".

Every object in a URL is loaded through a scope-aware getter (404 outside the scope), and every
id in a form is checked against the scope again, by the form's choices or by the service.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

import training.assignments.requirements  # noqa: F401 - registers the follow-the-org hook
from training.assignments import services
from training.assignments.forms import (
    DEADLINE_DATE,
    TARGET_NAMED,
    TARGET_PROVINCE,
    TARGET_UNIT,
    AssignmentForm,
    DeadlinesForm,
    StatusFilterForm,
)
from training.assignments.grid import GridFilter, status_grid
from training.assignments.learner import card_deadlines
from training.assignments.listing import assignment_rows, required_today
from training.assignments.models import Assignment, TargetGroup
from training.assignments.record import training_record
from training.assignments.reminders import send_reminder_now
from training.assignments.status import Status
from training.assignments.wording import describe_deadline, describe_target
from training.clock import today_vn, utcnow
from training.courses.deadlines import add_deadline_source
from training.courses.models import Course
from training.extensions import db
from training.forms import ConfirmForm, page_number, select_choices
from training.org.access import (
    MANAGERS,
    current_person,
    current_scope,
    get_person_in_scope_or_404,
    role_required,
)
from training.org.links import PEOPLE_LIST, PERSON_PAGE, Link, add_link
from training.org.models import Person, Role, Unit
from training.org.units import units_under
from training.web import commit_or_show

bp = Blueprint("assignments", __name__, template_folder="templates")

GRID_PER_PAGE = 50


def _training_link(person: Person) -> Link:
    return Link(_("Training history"), url_for("assignments.show_training", person_id=person.id))


def _grid_link() -> Link:
    return Link(_("Training status"), url_for("assignments.show_status_grid"))


@bp.record_once
def _add_to_other_pages(state: BlueprintSetupState) -> None:
    """Deadlines on the learner's course cards, links on org's people pages: added here so
    neither courses nor org imports assignments."""
    add_deadline_source(state.app, card_deadlines())
    add_link(state.app, PERSON_PAGE, _training_link)
    add_link(state.app, PEOPLE_LIST, _grid_link)


def _lang() -> str:
    return str(get_locale())


def _status_labels() -> dict[str, str]:
    """Translated once per page, not once per cell of the grid."""
    return {status.value: status.label for status in Status}


def _unit_choices(units: Sequence[Unit]) -> list[tuple[int, str]]:
    """Indented by depth so the tree reads in a plain <select>."""
    return [(u.id, "\u2003" * max(u.depth, 0) + f"{u.name} ({u.code})") for u in units]


def _active_courses() -> Sequence[Course]:
    return db.session.scalars(
        select(Course).where(Course.active.is_(True)).order_by(Course.position, Course.slug)
    ).all()


def _assignment_or_404(assignment_id: int) -> Assignment:
    assignment = services.get_assignment_in_scope(current_scope(), assignment_id)
    if assignment is None:
        abort(404)
    return assignment


# --- the list ---------------------------------------------------------------------------------


@bp.route("/assignments/")
@role_required(*MANAGERS)
def list_assignments() -> ResponseReturnValue:
    rows = assignment_rows(current_scope(), actor=current_person(), today=today_vn())
    return render_template(
        "assignments/list.html",
        active=[row for row in rows if row.assignment.is_active],
        ended=[row for row in rows if not row.assignment.is_active],
        lang=_lang(),
    )


# --- a new assignment -------------------------------------------------------------------------


def _person_ids() -> list[int]:
    """The people named so far: ticked boxes of the form, or the grid's selection (GET)."""
    source = request.form if request.method == "POST" else request.args
    return sorted({i for i in source.getlist("person_id", type=int) if i > 0})[:500]


def _assignment_data(
    form: AssignmentForm, course: Course, units: Sequence[Unit], people: Sequence[Person]
) -> services.AssignmentData:
    """The unit comes from the scope's own list, which the form's choices were made from."""
    target = form.target.data
    unit = None
    if target == TARGET_UNIT:
        unit = next(u for u in units if u.id == form.unit_id.data)
    by_date = form.deadline.data == DEADLINE_DATE
    return services.AssignmentData(
        course=course,
        audience=TargetGroup.NAMED if target == TARGET_NAMED else TargetGroup(form.audience.data),
        unit=unit,
        due_on=form.due_on.data if by_date else None,
        due_days=None if by_date else form.due_days.data,
        priority_due_days=form.priority_due_days.data,
        people=people,
    )


@bp.route("/assignments/new", methods=["GET", "POST"])
@role_required(*MANAGERS)
def new_assignment() -> ResponseReturnValue:
    """One form for every target. Naming people works without script: "Search" posts the
    form back with the boxes ticked so far and shows the matches to tick; the grid's
    selection arrives as `?person_id=…`."""
    actor, scope = current_person(), current_scope()
    form = AssignmentForm()
    courses = {c.id: c for c in _active_courses()}
    units = units_under(scope.root)
    form.course_id.choices = select_choices(
        [(0, _("Choose a course…")), *((c.id, c.title(_lang())) for c in courses.values())]
    )
    form.unit_id.choices = select_choices([(0, _("Choose a unit…")), *_unit_choices(units)])
    targets = [TARGET_UNIT, TARGET_NAMED]
    if actor.role == Role.ICT_ADMIN:
        targets.insert(1, TARGET_PROVINCE)
    form.set_targets(targets)
    ids = _person_ids()
    chosen, found = services.pick_people(scope, ids=ids, query=form.q.data or "")
    if request.method == "GET" and ids:
        form.target.data = TARGET_NAMED
    if form.is_submitted() and not form.find.data and form.validate():
        if form.target.data == TARGET_NAMED and len(chosen) < len(ids):
            form.form_errors.append(_("You can only assign people of your own units."))
        else:
            data = _assignment_data(form, courses[form.course_id.data], units, chosen)
            saved = commit_or_show(
                lambda: services.create_assignment(data, actor=actor, today=today_vn()), form=form
            )
            if saved is not None:
                flash(
                    _(
                        "%(course)s was assigned: %(target)s.",
                        course=saved.value.course.title(_lang()),
                        target=describe_target(saved.value, named=len(chosen)),
                    ),
                    "success",
                )
                return redirect(url_for(".list_assignments"))
    return render_template(
        "assignments/new.html", form=form, chosen=chosen, found=found, searched=bool(form.q.data)
    )


# --- ending one, changing the windows -----------------------------------------------------------


@bp.route("/assignments/<int:assignment_id>/end", methods=["GET", "POST"])
@role_required(*MANAGERS)
def end_assignment(assignment_id: int) -> ResponseReturnValue:
    """Asks first, naming how many people it requires today; the post carries it out."""
    assignment = _assignment_or_404(assignment_id)
    actor = current_person()
    if not services.may_change(actor, assignment) or not assignment.is_active:
        abort(403)
    form = ConfirmForm()
    if form.validate_on_submit():
        ended = commit_or_show(
            lambda: services.end_assignment(assignment, actor=actor, today=today_vn())
        )
        if ended is not None:
            flash(
                _(
                    "The assignment of %(course)s has ended.",
                    course=assignment.course.title(_lang()),
                ),
                "success",
            )
        return redirect(url_for(".list_assignments"))
    return render_template(
        "assignments/end_confirm.html",
        assignment=assignment,
        target=describe_target(assignment),
        deadline=describe_deadline(assignment),
        required=required_today(assignment, today_vn()),
        form=form,
        lang=_lang(),
    )


@bp.route("/assignments/<int:assignment_id>/deadlines", methods=["GET", "POST"])
@role_required(*MANAGERS)
def edit_deadlines(assignment_id: int) -> ResponseReturnValue:
    assignment = _assignment_or_404(assignment_id)
    actor = current_person()
    if not services.may_change(actor, assignment) or not assignment.is_active:
        abort(403)
    form = DeadlinesForm(obj=assignment)
    if form.validate_on_submit():
        saved = commit_or_show(
            lambda: services.change_deadlines(
                assignment,
                due_days=form.due_days.data,
                priority_due_days=form.priority_due_days.data,
                actor=actor,
                today=today_vn(),
            ),
            form=form,
        )
        if saved is not None:
            flash(_("The new windows were saved."), "success")
            return redirect(url_for(".list_assignments"))
    return render_template(
        "assignments/deadlines.html",
        assignment=assignment,
        target=describe_target(assignment),
        deadline=describe_deadline(assignment),
        form=form,
        lang=_lang(),
    )


# --- the status grid --------------------------------------------------------------------------


@bp.route("/assignments/status")
@role_required(*MANAGERS)
def show_status_grid() -> ResponseReturnValue:
    scope = current_scope()
    form = StatusFilterForm(request.args)
    units = units_under(scope.root)
    courses = _active_courses()
    form.unit_id.choices = select_choices([(0, _("All my units")), *_unit_choices(units)])
    form.course_id.choices = select_choices(
        [(0, _("All courses")), *((c.id, c.title(_lang())) for c in courses)]
    )
    filters, day = GridFilter(), today_vn()
    if form.validate():
        filters = GridFilter(
            unit=next((u for u in units if u.id == form.unit_id.data), None),
            course_id=form.course_id.data or None,
            status=Status(form.status.data) if form.status.data else None,
            priority_only=form.priority.data,
            overdue_only=form.overdue.data,
        )
        day = form.on.data or day
    grid = status_grid(
        scope, filters, day=day, page=page_number(request.args), per_page=GRID_PER_PAGE
    )
    pager_args = {k: v for k, v in request.args.items() if k in form._fields}
    return render_template(
        "assignments/status_grid.html",
        form=form,
        grid=grid,
        today=today_vn(),
        unit=filters.unit or scope.root,
        pager_args=pager_args,
        status_labels=_status_labels(),
        lang=_lang(),
    )


# --- a person's training record ---------------------------------------------------------------


@bp.route("/people/<int:person_id>/training")
@role_required(*MANAGERS)
def show_training(person_id: int) -> ResponseReturnValue:
    person = get_person_in_scope_or_404(person_id)
    return render_template(
        "assignments/person_training.html",
        record=training_record(person, today=today_vn(), now=utcnow()),
        form=ConfirmForm(),
        status_labels=_status_labels(),
        lang=_lang(),
    )


@bp.route("/people/<int:person_id>/training/<int:course_id>/remind", methods=["POST"])
@role_required(*MANAGERS)
def remind(person_id: int, course_id: int) -> ResponseReturnValue:
    person = get_person_in_scope_or_404(person_id)
    course = db.session.get(Course, course_id)
    if course is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        sent = commit_or_show(
            lambda: send_reminder_now(person, course, actor=current_person(), today=today_vn())
        )
        if sent is not None and sent.value:
            flash(_("A reminder was sent to %(name)s.", name=person.full_name), "success")
        elif sent is not None:
            flash(_("%(name)s was already reminded of this course today.", name=person.full_name))
    return redirect(url_for(".show_training", person_id=person.id))
