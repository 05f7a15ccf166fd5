"""Coverage tables as files: CSV and JSON for other offices' scripts, XLSX for people.

Three rules shape every writer here:

- The same numbers in every format. Each value goes through one converter per column kind
  (`columns.Kind`), so a percentage is rounded to one decimal once, the same way, whether it
  lands in CSV text, a JSON float or a workbook cell.
- Nothing a reader opens runs. Names and codes come from rosters typed by unit officers, and a
  spreadsheet treats `=HYPERLINK(...)` or `+cmd|...` as a formula (CSV injection). CSV text that
  starts like a formula gets a leading apostrophe (OWASP's advice); a workbook writes every text
  with `write_string`, never `write()` (which makes "=..." a formula), and marks such text with a
  quote prefix so Excel keeps showing it as text after an edit.
- The same input gives the same bytes. A frozen snapshot is published with its SHA-256, and a
  re-render must match it: the workbook's creation time is pinned to the report's own time.

The people table can hold 600,000 rows, so its writers take an iterable of rows and stream;
the unit and course tables are small and come as DataFrames.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from itertools import islice
from typing import Any, BinaryIO, TypeVar
from zoneinfo import ZoneInfo

import pandas as pd
from flask_babel import force_locale, format_decimal
from flask_babel import gettext as _
from xlsxwriter import Workbook
from xlsxwriter.utility import xl_col_to_name

from training.reports.columns import COLUMNS, SHEET_TITLES, Column, Kind, Table, names
from training.reports.overview import Overview

T = TypeVar("T")

BOM = b"\xef\xbb\xbf"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # OWASP's CSV injection list
MAX_WIDTH = 60
MAX_CHART_UNITS = 30
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
BELOW_TARGET_FILL = "#FFC7CE"  # Excel's own "light red fill" preset

# The overview figures, labelled as the unit table labels them: the same words for the same
# numbers, and the labels already say whether a figure counts people or courses.
SUMMARY_FIGURES = (
    "staff",
    "priority_staff",
    "staff_fully_trained",
    "required",
    "completed",
    "in_progress",
    "not_started",
    "overdue",
    "coverage_pct",
    "priority_required",
    "priority_completed",
    "priority_coverage_pct",
)

# Streaming cannot measure 600,000 rows, so the people sheet's widths are chosen for typical
# values; a header longer than its column still widens it.
PEOPLE_WIDTHS = {
    "employee_id": 14,
    "full_name": 28,
    "unit_code": 14,
    "priority": 10,
    "course_slug": 24,
    "status": 14,
    "overdue": 10,
    "due_date": 12,
    "completed_at": 12,
    "valid_until": 12,
}


# -- Values ---------------------------------------------------------------------------------


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def _missing(value: object) -> bool:
    """The engine's rows use None; a pandas 3 frame holds a missing string or percentage as
    NaN (or NA / NaT), and all of them are one empty cell."""
    return (
        value is None
        or value is pd.NA
        or value is pd.NaT
        or (isinstance(value, float) and math.isnan(value))
    )


def _pct(value: Any) -> float:
    return round(float(value), 1)


def _date(value: Any) -> date:
    """A timestamp would otherwise print its midnight in CSV and JSON."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raise TypeError(f"expected a date, got {value!r}")


def _inert(text: str) -> str:
    return f"'{text}" if is_formula_like(text) else text


# CSV cells, a function a kind, each taking care of a missing value itself: the people export
# converts millions of cells, and a second call per cell (asking whether it is missing first)
# cost as much as the conversion. The common value of each kind is recognised by its exact
# class and converted at once; anything else (pandas' missing markers, numpy numbers,
# timestamps) goes the long way.
def _cell_text(value: Any) -> str | None:
    if value.__class__ is str:
        return _inert(value)
    return None if _missing(value) else _inert(str(value))


def _cell_int(value: Any) -> int | str | None:
    if value.__class__ is int:
        return value  # the writer prints it as str() would
    return None if _missing(value) else str(int(value))


def _cell_pct(value: Any) -> str | None:
    return None if _missing(value) else f"{_pct(value):.1f}"


def _cell_bool(value: Any) -> str | None:
    if value is True or value is False:
        return "true" if value else "false"
    return None if _missing(value) else ("true" if value else "false")


def _cell_date(value: Any) -> str | None:
    if value.__class__ is date:
        return value.isoformat()
    return None if _missing(value) else _date(value).isoformat()


_CSV_CELL: dict[Kind, Callable[[Any], object]] = {
    Kind.TEXT: _cell_text,
    Kind.INT: _cell_int,
    Kind.PCT: _cell_pct,
    Kind.BOOL: _cell_bool,
    Kind.DATE: _cell_date,
}


def _or_none(to: Callable[[Any], T]) -> Callable[[Any], T | None]:
    def convert(value: Any) -> T | None:
        return None if _missing(value) else to(value)

    return convert


def _iso_day(value: Any) -> str:
    return _date(value).isoformat()


_JSON_VALUE: dict[Kind, Callable[[Any], object]] = {
    Kind.TEXT: _or_none(str),
    Kind.INT: _or_none(int),
    Kind.PCT: _or_none(_pct),
    Kind.BOOL: _or_none(bool),
    Kind.DATE: _or_none(_iso_day),
}


def _row_converter(
    table: Table, by_kind: Mapping[Kind, Callable[[Any], object]]
) -> Callable[[Sequence[object]], list[object]]:
    """Each value of a row through its column's conversion, which maps a missing value to
    None (an empty cell, a JSON null)."""
    converters = [by_kind[column.kind] for column in COLUMNS[table]]

    def convert(row: Sequence[object]) -> list[object]:
        return [to(value) for to, value in zip(converters, row, strict=True)]

    return convert


def _frame_rows(frame: pd.DataFrame, table: Table) -> Iterator[tuple[Any, ...]]:
    """Values are written by position, so a renamed or reordered column would put every value
    under the wrong header of a file another office parses: refuse it instead."""
    if list(frame.columns) != names(table):
        raise ValueError(f"columns of the {table} table: {list(frame.columns)}")
    return frame.itertuples(index=False, name=None)


def _batches(rows: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


# -- CSV and JSON ---------------------------------------------------------------------------


def _csv_text(rows: Iterable[Iterable[object]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


def csv_chunks(
    rows: Iterable[Sequence[object]], table: Table, *, chunk_rows: int = 5000
) -> Iterator[bytes]:
    """UTF-8 with a BOM, or Excel reads Vietnamese as mojibake; the BOM and header lead the
    first chunk, so an empty table is still a valid file."""
    convert = _row_converter(table, _CSV_CELL)
    lead = BOM + _csv_text([names(table)]).encode()
    for batch in _batches(rows, chunk_rows):
        yield lead + _csv_text(map(convert, batch)).encode()
        lead = b""
    if lead:
        yield lead


def csv_bytes(frame: pd.DataFrame, table: Table) -> bytes:
    return b"".join(csv_chunks(_frame_rows(frame, table), table))


def json_chunks(
    rows: Iterable[Sequence[object]], table: Table, *, chunk_rows: int = 5000
) -> Iterator[bytes]:
    """One JSON list, written a batch at a time: a reader parses the whole, but the server never
    holds it. `allow_nan=False`: a NaN that escaped conversion would make invalid JSON."""
    keys = names(table)
    convert = _row_converter(table, _JSON_VALUE)
    lead = "["
    for batch in _batches(rows, chunk_rows):
        records = ",\n".join(
            json.dumps(
                dict(zip(keys, convert(row), strict=True)), ensure_ascii=False, allow_nan=False
            )
            for row in batch
        )
        yield (lead + records).encode()
        lead = ",\n"
    yield b"[]" if lead == "[" else b"]"


def json_bytes(frame: pd.DataFrame, table: Table) -> bytes:
    return b"".join(json_chunks(_frame_rows(frame, table), table))


# -- Workbooks ------------------------------------------------------------------------------

Writer = Callable[[Any, int, int, Any], int]  # (worksheet, row, col, value) -> shown width


class _Styles:
    """One workbook's formats and the cell writer for each column kind, in one language."""

    def __init__(self, workbook: Any) -> None:
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.header = workbook.add_format(
            {"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True, "valign": "top"}
        )
        self.label = workbook.add_format({"bold": True})
        self.quoted = workbook.add_format({"quote_prefix": True})
        self.below_target = workbook.add_format({"bg_color": BELOW_TARGET_FILL})
        self.datetime = workbook.add_format({"num_format": "dd/mm/yyyy hh:mm", "align": "left"})
        self.by_kind = {
            Kind.TEXT: None,
            Kind.BOOL: None,
            Kind.INT: workbook.add_format({"num_format": "#,##0"}),
            Kind.PCT: workbook.add_format({"num_format": "0.0"}),  # 0–100: the header says %
            Kind.DATE: workbook.add_format({"num_format": "dd/mm/yyyy", "align": "left"}),
        }
        self.yes, self.no = _("Yes"), _("No")

    def write_text(self, sheet: Any, row: int, col: int, value: Any) -> int:
        text = str(value)
        sheet.write_string(row, col, text, self.quoted if is_formula_like(text) else None)
        return len(text)

    def write_int(self, sheet: Any, row: int, col: int, value: Any) -> int:
        sheet.write_number(row, col, int(value), self.by_kind[Kind.INT])
        return len(f"{int(value):,}")

    def write_pct(self, sheet: Any, row: int, col: int, value: Any) -> int:
        sheet.write_number(row, col, _pct(value), self.by_kind[Kind.PCT])
        return len(f"{_pct(value):.1f}")

    def write_bool(self, sheet: Any, row: int, col: int, value: Any) -> int:
        return self.write_text(sheet, row, col, self.yes if value else self.no)

    def write_date(self, sheet: Any, row: int, col: int, value: Any) -> int:
        sheet.write_datetime(row, col, _date(value), self.by_kind[Kind.DATE])
        return len("dd/mm/yyyy")

    def writer(self, kind: Kind) -> Writer:
        return {
            Kind.TEXT: self.write_text,
            Kind.INT: self.write_int,
            Kind.PCT: self.write_pct,
            Kind.BOOL: self.write_bool,
            Kind.DATE: self.write_date,
        }[kind]

    def cell(self, sheet: Any, row: int, col: int, kind: Kind, value: Any) -> int:
        """Missing values stay empty cells, which Excel's averages and charts skip."""
        if _missing(value):
            return 0
        return self.writer(kind)(sheet, row, col, value)


def sheet_name(title: object) -> str:
    """Excel refuses names over 31 characters or with any of []:*?/\\ in them."""
    name = str(title).translate(str.maketrans("[]:*?/\\", "       ")).strip("' ")
    return name[:31]


def _naive_utc(moment: datetime) -> datetime:
    """XlsxWriter writes the creation time as given, labelled UTC (a naive time counts as UTC,
    as Flask-Babel counts it)."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _vietnam_time(moment: datetime) -> datetime:
    """Excel has no time zones: show the time a reader in Hà Nội had on the clock."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(VIETNAM).replace(tzinfo=None)


def _new_workbook(out: BinaryIO, overview: Overview, options: Mapping[str, object]) -> Any:
    workbook = Workbook(out, {"strings_to_formulas": False, "strings_to_urls": False, **options})
    # Without it the file carries the time it was written: two renders would differ.
    workbook.set_properties({"created": _naive_utc(overview.generated_at)})
    return workbook


def _write_summary(
    sheet: Any, styles: _Styles, overview: Overview, extra: Sequence[tuple[str, object]] = ()
) -> int:
    """Top to bottom, one row at a time, as a constant-memory sheet requires. Returns the
    next free row."""
    sheet.set_column(0, 0, 40)
    sheet.set_column(1, 2, 22)
    sheet.write_string(0, 0, _("Training coverage report"), styles.title)
    scope = overview.scope_name or _("The whole province")
    if overview.scope_code:
        scope = f"{scope} ({overview.scope_code})"
    sheet.write_string(2, 0, _("Scope"), styles.label)
    styles.write_text(sheet, 2, 1, scope)
    sheet.write_string(3, 0, _("As of"), styles.label)
    styles.write_date(sheet, 3, 1, overview.as_of)
    sheet.write_string(4, 0, _("Generated at"), styles.label)
    sheet.write_datetime(4, 1, _vietnam_time(overview.generated_at), styles.datetime)
    row = 6
    unit_columns = {column.name: column for column in COLUMNS[Table.UNIT]}
    for name in SUMMARY_FIGURES:
        column = unit_columns[name]
        sheet.write_string(row, 0, str(column.label), styles.label)
        styles.cell(sheet, row, 1, column.kind, getattr(overview, name))
        row += 1
    for label, value in extra:
        sheet.write_string(row, 0, label, styles.label)
        styles.cell(sheet, row, 1, Kind.INT if isinstance(value, int) else Kind.TEXT, value)
        row += 1
    if overview.checksum:
        sheet.write_string(row, 0, _("Checksum (SHA-256)"), styles.label)
        styles.write_text(sheet, row, 1, overview.checksum)
        row += 1
    return row


def _write_header(sheet: Any, styles: _Styles, columns: Sequence[Column]) -> list[int]:
    """Frozen, so the names stay in view while scrolling. Returns each header's width; the
    filter button takes about two more characters."""
    widths = []
    for col, column in enumerate(columns):
        label = str(column.label)
        sheet.write_string(0, col, label, styles.header)
        widths.append(len(label) + 3)
    sheet.freeze_panes(1, 0)
    return widths


def _write_table(sheet: Any, styles: _Styles, table: Table, frame: pd.DataFrame) -> None:
    columns = COLUMNS[table]
    widths = _write_header(sheet, styles, columns)
    kinds = [column.kind for column in columns]
    for row, values in enumerate(_frame_rows(frame, table), start=1):
        for col, (kind, value) in enumerate(zip(kinds, values, strict=True)):
            widths[col] = max(widths[col], styles.cell(sheet, row, col, kind, value) + 2)
    for col, (kind, width) in enumerate(zip(kinds, widths, strict=True)):
        sheet.set_column(col, col, min(width, MAX_WIDTH), styles.by_kind[kind])
    sheet.autofilter(0, 0, max(len(frame), 1), len(columns) - 1)


def _mark_below_target(sheet: Any, styles: _Styles, rows: int, target_pct: float) -> None:
    """A conditional format, not a painted cell: it follows a sort or a filter, and an edited
    figure recolours itself."""
    if rows == 0:
        return
    columns = names(Table.UNIT)
    pct = xl_col_to_name(columns.index("coverage_pct"))
    sheet.conditional_format(
        1,
        0,
        rows,
        len(columns) - 1,
        {
            "type": "formula",
            "criteria": f"=AND(ISNUMBER(${pct}2),${pct}2<{target_pct:g})",
            "format": styles.below_target,
        },
    )


def _chart_units(units: pd.DataFrame) -> pd.DataFrame:
    """The scope's direct sub-units are what a reader compares; deeper levels would crowd the
    chart. A scope without sub-units charts itself. Thirty bars still read."""
    if units.empty:
        return units
    children = units[units["depth"] == units["depth"].min() + 1]
    return (children if len(children) else units).head(MAX_CHART_UNITS)


def _write_charts(
    workbook: Any, sheet: Any, styles: _Styles, summary: str, first_row: int, units: pd.DataFrame
) -> None:
    """The charted units are not adjacent rows of the unit sheet (children follow their
    parent), so the charts read a small block of their own on the summary sheet."""
    chosen = _chart_units(units)
    if chosen.empty:
        return
    labels = {column.name: column.label for column in COLUMNS[Table.UNIT]}
    block = ("unit_name", "coverage_pct", "priority_coverage_pct")
    for col, name in enumerate(block):
        sheet.write_string(first_row, col, str(labels[name]), styles.header)
    kinds = (Kind.TEXT, Kind.PCT, Kind.PCT)
    for row, values in enumerate(chosen[list(block)].itertuples(index=False, name=None)):
        for col, (kind, value) in enumerate(zip(kinds, values, strict=True)):
            styles.cell(sheet, first_row + 1 + row, col, kind, value)
    first, last = first_row + 1, first_row + len(chosen)

    def series(col: int, colour: str) -> dict[str, object]:
        return {
            "name": [summary, first_row, col],
            "categories": [summary, first, 0, last, 0],
            "values": [summary, first, col, last, col],
            "fill": {"color": colour},
        }

    scale = {"min": 0, "max": 100, "num_format": "0"}
    bars = workbook.add_chart({"type": "bar"})
    bars.add_series(series(1, "#4472C4"))
    bars.set_title({"name": _("Coverage by unit (%)")})
    bars.set_x_axis(scale)
    bars.set_y_axis({"reverse": True})  # the first unit on top, as in the table
    bars.set_legend({"none": True})
    bars.set_size({"width": 640, "height": max(320, 60 + 22 * len(chosen))})
    sheet.insert_chart(2, 4, bars)

    columns = workbook.add_chart({"type": "column"})
    columns.add_series(series(1, "#4472C4"))
    columns.add_series(series(2, "#ED7D31"))
    columns.set_title({"name": _("Coverage: all staff and priority staff (%)")})
    columns.set_y_axis(scale)
    columns.set_legend({"position": "bottom"})
    columns.set_size({"width": 640, "height": 360})
    sheet.insert_chart(first_row + 2 + len(chosen), 4, columns)


def summary_workbook(
    out: BinaryIO,
    overview: Overview,
    tables: Mapping[Table, pd.DataFrame],
    *,
    lang: str = "vi",
    target_pct: float | None = None,
) -> None:
    """The summary sheet first (what a director reads), then one sheet per table, in the
    contract's order whatever the order of `tables`."""
    workbook = _new_workbook(out, overview, {"in_memory": True})
    with force_locale(lang):
        styles = _Styles(workbook)
        summary = sheet_name(_("Summary"))
        front = workbook.add_worksheet(summary)
        units = tables.get(Table.UNIT)
        extra: list[tuple[str, object]] = []
        if target_pct is not None and units is not None:
            below = int((units["coverage_pct"].round(1) < target_pct).sum())
            shown = format_decimal(target_pct, format="#,##0.#")
            label = _("Units below the target of %(target)s%%", target=shown)
            extra.append((label, below))
        next_row = _write_summary(front, styles, overview, extra)
        for table in Table:
            if table not in tables:
                continue
            sheet = workbook.add_worksheet(sheet_name(SHEET_TITLES[table]))
            _write_table(sheet, styles, table, tables[table])
            if table is Table.UNIT and target_pct is not None:
                _mark_below_target(sheet, styles, len(tables[table]), target_pct)
        if units is not None:
            _write_charts(workbook, front, styles, summary, next_row + 1, units)
    workbook.close()


def people_workbook(
    out: BinaryIO,
    rows: Iterable[Sequence[object]],
    overview: Overview,
    *,
    lang: str = "vi",
) -> None:
    """Constant-memory mode writes each row to disk as it comes, so 600,000 rows never sit in
    memory; the price is writing in order, hence the summary sheet first and fixed widths. The
    filter's last row is only known at the end, and XlsxWriter takes it any time before close."""
    workbook = _new_workbook(out, overview, {"constant_memory": True})
    with force_locale(lang):
        styles = _Styles(workbook)
        _write_summary(workbook.add_worksheet(sheet_name(_("Summary"))), styles, overview)
        sheet = workbook.add_worksheet(sheet_name(SHEET_TITLES[Table.PEOPLE]))
        columns = COLUMNS[Table.PEOPLE]
        widths = _write_header(sheet, styles, columns)
        for col, column in enumerate(columns):
            width = min(max(PEOPLE_WIDTHS[column.name], widths[col]), MAX_WIDTH)
            sheet.set_column(col, col, width, styles.by_kind[column.kind])
        writers = [styles.writer(column.kind) for column in columns]
        count = 0
        for count, values in enumerate(rows, start=1):
            for col, (write, value) in enumerate(zip(writers, values, strict=True)):
                if not _missing(value):
                    write(sheet, count, col, value)
        sheet.autofilter(0, 0, max(count, 1), len(columns) - 1)
    workbook.close()
