"""Frozen snapshots: the coverage of one day, kept as it was for the yearly inspection (D5.2).

A snapshot stores its figures, not a query: people move, units merge and completions are revoked
after it was taken, and the inspectors must get the numbers the province reported. The unit and
course tables and the overview are written once as canonical JSON (sorted keys, no spaces),
its SHA-256 is the snapshot's checksum, and every download is rendered from that text alone, so
the same snapshot gives the same bytes in every format on any later day.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd
from flask_babel import gettext as _
from sqlalchemy import select

from training.clock import VN_TZ
from training.errors import RuleViolation
from training.extensions import db
from training.org.models import Person, Role
from training.reports.columns import Table, names
from training.reports.coverage import Filters, by_course, by_unit
from training.reports.exports import csv_bytes, json_bytes, summary_workbook
from training.reports.models import Snapshot
from training.reports.overview import Overview
from training.reports.targets import below_target, targets_in_force

FORMAT_VERSION = 1
FROZEN_TABLES = (Table.UNIT, Table.COURSE)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-ready rows: NaN (an empty percentage or parent) becomes null."""
    rows: list[dict[str, Any]] = []
    for row in frame.to_dict(orient="records"):
        rows.append(
            {
                str(key): None
                if value is None or (isinstance(value, float) and math.isnan(value))
                else value.item()
                if hasattr(value, "item")
                else value
                for key, value in row.items()
            }
        )
    return rows


def _canonical(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def freeze(
    as_of: date,
    *,
    title: str,
    actor: Person | None,
    now: datetime,
    unit_id: int | None = None,
) -> Snapshot:
    """Compute the day's coverage and store it for good. Only the ICT admin freezes (or the
    console, `actor` None): a snapshot is the province's word to its inspectors."""
    if actor is not None and actor.role != Role.ICT_ADMIN:
        raise RuleViolation(None, _("Only the province's ICT administrators freeze snapshots."))
    title = " ".join(title.split())
    if not title:
        raise RuleViolation("title", _("Give the snapshot a title, e.g. the inspection it is for."))
    if as_of > now.astimezone(VN_TZ).date():
        raise RuleViolation("as_of", _("A snapshot is of a day that has begun, not of the future."))
    filters = Filters(as_of, unit_id)
    report = by_unit(filters)
    courses = by_course(filters, lang="vi")
    targets = targets_in_force()
    overview = asdict(report.overview)
    overview.update(
        as_of=as_of.isoformat(),
        generated_at=now.isoformat(),
        units_below_target=int(below_target(report.table, targets).sum()),
        checksum=None,
    )
    payload = {
        "format": FORMAT_VERSION,
        "title": title,
        "as_of": as_of.isoformat(),
        "target_pct": targets.everyone_pct,
        "overview": overview,
        "tables": {
            Table.UNIT.value: _records(report.table),
            Table.COURSE.value: _records(courses),
        },
    }
    data = _canonical(payload)
    snapshot = Snapshot(
        as_of=as_of,
        title=title,
        unit_id=unit_id,
        data=data,
        checksum=hashlib.sha256(data.encode()).hexdigest(),
        frozen_by_id=actor.id if actor else None,
        frozen_at=now,
    )
    db.session.add(snapshot)
    db.session.flush()
    return snapshot


def snapshots() -> list[Snapshot]:
    return list(
        db.session.scalars(
            select(Snapshot).order_by(Snapshot.as_of.desc(), Snapshot.frozen_at.desc())
        )
    )


@dataclass(frozen=True)
class Frozen:
    """A snapshot read back: what the exports need, from the stored text only."""

    overview: Overview
    tables: dict[Table, pd.DataFrame]
    target_pct: float | None


def read(snapshot: Snapshot) -> Frozen:
    payload = json.loads(snapshot.data)
    figures = dict(payload["overview"])
    figures["as_of"] = date.fromisoformat(figures["as_of"])
    figures["generated_at"] = datetime.fromisoformat(figures["generated_at"])
    figures["checksum"] = snapshot.checksum
    tables = {
        table: pd.DataFrame(payload["tables"][table.value], columns=names(table))
        for table in FROZEN_TABLES
    }
    return Frozen(Overview(**figures), tables, payload.get("target_pct"))


def records(snapshot: Snapshot, table: Table) -> list[dict[str, Any]]:
    """One stored table as it was written: rows of plain values, None where empty."""
    rows: list[dict[str, Any]] = json.loads(snapshot.data)["tables"][table.value]
    return rows


def verify(snapshot: Snapshot) -> bool:
    """The stored figures still hash to the checksum shown when they were frozen."""
    return hashlib.sha256(snapshot.data.encode()).hexdigest() == snapshot.checksum


def render(snapshot: Snapshot, table: Table | None, fmt: str, *, lang: str = "vi") -> bytes:
    """One download of a snapshot: a table in CSV or JSON, or the workbook (`table` None)."""
    frozen = read(snapshot)
    if fmt == "xlsx":
        out = io.BytesIO()
        summary_workbook(
            out, frozen.overview, frozen.tables, lang=lang, target_pct=frozen.target_pct
        )
        return out.getvalue()
    if table is None or table not in frozen.tables:
        raise LookupError(table)
    if fmt == "csv":
        return csv_bytes(frozen.tables[table], table)
    if fmt == "json":
        return json_bytes(frozen.tables[table], table)
    raise LookupError(fmt)


def file_name(snapshot: Snapshot, table: Table | None, fmt: str) -> str:
    """The checksum's first characters in the name: two files of one snapshot are recognisably
    the same figures, and a renamed copy can still be checked against the list on screen."""
    what = "so-lieu" if table is None else table.value
    return f"snapshot-{snapshot.as_of:%Y%m%d}-{what}-{snapshot.checksum[:12]}.{fmt}"
