"""Coverage pages: the dashboard with its drill-down, targets, official headcounts and downloads.

Every report goes through `access.filters_for`: the ICT admin sees the province, an officer their
unit's subtree as it stood on the chosen day, and a unit outside it answers 404 like a missing
one, on the page, in the downloads and in the background export alike.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from datetime import date
from typing import Any

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.utils import secure_filename

import training.reports.producers  # noqa: F401 - registers the people export
from training.clock import today_vn, utcnow
from training.courses.models import Course
from training.extensions import db
from training.forms import ConfirmForm, page_number, required_text, select_choices
from training.i18n import dateformat
from training.org.access import (
    MANAGERS,
    current_person,
    get_unit_in_scope_or_404,
    role_required,
)
from training.org.models import Role
from training.org.scope import NoScope
from training.reports import charts, jobs
from training.reports.access import OutOfScope, filters_for
from training.reports.blueprint import bp
from training.reports.columns import Table
from training.reports.coverage import Filters, by_course, by_unit
from training.reports.dashboard import Dashboard, build_dashboard
from training.reports.exports import csv_bytes, json_bytes, summary_workbook
from training.reports.forms import (
    GROUP_LABELS,
    DashboardForm,
    HeadcountForm,
    PeopleExportForm,
    TargetForm,
)
from training.reports.models import TargetGroup
from training.reports.producers import PEOPLE_EXPORT, people_export_params
from training.reports.targets import (
    parse_percent,
    set_headcount,
    set_target,
    target_history,
    targets_in_force,
    withdraw_target,
)
from training.web import commit_or_show

__all__ = ["bp"]

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@bp.app_template_filter("percent")
def percent(value: float | None) -> str:
    """A coverage figure as the reader writes it: "92,5%" in Vietnamese, "92.5%" in English;
    a dash where nothing was required."""
    if value is None or math.isnan(value):
        return "—"
    return f"{format_decimal(value, format='#,##0.0')}%"


def _lang() -> str:
    return str(get_locale())


def _courses() -> Sequence[Course]:
    return db.session.scalars(select(Course).order_by(Course.position, Course.slug)).all()


def _filter_form(source: Any) -> DashboardForm:
    """The page's filters, read from the query string (or the export's form). A course that
    does not exist is a choice WTForms refuses, so the report falls back to all courses."""
    form = DashboardForm(source)
    form.course.choices = select_choices(
        [(0, _("All courses")), *((c.id, c.title(_lang())) for c in _courses())]
    )
    form.validate()
    return form


def _filters(form: DashboardForm, *, or_today: bool = False) -> Filters:
    """`or_today`: the dashboard shows today's figures, and says why, for a unit of the
    reader's that did not stand on the day asked; a download answers 404 instead."""
    day = None if form.as_of.errors else form.as_of.data

    def on(as_of: date) -> Filters:
        return filters_for(
            current_person(),
            as_of=as_of,
            unit_id=None if form.unit.errors else form.unit.data,
            course_id=None if form.course.errors else (form.course.data or None),
            priority_only=bool(form.priority.data),
        )

    try:
        return on(day or today_vn())
    except OutOfScope:
        if not or_today or day is None or day == today_vn():
            abort(404)
    except NoScope:
        abort(403)
    # Another unit's id still answers 404 today, as a missing one would.
    try:
        today = on(today_vn())
    except OutOfScope:
        abort(404)
    flash(
        _(
            "This unit did not exist on %(date)s: the figures are as of today.",
            date=dateformat(day),
        ),
        "info",
    )
    return today


def _query(filters: Filters, *, unit: int | None = None) -> dict[str, Any]:
    """The filters as the query string of a link: the same page (or file) for another unit."""
    args: dict[str, Any] = {"as_of": dateformat(filters.as_of)}
    if filters.course_id:
        args["course"] = filters.course_id
    if filters.priority_only:
        args["priority"] = "y"
    if unit is not None:
        args["unit"] = unit
    return args


def _reader_root() -> int | None:
    reader = current_person()
    return None if reader.role == Role.ICT_ADMIN else reader.unit_id


def _charts(board: Dashboard) -> dict[str, Any]:
    units = [
        charts.UnitValues(line.name, line.coverage_pct, line.priority_coverage_pct)
        for line in board.sub_units
    ]
    targets = board.targets
    return {
        "coverage": charts.coverage_chart(units, target_pct=targets.everyone_pct),
        "priority": charts.priority_chart(
            units, target_pct=targets.everyone_pct, priority_target_pct=targets.priority_pct
        ),
        "months": charts.months_chart([(m.month, m.completions) for m in board.months]),
    }


# --- the dashboard ----------------------------------------------------------------------------


@bp.route("/")
@role_required(*MANAGERS)
def dashboard() -> ResponseReturnValue:
    form = _filter_form(request.args)
    filters = _filters(form, or_today=True)
    board = build_dashboard(
        filters, reader_root_id=_reader_root(), lang=_lang(), page=page_number(request.args)
    )
    if not form.as_of.errors:
        form.as_of.data = filters.as_of  # shown in the box: the day the figures are of
    query = _query(filters)
    here = board.current.id if board.current else None
    return render_template(
        "reports/dashboard.html",
        form=form,
        board=board,
        charts=_charts(board),
        query=query,
        here_query=_query(filters, unit=here),
        export_form=PeopleExportForm(formdata=None),
        headcount_form=HeadcountForm(formdata=None, headcount=board.official_headcount),
        is_admin=current_person().role == Role.ICT_ADMIN,
        lang=_lang(),
    )


# --- downloads --------------------------------------------------------------------------------


@bp.route("/download/<any(unit, course):table>.<any(csv, xlsx, json):fmt>")
@role_required(*MANAGERS)
def download(table: str, fmt: str) -> ResponseReturnValue:
    """The by-unit table counts the whole subtree of the unit shown (every level), the by-course
    table the same people; both as the page's filters say."""
    form = _filter_form(request.args)
    if form.as_of.errors:
        abort(400)
    filters = _filters(form)
    which = Table(table)
    report = by_unit(filters)
    frame = report.table if which is Table.UNIT else by_course(filters, lang=_lang())
    if fmt == "csv":
        body = csv_bytes(frame, which)
    elif fmt == "json":
        body = json_bytes(frame, which)
    else:
        out = io.BytesIO()
        target = targets_in_force().everyone_pct if which is Table.UNIT else None
        summary_workbook(out, report.overview, {which: frame}, lang=_lang(), target_pct=target)
        body = out.getvalue()
    scope = secure_filename(report.overview.scope_code or "") or "province"
    name = f"khien-coverage-{which.value}-{scope}-{filters.as_of.isoformat()}.{fmt}"
    return send_file(
        io.BytesIO(body), mimetype=MEDIA_TYPES[fmt], as_attachment=True, download_name=name
    )


@bp.route("/people-export", methods=["POST"])
@role_required(*MANAGERS)
def start_people_export() -> ResponseReturnValue:
    """Hundreds of thousands of lines take longer than a page may wait: a background job
    writes the file, and its page shows the progress."""
    export = PeopleExportForm()
    filters = _filters(_filter_form(request.form))
    if not export.validate_on_submit():
        flash(_("The export could not be started. Please try again."), "error")
        return redirect(url_for(".dashboard", **_query(filters, unit=filters.unit_id)))
    params = people_export_params(filters, fmt=export.fmt.data or "xlsx")
    job = jobs.start(current_person(), PEOPLE_EXPORT, params)  # commits: a worker needs the row
    return redirect(url_for(".show_job", job_id=job.id))


# --- targets ----------------------------------------------------------------------------------


@bp.route("/targets", methods=["GET", "POST"])
@role_required(Role.ICT_ADMIN)
def targets() -> ResponseReturnValue:
    """Targets are replaced, never edited: the history below the form shows what the province
    aimed at when."""
    form = TargetForm()
    if form.validate_on_submit() and form.due_on.data is not None:  # InputRequired: never None
        group, due_on = TargetGroup(form.group.data), form.due_on.data
        saved = commit_or_show(
            lambda: set_target(
                group,
                parse_percent(required_text(form.percent)),
                due_on,
                actor=current_person(),
                now=utcnow(),
            ),
            form=form,
        )
        if saved is not None:
            flash(
                _(
                    "The target for %(group)s is now %(percent)s by %(date)s.",
                    group=GROUP_LABELS[group],
                    percent=percent(float(saved.value.percent)),
                    date=dateformat(saved.value.due_on),
                ),
                "success",
            )
            return redirect(url_for(".targets"))
    return render_template(
        "reports/targets.html",
        form=form,
        in_force=targets_in_force(),
        history=target_history(),
        group_labels=GROUP_LABELS,
        withdraw_form=ConfirmForm(formdata=None),
    )


@bp.route("/targets/<any(everyone, priority):group>/withdraw", methods=["POST"])
@role_required(Role.ICT_ADMIN)
def withdraw(group: str) -> ResponseReturnValue:
    if ConfirmForm().validate_on_submit():
        which = TargetGroup(group)
        done = commit_or_show(lambda: withdraw_target(which, actor=current_person(), now=utcnow()))
        if done is not None:
            flash(
                _("The target for %(group)s was withdrawn.", group=GROUP_LABELS[which]), "success"
            )
    return redirect(url_for(".targets"))


# --- official headcounts ----------------------------------------------------------------------


@bp.route("/units/<int:unit_id>/headcount", methods=["GET", "POST"])
@role_required(*MANAGERS)
def edit_headcount(unit_id: int) -> ResponseReturnValue:
    """The unit's biên chế, which its roster is measured against; set by whoever manages the
    unit today."""
    unit = get_unit_in_scope_or_404(unit_id)
    form = HeadcountForm(headcount=unit.official_headcount)
    if form.validate_on_submit():
        saved = commit_or_show(lambda: set_headcount(unit, form.headcount.data), form=form)
        if saved is not None:
            flash(_("The official headcount of %(unit)s was saved.", unit=unit.name), "success")
            return redirect(url_for(".dashboard", unit=unit.id))
    return render_template("reports/headcount.html", unit=unit, form=form)


from training.reports import (  # noqa: E402 - the other pages of `bp`, registered last
    annual_views,  # noqa: F401 - registers the yearly report page
    job_views,  # noqa: F401 - registers the job pages
    snapshot_views,  # noqa: F401 - registers the snapshot pages
)
