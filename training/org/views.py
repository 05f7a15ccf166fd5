"""People and unit pages. Every object in a URL is loaded through a scope-aware getter."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext

from training.clock import today_vn
from training.errors import RuleViolation
from training.extensions import db
from training.forms import ConfirmForm, KhienForm, page_number, required_text, select_choices
from training.org import people as people_services
from training.org import units as unit_services
from training.org.access import (
    MANAGERS,
    current_person,
    current_scope,
    get_person_in_scope_or_404,
    get_unit_in_scope_or_404,
    role_required,
)
from training.org.event_text import history_lines
from training.org.forms import (
    EVENT_LABELS,
    KIND_LABELS,
    ROLE_LABELS,
    KeyDepartmentForm,
    MergeUnitForm,
    MoveUnitForm,
    PeopleFilterForm,
    PersonForm,
    RenameUnitForm,
    UnitForm,
)
from training.org.links import PEOPLE_LIST, PERSON_PAGE, links
from training.org.models import Person, Role, Unit, UnitKind
from training.org.people import PeopleFilter, PersonData
from training.org.scope import assignable_roles
from training.org.summary import unit_rows
from training.web import commit_or_show

bp = Blueprint("org", __name__, template_folder="templates")


@bp.app_template_filter("role_label")
def role_label(role: Role) -> str:
    return str(ROLE_LABELS[Role(role)])


@bp.app_template_filter("kind_label")
def kind_label(kind: UnitKind) -> str:
    return str(KIND_LABELS[UnitKind(kind)])


def _unit_choices(units: Sequence[Unit]) -> list[tuple[int, str]]:
    """Indented by depth so the tree reads in a plain <select>."""
    return [(u.id, "\u2003" * max(u.depth, 0) + f"{u.name} ({u.code})") for u in units]


def _scope_units() -> Sequence[Unit]:
    return unit_services.units_under(current_scope().root)


# --- people -----------------------------------------------------------------------------------


@bp.route("/people")
@role_required(*MANAGERS)
def list_people() -> ResponseReturnValue:
    form = PeopleFilterForm(request.args)
    units = _scope_units()
    form.unit_id.choices = select_choices([(0, _("All units in my scope")), *_unit_choices(units)])
    form.role.choices = select_choices(
        [("", _("Any role")), *[(r.value, ROLE_LABELS[r]) for r in Role]]
    )
    filters = PeopleFilter()
    if form.validate():
        filters = PeopleFilter(
            query=form.q.data or "",
            unit=next((u for u in units if u.id == form.unit_id.data), None),
            priority=form.priority.data,
            drafts_classified=form.drafts_classified.data,
            it_staff=form.it_staff.data,
            role=Role(form.role.data) if form.role.data else None,
            status=form.status.data or "active",
        )
    pagination = people_services.search_people(
        current_scope(),
        filters,
        page=page_number(request.args),
        per_page=current_app.config["PEOPLE_PER_PAGE"],
    )
    pager_args = {k: v for k, v in request.args.items() if k in form._fields}
    return render_template(
        "org/people_list.html",
        form=form,
        pagination=pagination,
        pager_args=pager_args,
        links=links(current_app, PEOPLE_LIST),
    )


def _person_form(person: Person | None) -> PersonForm:
    form = PersonForm(obj=person)
    form.unit_id.choices = select_choices(_unit_choices(_scope_units()))
    roles = assignable_roles(current_person())
    if person is not None and person.role not in roles:
        roles = (person.role,)  # an officer may edit a record but not change a manager's role
    form.role.choices = select_choices([(r.value, ROLE_LABELS[r]) for r in roles])
    if person is not None and request.method == "GET":
        form.role.data = person.role.value
    return form


def _person_data(form: PersonForm) -> PersonData:
    unit = get_unit_in_scope_or_404(form.unit_id.data)
    return PersonData(
        username=required_text(form.username),
        full_name=required_text(form.full_name),
        unit=unit,
        email=form.email.data,
        employee_id=form.employee_id.data,
        position=form.position.data,
        role=Role(form.role.data),
        drafts_classified=form.drafts_classified.data,
        is_it_staff=form.is_it_staff.data,
        is_unit_head=form.is_unit_head.data,
    )


@bp.route("/people/new", methods=["GET", "POST"])
@role_required(*MANAGERS)
def new_person() -> ResponseReturnValue:
    form = _person_form(None)
    if request.method == "GET" and (unit_id := request.args.get("unit_id", type=int)):
        form.unit_id.data = unit_id
    if form.validate_on_submit():
        saved = commit_or_show(
            lambda: people_services.create_person(
                _person_data(form),
                actor=current_person(),
                password=form.password.data or None,
                today=today_vn(),
            ),
            form=form,
        )
        if saved is not None:
            flash(_("%(name)s was added.", name=saved.value.full_name), "success")
            return redirect(url_for(".show_person", person_id=saved.value.id))
    return render_template("org/person_form.html", form=form, person=None)


@bp.route("/people/<int:person_id>")
@role_required(*MANAGERS)
def show_person(person_id: int) -> ResponseReturnValue:
    person = get_person_in_scope_or_404(person_id)
    return render_template(
        "org/person_show.html",
        person=person,
        confirm=ConfirmForm(),
        can_manage=people_services.may_manage(current_person(), person),
        memberships=people_services.membership_history(person),
        flags=people_services.flag_history(person),
        links=links(current_app, PERSON_PAGE, person=person),
    )


@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
@role_required(*MANAGERS)
def edit_person(person_id: int) -> ResponseReturnValue:
    person = get_person_in_scope_or_404(person_id)
    people_services.require_may_manage(current_person(), person)
    form = _person_form(person)

    def save() -> None:
        people_services.update_person(
            person, _person_data(form), actor=current_person(), today=today_vn()
        )
        if form.password.data:
            people_services.set_password(person, form.password.data, actor=current_person())

    if form.validate_on_submit() and commit_or_show(save, form=form) is not None:
        flash(_("The changes were saved."), "success")
        return redirect(url_for(".show_person", person_id=person.id))
    return render_template("org/person_form.html", form=form, person=person)


@bp.route("/people/<int:person_id>/deactivate", methods=["POST"])
@role_required(*MANAGERS)
def deactivate_person(person_id: int) -> ResponseReturnValue:
    person = get_person_in_scope_or_404(person_id)
    if ConfirmForm().validate_on_submit() and commit_or_show(
        lambda: people_services.deactivate_person(person, actor=current_person())
    ):
        flash(_("%(name)s can no longer sign in.", name=person.full_name), "success")
    return redirect(url_for(".show_person", person_id=person.id))


@bp.route("/people/<int:person_id>/reactivate", methods=["POST"])
@role_required(*MANAGERS)
def reactivate_person(person_id: int) -> ResponseReturnValue:
    person = get_person_in_scope_or_404(person_id)
    if ConfirmForm().validate_on_submit() and commit_or_show(
        lambda: people_services.reactivate_person(person, actor=current_person())
    ):
        flash(_("%(name)s can sign in again.", name=person.full_name), "success")
    return redirect(url_for(".show_person", person_id=person.id))


# --- units ------------------------------------------------------------------------------------


@bp.route("/units")
@role_required(*MANAGERS)
def list_units() -> ResponseReturnValue:
    """Retired and merged units are history, not structure: shown only when asked for."""
    show_retired = request.args.get("retired") == "1"
    return render_template(
        "org/unit_tree.html",
        rows=unit_rows(current_scope(), include_retired=show_retired),
        show_retired=show_retired,
    )


@bp.route("/units/new", methods=["GET", "POST"])
@role_required(Role.ICT_ADMIN)
def new_unit() -> ResponseReturnValue:
    form = UnitForm()
    form.parent_id.choices = select_choices(
        [(0, _("None (a top-level unit)")), *_unit_choices(_scope_units())]
    )
    if request.method == "GET" and (parent_id := request.args.get("parent_id", type=int)):
        form.parent_id.data = parent_id
    if form.validate_on_submit():
        parent = get_unit_in_scope_or_404(form.parent_id.data) if form.parent_id.data else None
        saved = commit_or_show(
            lambda: unit_services.add_unit(
                required_text(form.code),
                required_text(form.name),
                kind=UnitKind(form.kind.data),
                parent=parent,
                is_key_department=form.is_key_department.data,
                today=today_vn(),
            ),
            form=form,
        )
        if saved is not None:
            flash(_("Unit %(code)s was added.", code=saved.value.code), "success")
            return redirect(url_for(".show_unit", unit_id=saved.value.id))
    return render_template("org/unit_new.html", form=form)


def _unit_forms(unit: Unit) -> dict[str, Any]:
    others = [u for u in _scope_units() if not unit_services.is_in_subtree(u, unit)]
    move, merge = MoveUnitForm(prefix="move"), MergeUnitForm(prefix="merge")
    move.parent_id.choices = select_choices(_unit_choices(others))
    merge.into_id.choices = select_choices(_unit_choices(others))
    return {
        "rename_form": RenameUnitForm(prefix="rename", obj=unit),
        "move_form": move,
        "merge_form": merge,
        "key_form": KeyDepartmentForm(prefix="key", obj=unit),
        "confirm": ConfirmForm(),
    }


@bp.route("/units/<int:unit_id>")
@role_required(*MANAGERS)
def show_unit(unit_id: int) -> ResponseReturnValue:
    unit = get_unit_in_scope_or_404(unit_id)
    return render_template(
        "org/unit_show.html",
        unit=unit,
        history=history_lines(unit_services.unit_history(unit)),
        children=unit_services.active_children(unit),
        event_labels=EVENT_LABELS,
        **_unit_forms(unit),
    )


def _apply(unit: Unit, action: str) -> ResponseReturnValue:
    """Run one structural change posted from the unit page; errors go back as a flash."""
    forms = _unit_forms(unit)
    form = forms[_FORM_OF_ACTION[action]]
    if not form.validate_on_submit():
        _flash_form_errors(form)
        return redirect(url_for(".show_unit", unit_id=unit.id))
    if action == "merge":
        try:
            return _merge(unit, forms["merge_form"], today_vn())
        except RuleViolation as err:
            db.session.rollback()
            flash(err.message, "error")
            return redirect(url_for(".show_unit", unit_id=unit.id))
    if commit_or_show(_unit_change(unit, action, forms, today_vn())) is not None:
        flash(_("The changes were saved."), "success")
    return redirect(url_for(".show_unit", unit_id=unit.id))


def _unit_change(unit: Unit, action: str, forms: dict[str, Any], today: date) -> Callable[[], None]:
    if action == "rename":
        return lambda: unit_services.rename_unit(unit, forms["rename_form"].name.data, today=today)
    if action == "move":
        move = forms["move_form"]
        parent = get_unit_in_scope_or_404(move.parent_id.data)
        return lambda: unit_services.move_unit(unit, parent, today=move.effective_on.data or today)
    if action == "retire":
        return lambda: unit_services.retire_unit(unit, today=today)
    key = forms["key_form"].is_key_department.data
    return lambda: unit_services.set_key_department(unit, key, today=today)


_FORM_OF_ACTION = {
    "rename": "rename_form",
    "move": "move_form",
    "merge": "merge_form",
    "retire": "confirm",
    "key": "key_form",
}


def _flash_form_errors(form: KhienForm) -> None:
    """The unit page's forms come back as a redirect, so their errors travel as flashes; a
    missing or stale CSRF token reads as an expired form."""
    errors = [
        f"{field.label.text}: {message}"
        for field in form
        if field.type != "CSRFTokenField"
        for message in field.errors
    ]
    for message in errors or [_("The form was incomplete or has expired; nothing was changed.")]:
        flash(message, "error")


def _merge(unit: Unit, form: MergeUnitForm, today: date) -> ResponseReturnValue:
    """A merger moves people and retires a unit, so it takes two posts: the first answers with
    what will happen (both units, the date, how many people move) and asks to confirm; only a
    post carrying that head-count, still true, carries it out."""
    into = get_unit_in_scope_or_404(form.into_id.data)
    plan = unit_services.plan_merge(unit, into, today=form.effective_on.data or today)
    if form.confirmed_people.data != plan.people:
        confirm = MergeUnitForm(formdata=None, prefix="merge", confirmed_people=plan.people)
        return render_template(
            "org/unit_merge_confirm.html",
            plan=plan,
            form=confirm,
            changed=form.confirmed_people.data is not None,
        )
    moved = unit_services.merge_unit(unit, into, today=plan.effective_on)
    db.session.commit()
    when = plan.effective_on.strftime("%d/%m/%Y")
    if moved:
        message = ngettext(
            "%(code)s was merged into %(into)s on %(date)s; %(num)d person moved.",
            "%(code)s was merged into %(into)s on %(date)s; %(num)d people moved.",
            moved,
            code=unit.code,
            into=into.code,
            date=when,
        )
    else:
        message = _(
            "%(code)s was merged into %(into)s on %(date)s.",
            code=unit.code,
            into=into.code,
            date=when,
        )
    flash(message, "success")
    return redirect(url_for(".show_unit", unit_id=into.id))


@bp.route("/units/<int:unit_id>/<any(rename, move, merge, retire):action>", methods=["POST"])
@role_required(Role.ICT_ADMIN)
def change_unit(unit_id: int, action: str) -> ResponseReturnValue:
    return _apply(get_unit_in_scope_or_404(unit_id), action)


@bp.route("/units/<int:unit_id>/key", methods=["POST"])
@role_required(*MANAGERS)
def set_key_department(unit_id: int) -> ResponseReturnValue:
    """IT officers flag their own key departments (D2); structure stays with the admins."""
    return _apply(get_unit_in_scope_or_404(unit_id), "key")
