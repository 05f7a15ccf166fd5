"""Roster pages: upload, preview, import, and the first sign-in slips.

Upload and import are two posts. The first reads the file and answers with the plan and every
problem; it keeps the file on the server (`uploads`). The second names that upload and the plan
the officer saw: the plan is made again from the stored file, and carried out only if it is the
same (the staff list did not change meanwhile) and has no problem. Both are scoped: the unit
chosen comes through the scope-aware getter, and every row's unit is checked by the services.
"""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.datastructures import FileStorage

from training.auth.models import TokenKind
from training.auth.tokens import issue_codes
from training.clock import today_vn, utcnow
from training.errors import ImportRejected
from training.extensions import db
from training.forms import select_choices
from training.mail import mail_configured
from training.org.access import (
    MANAGERS,
    current_person,
    current_scope,
    get_unit_in_scope_or_404,
    role_required,
)
from training.org.links import PEOPLE_LIST, Link, add_link
from training.org.models import Unit
from training.org.units import units_under
from training.rosters import uploads
from training.rosters.forms import CodesForm, ConfirmImportForm, UploadRosterForm
from training.rosters.services import (
    COLUMN_HELP,
    COLUMNS,
    FIELD_LABELS,
    ImportPlan,
    apply_plan,
    plan_file,
)
from training.rosters.slips import Slip, awaiting_first_sign_in, sign_in_address, slips_of
from training.tables import TableLimits, limits_from_config

bp = Blueprint("rosters", __name__, url_prefix="/rosters", template_folder="templates")

DOCS = Path(__file__).resolve().parent.parent.parent / "docs"
TEMPLATES = {"csv": "roster-template.csv", "xlsx": "roster-template.xlsx"}
SESSION_KEY = "roster_uploads"


def _import_link() -> Link:
    return Link(_("Import a staff list"), url_for("rosters.upload"))


@bp.record_once
def _add_links(state: BlueprintSetupState) -> None:
    add_link(state.app, PEOPLE_LIST, _import_link)


def _limits() -> TableLimits:
    return limits_from_config(current_app.config, "ROSTER")


def _upload_folder() -> str:
    return str(
        current_app.config.get("ROSTER_UPLOAD_FOLDER")
        or Path(current_app.instance_path) / "roster-uploads"
    )


def _max_age() -> float:
    return float(current_app.config["ROSTER_UPLOAD_MINUTES"]) * 60


def _unit_choices() -> list[tuple[int, str]]:
    units = units_under(current_scope().root)
    return [(u.id, "\u2003" * max(u.depth, 0) + f"{u.name} ({u.code})") for u in units]


def _upload_form() -> UploadRosterForm:
    form = UploadRosterForm()
    form.unit_id.choices = select_choices(
        [(0, _("Only the units named in the list")), *_unit_choices()]
    )
    if request.method == "GET":
        root = current_scope().root
        form.unit_id.data = root.id if root is not None else 0
    return form


def _page(form: UploadRosterForm, **context: object) -> str:
    limits = _limits()
    return render_template(
        "rosters/upload.html",
        form=form,
        codes_form=_codes_form(),
        columns=COLUMNS,
        column_help=COLUMN_HELP,
        limits=limits,
        max_megabytes=f"{limits.max_bytes / (1024 * 1024):g}",
        **context,
    )


def _codes_form() -> CodesForm:
    form = CodesForm(prefix="codes")
    form.unit_id.choices = select_choices(_unit_choices())
    return form


def _chosen_unit(unit_id: int | None) -> Unit | None:
    return get_unit_in_scope_or_404(unit_id) if unit_id else None


def _read_and_plan(data: bytes, options: uploads.UploadOptions) -> ImportPlan | ImportRejected:
    try:
        return plan_file(
            data,
            filename=options.filename,
            limits=_limits(),
            encoding=options.encoding,
            sheet=options.sheet,
            actor=current_person(),
            default_unit=_chosen_unit(options.unit_id),
            deactivate_missing=options.deactivate_missing,
            today=today_vn(),
        )
    except ImportRejected as err:
        return err


def _remember(upload_id: str) -> None:
    """The uploads of this session; a confirmation from another session is refused."""
    kept = [u for u in session.get(SESSION_KEY, []) if isinstance(u, str)][-4:]
    session[SESSION_KEY] = [*kept, upload_id]


def _preview(
    plan_or_error: ImportPlan | ImportRejected,
    options: uploads.UploadOptions,
    *,
    upload_id: str | None,
    changed: bool = False,
) -> str:
    if isinstance(plan_or_error, ImportPlan):
        plan, problems = plan_or_error, plan_or_error.problems
    else:
        plan, problems = None, plan_or_error.problems
    confirm = None
    if plan is not None and not problems and not plan.nothing_to_do and upload_id:
        confirm = ConfirmImportForm(
            formdata=None, upload_id=upload_id, fingerprint=plan.fingerprint()
        )
    return render_template(
        "rosters/preview.html",
        plan=plan,
        problems=problems,
        options=options,
        confirm=confirm,
        changed=changed,
        field_labels=FIELD_LABELS,
        mail_on=mail_configured(),
    )


@bp.route("/import", methods=["GET", "POST"])
@role_required(*MANAGERS)
def upload() -> ResponseReturnValue:
    form = _upload_form()
    if not form.validate_on_submit():
        return _page(form)
    unit = _chosen_unit(form.unit_id.data)
    file: FileStorage = form.file.data
    data = file.stream.read(_limits().max_bytes + 1)
    options = uploads.UploadOptions(
        filename=Path(file.filename or "").name,
        unit_id=unit.id if unit is not None else None,
        deactivate_missing=bool(form.deactivate_missing.data),
        encoding=form.encoding.data or None,
        sheet=form.sheet.data or None,
    )
    plan = _read_and_plan(data, options)
    upload_id = None
    if isinstance(plan, ImportPlan) and not plan.problems and not plan.nothing_to_do:
        upload_id = uploads.store(
            data,
            folder=_upload_folder(),
            owner_id=current_person().id,
            options=options,
            max_age=_max_age(),
        )
        _remember(upload_id)
    page = _preview(plan, options, upload_id=upload_id)
    db.session.rollback()  # a preview writes nothing; rendered first, from the loaded rows
    return page


@bp.route("/import/confirm", methods=["POST"])
@role_required(*MANAGERS)
def confirm() -> ResponseReturnValue:
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    upload_id = form.upload_id.data or ""
    stored = (
        uploads.load(
            upload_id,
            folder=_upload_folder(),
            owner_id=current_person().id,
            max_age=_max_age(),
        )
        if upload_id in session.get(SESSION_KEY, [])
        else None
    )
    if stored is None:
        flash(
            _("This preview has expired or belongs to another session: upload the list again."),
            "error",
        )
        return _page(_upload_form()), 409
    plan = _read_and_plan(stored.data, stored.options)
    if not isinstance(plan, ImportPlan) or plan.problems:
        page = _preview(plan, stored.options, upload_id=None)
        db.session.rollback()
        return page, 409
    if plan.fingerprint() != form.fingerprint.data:
        page = _preview(plan, stored.options, upload_id=upload_id, changed=True)
        db.session.rollback()
        return page, 409
    person = current_person()
    try:
        result = apply_plan(
            plan, actor=person, today=today_vn(), now=utcnow(), links=mail_configured()
        )
    except ImportRejected as err:
        db.session.rollback()
        return _preview(err, stored.options, upload_id=None), 409
    slips = slips_of(result.tokens)  # plain values: the page reads no row after the commit
    emailed = sorted(t.person.full_name for t in result.tokens if t.kind == TokenKind.LINK)
    counts = {
        "created": len(result.created),
        "updated": result.updated,
        "moved": result.moved,
        "deactivated": result.deactivated,
    }
    db.session.commit()
    uploads.discard(upload_id, folder=_upload_folder())
    session[SESSION_KEY] = [u for u in session.get(SESSION_KEY, []) if u != upload_id]
    flash(
        ngettext(
            "The list was imported: %(num)d person added.",
            "The list was imported: %(num)d people added.",
            counts["created"],
        ),
        "success",
    )
    return _slips_page(slips, counts=counts, emailed=emailed)


def _slips_page(slips: list[Slip], **context: object) -> str:
    return render_template("rosters/slips.html", slips=slips, address=sign_in_address(), **context)


@bp.route("/codes", methods=["POST"])
@role_required(*MANAGERS)
def codes() -> ResponseReturnValue:
    """New codes, printed, for the people of a unit who have not signed in yet."""
    form = _codes_form()
    if not form.validate_on_submit():
        abort(400)
    unit = get_unit_in_scope_or_404(form.unit_id.data)
    person = current_person()
    people = awaiting_first_sign_in(
        actor=person, under=unit, include_email=bool(form.include_email.data)
    )
    if not people:
        flash(_("Everyone in %(unit)s has signed in already.", unit=unit.name), "info")
        return _page(_upload_form())
    slips = slips_of(issue_codes(people, actor=person, now=utcnow()))
    db.session.commit()
    return _slips_page(slips, counts=None, emailed=[])


@bp.route("/template.<any(csv, xlsx):kind>")
@role_required(*MANAGERS)
def template(kind: str) -> ResponseReturnValue:
    return send_file(DOCS / TEMPLATES[kind], as_attachment=True, download_name=TEMPLATES[kind])
