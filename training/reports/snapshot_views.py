"""Frozen snapshots on the web: the list with checksums, freezing a day, every download.

The ICT admin's alone: a snapshot is the province's word to its inspectors, and it holds every
unit's figures."""

from __future__ import annotations

from flask import Response, abort, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _

from training.clock import utcnow
from training.extensions import db
from training.forms import required_text
from training.org.access import current_person, role_required
from training.org.models import Role
from training.reports import snapshots as service
from training.reports.blueprint import bp
from training.reports.columns import Table
from training.reports.models import Snapshot
from training.reports.snapshot_forms import FreezeForm
from training.web import commit_or_show

MIME = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@bp.route("/snapshots", methods=["GET", "POST"])
@role_required(Role.ICT_ADMIN)
def list_snapshots() -> ResponseReturnValue:
    form = FreezeForm()
    if form.validate_on_submit() and form.as_of.data is not None:  # DataRequired: never None
        as_of, title = form.as_of.data, required_text(form.title)
        saved = commit_or_show(
            lambda: service.freeze(as_of, title=title, actor=current_person(), now=utcnow()),
            form=form,
        )
        if saved is not None:
            return redirect(url_for("reports.show_snapshot", snapshot_id=saved.value.id))
    return render_template("reports/snapshots.html", form=form, snapshots=service.snapshots())


def _snapshot_or_404(snapshot_id: int) -> Snapshot:
    snapshot = db.session.get(Snapshot, snapshot_id)
    if snapshot is None:
        abort(404)
    return snapshot


@bp.route("/snapshots/<int:snapshot_id>")
@role_required(Role.ICT_ADMIN)
def show_snapshot(snapshot_id: int) -> ResponseReturnValue:
    snapshot = _snapshot_or_404(snapshot_id)
    frozen = service.read(snapshot)
    return render_template(
        "reports/snapshot.html",
        snapshot=snapshot,
        overview=frozen.overview,
        units=service.records(snapshot, Table.UNIT),
        intact=service.verify(snapshot),
    )


@bp.route("/snapshots/<int:snapshot_id>/<what>.<fmt>")
@role_required(Role.ICT_ADMIN)
def download_snapshot(snapshot_id: int, what: str, fmt: str) -> ResponseReturnValue:
    """`what`: a table (unit, course) in CSV or JSON, or `workbook` in XLSX."""
    snapshot = _snapshot_or_404(snapshot_id)
    table = None if what == "workbook" else _table_or_404(what)
    if fmt not in MIME or (table is None) != (fmt == "xlsx"):
        abort(404)
    if not service.verify(snapshot):
        abort(409, _("The stored figures no longer match their checksum."))
    data = service.render(snapshot, table, fmt, lang=str(get_locale()))
    name = service.file_name(snapshot, table, fmt)
    return Response(
        data,
        mimetype=MIME[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Checksum-SHA256": snapshot.checksum,
        },
    )


def _table_or_404(what: str) -> Table:
    if what not in (t.value for t in service.FROZEN_TABLES):
        abort(404)
    return Table(what)
