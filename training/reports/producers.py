"""The background exports of the coverage pages, registered with `jobs` when imported (the
reports views import this module, and the RQ worker builds the app, which imports the views)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.utils import secure_filename

from training.errors import KhienError
from training.extensions import db
from training.org.models import Unit
from training.org.scope import NoScope
from training.reports.access import OutOfScope, filters_for
from training.reports.columns import Table
from training.reports.coverage import Filters, by_unit, people_count, people_rows
from training.reports.exports import csv_chunks, people_workbook
from training.reports.jobs import Progress, register
from training.reports.models import ExportJob

PEOPLE_EXPORT = "people_export"
FORMATS = ("csv", "xlsx")
PROGRESS_EVERY_ROWS = 1000


def people_export_params(filters: Filters, *, fmt: str) -> dict[str, Any]:
    """What the job keeps of the request: plain JSON values."""
    return {
        "as_of": filters.as_of.isoformat(),
        "unit_id": filters.unit_id,
        "course_id": filters.course_id,
        "priority_only": filters.priority_only,
        "format": fmt,
    }


def _counted(rows: Iterable[tuple[Any, ...]], progress: Progress, total: int) -> Iterator[Any]:
    done = 0
    for done, row in enumerate(rows, start=1):
        if done % PROGRESS_EVERY_ROWS == 0:
            progress(done, total)
        yield row
    progress(done, total)


def file_name(filters: Filters, code: str | None, fmt: str) -> str:
    scope = secure_filename(code or "") or "province"
    return f"khien-people-{scope}-{filters.as_of.isoformat()}.{fmt}"


def people_export(job: ExportJob, path: Path, progress: Progress) -> str:
    """The scope is worked out again from the owner as they are now, as the page did when the
    job was asked for: a job cannot carry a unit its owner may no longer see."""
    params = job.params
    fmt = params.get("format")
    if fmt not in FORMATS:
        raise KhienError(_("This export format is not offered."))
    try:
        filters = filters_for(
            job.owner,
            as_of=date.fromisoformat(str(params["as_of"])),
            unit_id=params.get("unit_id"),
            course_id=params.get("course_id"),
            priority_only=bool(params.get("priority_only")),
        )
    except (OutOfScope, NoScope) as err:
        raise KhienError(_("This unit is not in your scope on the report's day.")) from err
    code = None
    if filters.unit_id is not None:
        code = db.session.scalar(select(Unit.code).where(Unit.id == filters.unit_id))
    total = people_count(filters)
    progress(0, total)
    rows = _counted(people_rows(filters), progress, total)
    with path.open("wb") as out:
        if fmt == "csv":
            for chunk in csv_chunks(rows, Table.PEOPLE):
                out.write(chunk)
        else:
            overview = by_unit(filters).overview
            people_workbook(out, rows, overview, lang=str(get_locale()))
    return file_name(filters, code, fmt)


register(PEOPLE_EXPORT, people_export, label=_l("People export"))
