"""Records pages: classroom sessions and attendance, a person's completions with manual records
and revocations, completions earned elsewhere (the mapping and the import), and the log.

Every object in a URL, and every person ticked on a form, is loaded through a scope-aware query:
another unit's ID answers 404 exactly like a missing one; a person in scope whom the actor may
not record for (another officer) answers 403. Imports show a preview first and write only when
the preview is confirmed; the confirmation carries the file back and the service checks it all
again, so the preview never has to be trusted.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

from training.clock import today_vn, utcnow
from training.courses.models import ClassroomSession, CompletionMethod, Course, ExternalCourse
from training.errors import ImportRejected, Problem
from training.extensions import db
from training.forms import ConfirmForm, page_number, required_text, select_choices
from training.org.access import (
    MANAGERS,
    current_person,
    current_scope,
    get_person_in_scope_or_404,
    get_unit_in_scope_or_404,
    role_required,
)
from training.org.links import PERSON_PAGE, Link, add_link
from training.org.models import Person, Role, Unit
from training.org.people import may_manage
from training.org.units import units_under
from training.records import classroom, external, manual
from training.records import log as completion_log
from training.records.forms import (
    AttendeesForm,
    ConfirmImportForm,
    LogFilterForm,
    ManualForm,
    MappingForm,
    RevokeForm,
    SearchForm,
    SessionForm,
    UploadForm,
)
from training.records.imports import import_limits
from training.tables import FILE_LINE
from training.web import commit_or_show

bp = Blueprint("records", __name__, url_prefix="/records", template_folder="templates")

PER_PAGE = 50
T = TypeVar("T")


def _completions_link(person: Person) -> Link:
    return Link(
        _("Completions and manual records"), url_for("records.person_records", person_id=person.id)
    )


@bp.record_once
def _add_to_other_pages(state: BlueprintSetupState) -> None:
    """A link on org's person page, added here so org does not import records."""
    add_link(state.app, PERSON_PAGE, _completions_link)


def _lang() -> str:
    return str(get_locale())


def _unit_choices(units: Sequence[Unit]) -> list[tuple[int, str]]:
    """Indented by depth so the tree reads in a plain <select>."""
    return [(u.id, "\u2003" * max(u.depth, 0) + f"{u.name} ({u.code})") for u in units]


def _course_choices() -> list[tuple[int, str]]:
    lang = _lang()
    return [(c.id, c.title(lang)) for c in manual.active_courses()]


def _course_or_404(course_id: int) -> Course:
    course = db.session.get(Course, course_id)
    if course is None:
        abort(404)
    return course


@bp.route("/")
@role_required(*MANAGERS)
def index() -> ResponseReturnValue:
    return render_template("records/index.html")


# --- classroom sessions -------------------------------------------------------------------------


def _session_or_404(session_id: int) -> ClassroomSession:
    session = classroom.get_session_in_scope(current_scope(), session_id)
    if session is None:
        abort(404)
    return session


@bp.route("/sessions")
@role_required(*MANAGERS)
def list_sessions() -> ResponseReturnValue:
    page = classroom.sessions_in_scope(
        current_scope(), page=page_number(request.args), per_page=PER_PAGE
    )
    return render_template("records/sessions.html", pagination=page, lang=_lang())


@bp.route("/sessions/new", methods=["GET", "POST"])
@role_required(*MANAGERS)
def new_session() -> ResponseReturnValue:
    form = SessionForm()
    form.course_id.choices = select_choices(_course_choices())
    form.unit_id.choices = select_choices(_unit_choices(units_under(current_scope().root)))
    wanted_unit = request.args.get("unit_id", "")
    if request.method == "GET" and wanted_unit.isascii() and wanted_unit.isdigit():
        form.unit_id.data = int(wanted_unit[:9])
    if form.validate_on_submit():
        unit = get_unit_in_scope_or_404(form.unit_id.data)
        course = _course_or_404(form.course_id.data)
        saved = commit_or_show(
            lambda: classroom.create_session(
                classroom.SessionData(
                    course=course,
                    unit=unit,
                    held_on=form.held_on.data or today_vn(),
                    place=required_text(form.place),
                    trainer=required_text(form.trainer),
                    attendance_completes=form.attendance_completes.data,
                ),
                actor=current_person(),
                now=utcnow(),
                today=today_vn(),
            ),
            form=form,
        )
        if saved is not None:
            flash(_("The session was recorded. Now add its attendees."), "success")
            return redirect(url_for(".attendees", session_id=saved.value.id))
    return render_template("records/session_form.html", form=form)


@bp.route("/sessions/<int:session_id>")
@role_required(*MANAGERS)
def show_session(session_id: int) -> ResponseReturnValue:
    session = _session_or_404(session_id)
    return render_template(
        "records/session_show.html",
        session=session,
        course=classroom.session_course(session),
        unit=classroom.session_unit(session),
        attendees=classroom.attendees_of(session),
        upload=UploadForm(prefix="upload"),
        lang=_lang(),
    )


@bp.route("/sessions/<int:session_id>/attendees", methods=["GET", "POST"])
@role_required(*MANAGERS)
def attendees(session_id: int) -> ResponseReturnValue:
    session = _session_or_404(session_id)
    form = AttendeesForm()
    if form.validate_on_submit():
        ids = form.person_ids.data or []
        people = classroom.attendable_people(session, ids, actor=current_person())
        if len(people) != len(set(ids)):
            abort(404)  # someone outside the session's unit, or not the actor's to record
        saved = commit_or_show(
            lambda: classroom.add_attendees(session, people, actor=current_person(), now=utcnow()),
            form=form,
        )
        if saved is not None:
            return _flash_attendance(
                saved.value, redirect(url_for(".show_session", session_id=session.id))
            )
    search = SearchForm(request.args)
    query = (search.q.data or "") if search.validate() else ""
    return render_template(
        "records/attendees.html",
        session=session,
        course=classroom.session_course(session),
        unit=classroom.session_unit(session),
        form=form,
        search=search,
        checklist=classroom.checklist(session, actor=current_person(), search=query),
        lang=_lang(),
    )


def _flash_attendance(
    result: classroom.AttendanceResult, then: ResponseReturnValue
) -> ResponseReturnValue:
    flash(
        ngettext("%(num)d attendee added.", "%(num)d attendees added.", len(result.added))
        + " "
        + ngettext(
            "%(num)d completion recorded.", "%(num)d completions recorded.", result.completions
        ),
        "success",
    )
    return then


@bp.route("/sessions/<int:session_id>/import", methods=["POST"])
@role_required(*MANAGERS)
def import_attendance(session_id: int) -> ResponseReturnValue:
    session = _session_or_404(session_id)
    limits = import_limits(current_app.config)
    actor = current_person()
    return _import_flow(
        plan=lambda data, name: classroom.plan_attendance(
            session, data, filename=name, actor=actor, limits=limits
        ),
        apply=lambda data, name: classroom.import_attendance(
            session, data, filename=name, actor=actor, now=utcnow(), limits=limits
        ),
        done=lambda result: _flash_attendance(
            result, redirect(url_for(".show_session", session_id=session.id))
        ),
        template="records/attendance_preview.html",
        action=url_for(".import_attendance", session_id=session.id),
        back=url_for(".show_session", session_id=session.id),
        session=session,
        course=classroom.session_course(session),
        lang=_lang(),
    )


# --- imports, shared ----------------------------------------------------------------------------


def _encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _decode(text: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        abort(400)


def _import_flow(
    *,
    plan: Callable[[bytes, str], Any],
    apply: Callable[[bytes, str], T],
    done: Callable[[T], ResponseReturnValue],
    template: str,
    action: str,
    back: str,
    **context: Any,
) -> ResponseReturnValue:
    """The first post (an upload) answers with the preview, writing nothing; the second (the
    preview's confirmation) imports all or nothing. A file that went bad in between — a person
    deactivated, a mapping withdrawn — comes back as a preview with its problems."""
    upload = UploadForm(prefix="upload")
    confirm = ConfirmImportForm(prefix="confirm")
    problems: list[Problem] = []
    result_plan: Any = None
    if f"{confirm.payload.name}" in request.form:
        if not confirm.validate_on_submit():
            flash(_("The form was incomplete or has expired; nothing was changed."), "error")
            return redirect(back)
        data, filename = _decode(required_text(confirm.payload)), required_text(confirm.filename)
        try:
            result = apply(data, filename)
        except ImportRejected as err:
            db.session.rollback()
            problems = err.problems
        else:
            db.session.commit()
            return done(result)
    elif upload.validate_on_submit():
        data, filename = upload.file.data.read(), upload.file.data.filename or ""
        try:
            result_plan = plan(data, filename)
        except ImportRejected as err:
            problems = err.problems
        else:
            problems = list(result_plan.problems)
        # A plan writes nothing, and the request ends without a commit.
        confirm = ConfirmImportForm(
            formdata=None, prefix="confirm", payload=_encode(data), filename=filename
        )
    else:
        for messages in upload.errors.values():
            for message in messages:
                flash(message, "error")
        return redirect(back)
    return render_template(
        template,
        plan=result_plan,
        problems=problems,
        file_line=FILE_LINE,
        confirm=confirm,
        action=action,
        back=back,
        **context,
    )


# --- a person's completions: manual records and revocations -----------------------------------


@bp.route("/people/<int:person_id>", methods=["GET", "POST"])
@role_required(*MANAGERS)
def person_records(person_id: int) -> ResponseReturnValue:
    person = get_person_in_scope_or_404(person_id)
    actor = current_person()
    form = ManualForm()
    form.course_id.choices = select_choices(_course_choices())
    if form.validate_on_submit():
        course = _course_or_404(form.course_id.data)
        saved = commit_or_show(
            lambda: manual.record_manual(
                person,
                course,
                completed_on=form.completed_on.data or today_vn(),
                reason=required_text(form.reason),
                evidence=required_text(form.evidence),
                actor=actor,
                now=utcnow(),
                today=today_vn(),
            ),
            form=form,
        )
        if saved is not None:
            flash(_("The completion was recorded, marked as manual."), "success")
            return redirect(url_for(".person_records", person_id=person.id))
    return render_template(
        "records/person.html",
        person=person,
        lines=manual.completions_of(person, actor=actor),
        form=form,
        can_record=may_manage(actor, person),
        today=today_vn(),
        lang=_lang(),
    )


@bp.route("/completions/<int:completion_id>/revoke", methods=["GET", "POST"])
@role_required(*MANAGERS)
def revoke(completion_id: int) -> ResponseReturnValue:
    completion = manual.get_completion_in_scope(current_scope(), completion_id)
    if completion is None:
        abort(404)
    person = get_person_in_scope_or_404(completion.person_id)
    if not manual.may_revoke(current_person(), completion, person):
        abort(403)
    form = RevokeForm()
    if form.validate_on_submit():
        saved = commit_or_show(
            lambda: manual.revoke_completion(
                completion, reason=required_text(form.reason), actor=current_person(), now=utcnow()
            ),
            form=form,
        )
        if saved is not None:
            flash(_("The completion was revoked; it no longer counts."), "success")
            return redirect(url_for(".person_records", person_id=person.id))
    return render_template(
        "records/revoke.html",
        completion=completion,
        course=db.session.get_one(Course, completion.course_id),
        person=person,
        form=form,
        lang=_lang(),
    )


# --- the log ------------------------------------------------------------------------------------


def _log_filter() -> tuple[LogFilterForm, completion_log.LogFilter, dict[str, str]]:
    form = LogFilterForm(request.args)
    units = units_under(None)
    form.unit_id.choices = select_choices([(0, _("All units")), *_unit_choices(units)])
    filters = completion_log.LogFilter()
    if form.validate():
        filters = completion_log.LogFilter(
            unit=next((u for u in units if u.id == form.unit_id.data), None),
            since=form.since.data,
            until=form.until.data,
            method=CompletionMethod(form.method.data) if form.method.data else None,
        )
    kept = {k: v for k, v in request.args.items() if k in form._fields}
    return form, filters, kept


@bp.route("/log")
@role_required(Role.ICT_ADMIN)
def read_log() -> ResponseReturnValue:
    form, filters, kept = _log_filter()
    page = completion_log.read_log(
        filters, actor=current_person(), page=page_number(request.args), per_page=PER_PAGE
    )
    return render_template(
        "records/log.html", form=form, pagination=page, pager_args=kept, lang=_lang()
    )


@bp.route("/log.csv")
@role_required(Role.ICT_ADMIN)
def export_log() -> ResponseReturnValue:
    _form, filters, _kept = _log_filter()
    lines = completion_log.log_lines(filters, actor=current_person())
    body = completion_log.log_csv(lines, lang=_lang())
    name = f"completion-log-{today_vn():%d-%m-%Y}.csv"
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# --- completions earned elsewhere ---------------------------------------------------------------


def _mapping_or_404(mapping_id: int) -> ExternalCourse:
    mapping = external.get_mapping(mapping_id)
    if mapping is None:
        abort(404)
    return mapping


def _mapping_data(form: MappingForm) -> external.MappingData:
    return external.MappingData(
        source=required_text(form.source),
        title=required_text(form.title),
        course=_course_or_404(form.course_id.data),
        note=form.note.data,
    )


@bp.route("/external/courses", methods=["GET", "POST"])
@role_required(Role.ICT_ADMIN)
def mappings() -> ResponseReturnValue:
    form = MappingForm()
    form.course_id.choices = select_choices(_course_choices())
    if form.validate_on_submit():
        saved = commit_or_show(
            lambda: external.add_mapping(_mapping_data(form), actor=current_person()), form=form
        )
        if saved is not None:
            flash(_("The outside course was mapped."), "success")
            return redirect(url_for(".mappings"))
    return render_template(
        "records/mappings.html",
        rows=external.mappings(actor=current_person()),
        form=form,
        confirm=ConfirmForm(),
        lang=_lang(),
    )


@bp.route("/external/courses/<int:mapping_id>/edit", methods=["GET", "POST"])
@role_required(Role.ICT_ADMIN)
def edit_mapping(mapping_id: int) -> ResponseReturnValue:
    mapping = _mapping_or_404(mapping_id)
    form = MappingForm(obj=mapping)
    form.course_id.choices = select_choices(_course_choices())
    if form.validate_on_submit() and commit_or_show(
        lambda: external.update_mapping(mapping, _mapping_data(form), actor=current_person()),
        form=form,
    ):
        flash(_("The changes were saved."), "success")
        return redirect(url_for(".mappings"))
    return render_template("records/mapping_form.html", form=form, mapping=mapping)


@bp.route("/external/courses/<int:mapping_id>/<any(activate, deactivate):action>", methods=["POST"])
@role_required(Role.ICT_ADMIN)
def set_mapping_active(mapping_id: int, action: str) -> ResponseReturnValue:
    mapping = _mapping_or_404(mapping_id)
    if ConfirmForm().validate_on_submit() and commit_or_show(
        lambda: external.set_mapping_active(mapping, action == "activate", actor=current_person())
    ):
        flash(_("The changes were saved."), "success")
    return redirect(url_for(".mappings"))


@bp.route("/external/import", methods=["GET", "POST"])
@role_required(*MANAGERS)
def import_external() -> ResponseReturnValue:
    if request.method == "GET":
        return render_template("records/external_import.html", upload=UploadForm(prefix="upload"))
    limits = import_limits(current_app.config)
    actor = current_person()

    def done(result: external.ExternalResult) -> ResponseReturnValue:
        flash(
            ngettext(
                "%(num)d completion recorded.", "%(num)d completions recorded.", result.recorded
            )
            + " "
            + ngettext(
                "%(num)d was already recorded.", "%(num)d were already recorded.", result.already
            ),
            "success",
        )
        return redirect(url_for(".import_external"))

    return _import_flow(
        plan=lambda data, name: external.plan_external_import(
            data, filename=name, actor=actor, today=today_vn(), limits=limits
        ),
        apply=lambda data, name: external.import_external(
            data, filename=name, actor=actor, now=utcnow(), today=today_vn(), limits=limits
        ),
        done=done,
        template="records/external_preview.html",
        action=url_for(".import_external"),
        back=url_for(".import_external"),
        lang=_lang(),
    )
