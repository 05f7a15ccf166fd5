"""The coverage files other offices and directors open: exact CSV, JSON that round-trips,
workbooks read back with openpyxl, no formula from user data anywhere, the same bytes twice."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, time

import openpyxl
import pandas as pd
import pytest
from flask import Flask
from flask_babel import force_locale, gettext

from training.reports.columns import COLUMNS, SHEET_TITLES, Kind, Table, names
from training.reports.exports import (
    csv_bytes,
    csv_chunks,
    json_bytes,
    json_chunks,
    people_workbook,
    sheet_name,
    summary_workbook,
)
from training.reports.overview import Overview

NAN = float("nan")
HYPERLINK = '=HYPERLINK("http://x","y")'
CALC = "+cmd|' /C calc'!A0"
OVERVIEW = Overview(
    as_of=date(2026, 11, 25),
    scope_code=None,
    scope_name="Tỉnh Khiên",
    generated_at=datetime(2026, 11, 25, 3, 30, tzinfo=UTC),
    staff=15,
    priority_staff=3,
    required=30,
    completed=20,
    in_progress=6,
    not_started=4,
    overdue=2,
    staff_fully_trained=7,
    priority_required=4,
    priority_completed=4,
)


def unit_frame(*rows: tuple[object, ...]) -> pd.DataFrame:
    """Typed as the engine types it: int64 counts, float64 percentages, strings."""
    frame = pd.DataFrame(list(rows), columns=names(Table.UNIT))
    kinds = {column.name: column.kind for column in COLUMNS[Table.UNIT]}
    types = {Kind.INT: "int64", Kind.PCT: "float64"}
    return frame.astype({name: types[kind] for name, kind in kinds.items() if kind in types})


def unit_row(
    code: str,
    name: str,
    parent: str | None,
    depth: int,
    coverage: float,
    priority: float = NAN,
) -> tuple[object, ...]:
    return (code, name, parent, depth, 10, 2, 20, 15, 3, 2, 1, coverage, 5, 4, 4, priority)


UNITS = unit_frame(
    unit_row("STTTT", "Sở Thông tin và Truyền thông", None, 0, 87.5, 100.0),
    unit_row("P-KT", HYPERLINK, "STTTT", 1, 33.3),
)

COURSES = pd.DataFrame(
    [["phishing", "Nhận diện thư lừa đảo", "all", 30, 20, 6, 4, 2, 66.7, 4, 4, 100.0]],
    columns=names(Table.COURSE),
)


def person(i: int, *, name: str = "Nguyễn Văn An") -> tuple[object, ...]:
    done = i % 2 == 1
    return (
        f"E{i:06d}" if i % 7 else None,
        name,
        "STTTT",
        i % 3 == 0,
        "phishing",
        "completed" if done else "not_started",
        i % 5 == 0,
        date(2026, 12, 1),
        date(2026, 11, 2) if done else None,
        date(2027, 11, 2) if done else None,
    )


def people(count: int) -> Iterator[tuple[object, ...]]:
    return (person(i) for i in range(count))


def render_summary(
    *,
    overview: Overview = OVERVIEW,
    tables: Mapping[Table, pd.DataFrame] | None = None,
    lang: str = "vi",
    target_pct: float | None = None,
) -> bytes:
    out = io.BytesIO()
    tables = {Table.UNIT: UNITS, Table.COURSE: COURSES} if tables is None else tables
    summary_workbook(out, overview, tables, lang=lang, target_pct=target_pct)
    return out.getvalue()


def render_people(rows: Iterator[tuple[object, ...]], lang: str = "vi") -> bytes:
    out = io.BytesIO()
    people_workbook(out, rows, OVERVIEW, lang=lang)
    return out.getvalue()


def sheet_xml(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {
            name: package.read(name).decode()
            for name in package.namelist()
            if name.startswith("xl/worksheets/sheet")
        }


def in_vi(text: object) -> str:
    """A label as the Vietnamese workbook shows it, whether or not it is translated yet."""
    with force_locale("vi"):
        return gettext(text) if isinstance(text, str) else str(text)


@pytest.fixture
def ctx(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield


# -- CSV ------------------------------------------------------------------------------------


def test_unit_csv_is_bom_header_and_plain_values() -> None:
    assert csv_bytes(UNITS, Table.UNIT).decode("utf-8") == (
        "\ufeff"
        "unit_code,unit_name,parent_code,depth,staff,priority_staff,required,completed,"
        "in_progress,not_started,overdue,coverage_pct,staff_fully_trained,priority_required,"
        "priority_completed,priority_coverage_pct\r\n"
        "STTTT,Sở Thông tin và Truyền thông,,0,10,2,20,15,3,2,1,87.5,5,4,4,100.0\r\n"
        'P-KT,"\'=HYPERLINK(""http://x"",""y"")",STTTT,1,10,2,20,15,3,2,1,33.3,5,4,4,\r\n'
    )


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_text_that_could_start_a_formula_gets_an_apostrophe(start: str) -> None:
    frame = unit_frame(unit_row("U1", f"{start}1+1", None, 0, 50.0))
    record = next(csv.DictReader(io.StringIO(csv_bytes(frame, Table.UNIT).decode("utf-8-sig"))))
    assert record["unit_name"] == f"'{start}1+1"


def test_people_csv_writes_iso_dates_booleans_and_inert_names() -> None:
    text = b"".join(csv_chunks([person(1, name=CALC)], Table.PEOPLE)).decode("utf-8-sig")
    assert text.splitlines()[1] == (
        "E000001,'+cmd|' /C calc'!A0,STTTT,false,phishing,completed,false,"
        "2026-12-01,2026-11-02,2027-11-02"
    )


def test_csv_of_an_empty_table_is_still_bom_and_header() -> None:
    assert list(csv_chunks([], Table.PEOPLE)) == [
        ("\ufeff" + ",".join(names(Table.PEOPLE)) + "\r\n").encode()
    ]


def test_csv_streams_in_chunks_that_join_to_the_whole_file() -> None:
    chunks = list(csv_chunks(people(12_000), Table.PEOPLE, chunk_rows=5000))
    assert len(chunks) == 3
    assert chunks[0].startswith(b"\xef\xbb\xbfemployee_id,full_name,")
    assert not any(chunk.startswith(b"\xef\xbb\xbf") for chunk in chunks[1:])
    whole = pd.DataFrame(list(people(12_000)), columns=names(Table.PEOPLE))
    assert b"".join(chunks) == csv_bytes(whole, Table.PEOPLE)


def test_a_frame_with_other_columns_is_refused() -> None:
    with pytest.raises(ValueError, match="columns"):
        csv_bytes(UNITS.iloc[:, ::-1], Table.UNIT)


# -- JSON -----------------------------------------------------------------------------------


def test_unit_json_round_trips_to_the_frame() -> None:
    data = json_bytes(UNITS, Table.UNIT)
    records = json.loads(data)
    assert list(records[0]) == names(Table.UNIT)
    assert records[0]["parent_code"] is None
    assert records[1]["priority_coverage_pct"] is None
    assert HYPERLINK.encode() in data.replace(b'\\"', b'"')  # JSON is data, not a sheet
    back = pd.DataFrame(records, columns=names(Table.UNIT)).astype(UNITS.dtypes.to_dict())
    pd.testing.assert_frame_equal(back, UNITS)


def test_json_keeps_vietnamese_letters_and_writes_iso_dates() -> None:
    data = b"".join(json_chunks([person(1)], Table.PEOPLE))
    assert "Nguyễn Văn An".encode() in data
    assert json.loads(data) == [
        {
            "employee_id": "E000001",
            "full_name": "Nguyễn Văn An",
            "unit_code": "STTTT",
            "priority": False,
            "course_slug": "phishing",
            "status": "completed",
            "overdue": False,
            "due_date": "2026-12-01",
            "completed_at": "2026-11-02",
            "valid_until": "2027-11-02",
        }
    ]


def test_json_streams_a_list_that_joins_to_the_whole_file() -> None:
    chunks = list(json_chunks(people(2500), Table.PEOPLE, chunk_rows=1000))
    assert len(chunks) == 4  # three batches and the closing bracket
    data = b"".join(chunks)
    assert data.startswith(b'[{"employee_id": null,')
    assert data.endswith(b"}]")
    assert len(json.loads(data)) == 2500
    whole = pd.DataFrame(list(people(2500)), columns=names(Table.PEOPLE))
    assert data == json_bytes(whole, Table.PEOPLE)
    assert b"".join(json_chunks([], Table.PEOPLE)) == b"[]"


# -- Summary workbook -----------------------------------------------------------------------


def test_workbook_has_the_summary_first_then_one_sheet_per_table(ctx: None) -> None:
    book = openpyxl.load_workbook(io.BytesIO(render_summary()))
    expected = ["Summary", SHEET_TITLES[Table.UNIT], SHEET_TITLES[Table.COURSE]]
    assert [ws.title for ws in book.worksheets] == [sheet_name(in_vi(t)) for t in expected]


def test_table_sheets_have_vietnamese_headers_frozen_and_filtered(ctx: None) -> None:
    book = openpyxl.load_workbook(io.BytesIO(render_summary()))
    units = book.worksheets[1]
    header = [cell.value for cell in units[1]]
    assert header == [in_vi(column.label) for column in COLUMNS[Table.UNIT]]
    assert header[1] == "Đơn vị"
    assert units.freeze_panes == "A2"
    assert units.auto_filter.ref == "A1:P3"
    assert book.worksheets[2].auto_filter.ref == "A1:L2"
    assert units.column_dimensions["B"].width > len("Sở Thông tin và Truyền thông")


def test_english_workbook_has_english_headers(ctx: None) -> None:
    book = openpyxl.load_workbook(io.BytesIO(render_summary(lang="en")))
    assert [ws.title for ws in book.worksheets] == ["Summary", "By unit", "By course"]
    assert book.worksheets[1]["B1"].value == "Unit"


def test_numbers_and_dates_carry_their_formats(ctx: None) -> None:
    book = openpyxl.load_workbook(io.BytesIO(render_summary()))
    units = book.worksheets[1]
    assert units["L2"].value == 87.5
    assert units["L2"].number_format == "0.0"
    assert units["E2"].number_format == "#,##0"
    assert units["P3"].value is None  # nothing required: empty, not 0
    summary = book.worksheets[0]
    labels = {row[0].value: row[1] for row in summary.iter_rows(min_row=3, max_col=2)}
    as_of = labels[in_vi("As of")]
    assert as_of.value == datetime.combine(date(2026, 11, 25), time())
    assert as_of.number_format == "dd/mm/yyyy"
    hanoi = datetime.combine(OVERVIEW.as_of, time(10, 30))  # 03:30 UTC
    assert labels[in_vi("Generated at")].value == hanoi
    assert labels[in_vi("Scope")].value == "Tỉnh Khiên"
    assert labels[in_vi(COLUMNS[Table.UNIT][11].label)].value == 66.7  # coverage_pct
    assert in_vi("Checksum (SHA-256)") not in labels


def test_csv_json_and_workbook_hold_the_same_numbers(ctx: None) -> None:
    from_csv = list(csv.DictReader(io.StringIO(csv_bytes(UNITS, Table.UNIT).decode("utf-8-sig"))))
    from_json = json.loads(json_bytes(UNITS, Table.UNIT))
    sheet = openpyxl.load_workbook(io.BytesIO(render_summary())).worksheets[1]
    from_xlsx = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    numeric = [i for i, c in enumerate(COLUMNS[Table.UNIT]) if c.kind in (Kind.INT, Kind.PCT)]
    for text_row, record, cells in zip(from_csv, from_json, from_xlsx, strict=True):
        for i in numeric:
            name = names(Table.UNIT)[i]
            as_csv = float(text_row[name]) if text_row[name] else None
            assert as_csv == record[name] == cells[i], name


def test_checksum_of_a_frozen_snapshot_is_on_the_summary(ctx: None) -> None:
    sealed = Overview(**{**OVERVIEW.__dict__, "checksum": "ab" * 32})
    summary = openpyxl.load_workbook(io.BytesIO(render_summary(overview=sealed))).worksheets[0]
    values = {row[0].value: row[1].value for row in summary.iter_rows(max_col=2)}
    assert values[in_vi("Checksum (SHA-256)")] == "ab" * 32


def test_units_below_target_are_filled_red_and_counted(ctx: None) -> None:
    book = openpyxl.load_workbook(io.BytesIO(render_summary(target_pct=80)))
    rules = [
        (str(ranges.sqref), rule)
        for ranges in book.worksheets[1].conditional_formatting
        for rule in ranges.rules
    ]
    assert len(rules) == 1
    sqref, rule = rules[0]
    assert sqref == "A2:P3"
    assert rule.formula == ["AND(ISNUMBER($L2),$L2<80)"]
    assert rule.dxf.fill.bgColor.rgb.endswith("FFC7CE")
    summary = book.worksheets[0]
    counts = {row[0].value: row[1].value for row in summary.iter_rows(max_col=2)}
    assert counts[in_vi("Units below the target of %(target)s%%") % {"target": "80"}] == 1


def test_summary_charts_the_direct_sub_units_from_its_own_cells(ctx: None) -> None:
    root = unit_row("STTTT", "Sở", None, 0, 50.0)
    children = [unit_row(f"C{i:02d}", f"Phòng {i:02d}", "STTTT", 1, i, i) for i in range(35)]
    grandchild = unit_row("G", "Tổ Kỹ thuật", "C01", 2, 10.0)
    data = render_summary(tables={Table.UNIT: unit_frame(root, *children, grandchild)})
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        bars = package.read("xl/charts/chart1.xml").decode()
        columns = package.read("xl/charts/chart2.xml").decode()
    assert '<c:barDir val="bar"/>' in bars
    assert '<c:barDir val="col"/>' in columns
    assert columns.count("<c:ser>") == 2  # all staff and priority staff
    assert '<c:ptCount val="30"/>' in bars  # capped
    assert "Phòng 00" in bars
    assert "Tổ Kỹ thuật" not in bars
    assert "Phòng 30" not in bars
    summary = in_vi("Summary")
    assert re.search(rf"<c:f>'?{summary}'?!\$A\$\d+:\$A\$\d+</c:f>", bars)


def test_scope_without_sub_units_charts_itself(ctx: None) -> None:
    data = render_summary(tables={Table.UNIT: UNITS.iloc[:1]})
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert "Sở Thông tin và Truyền thông" in package.read("xl/charts/chart1.xml").decode()


def test_no_formula_reaches_a_workbook_from_user_data(ctx: None) -> None:
    sly = Overview(**{**OVERVIEW.__dict__, "scope_name": CALC})
    data = render_summary(overview=sly, target_pct=90)
    for name, xml in sheet_xml(data).items():
        assert not re.search(r"<f[ >]", xml), name
    book = openpyxl.load_workbook(io.BytesIO(data))
    cell = book.worksheets[1]["B3"]
    assert cell.value == HYPERLINK
    assert cell.data_type == "s"
    assert cell.quotePrefix
    values = [cell.value for row in book.worksheets[0].iter_rows() for cell in row]
    assert CALC in values
    assert HYPERLINK in values  # the chart's own block on the summary sheet


def test_same_inputs_give_the_same_bytes(ctx: None) -> None:
    assert render_summary(target_pct=80) == render_summary(target_pct=80)
    assert render_people(people(50)) == render_people(people(50))


# -- People workbook ------------------------------------------------------------------------


def test_people_workbook_streams_twenty_thousand_rows(ctx: None) -> None:
    data = render_people(people(20_000))
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    assert [ws.title for ws in book.worksheets] == [
        in_vi("Summary"),
        in_vi(SHEET_TITLES[Table.PEOPLE]),
    ]
    rows = list(book.worksheets[1].iter_rows(values_only=True))
    book.close()
    assert len(rows) == 20_001
    assert rows[0] == tuple(in_vi(column.label) for column in COLUMNS[Table.PEOPLE])
    assert rows[0][1] == "Họ và tên"
    assert rows[1] == (
        None,
        "Nguyễn Văn An",
        "STTTT",
        "Có",
        "phishing",
        "not_started",
        "Có",
        datetime.combine(date(2026, 12, 1), time()),  # Excel has no time zones
        None,
        None,
    )
    assert rows[2][3] == "Không"


def test_people_sheet_is_frozen_filtered_and_formatted(ctx: None) -> None:
    rows = [person(1), person(2, name=CALC)]
    data = render_people(iter(rows), lang="en")
    for name, xml in sheet_xml(data).items():
        assert not re.search(r"<f[ >]", xml), name
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[1]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:J3"
    assert sheet["D2"].value == "No"
    assert sheet["H2"].number_format == "dd/mm/yyyy"
    assert sheet["B3"].value == CALC
    assert sheet["B3"].quotePrefix
