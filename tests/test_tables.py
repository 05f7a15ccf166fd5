"""Reading uploaded tables: what Excel on a Vietnamese Windows writes, and what an attacker
uploads, as an officer would see it: the rows, or every problem with its row and column."""

from __future__ import annotations

import io
import struct
import zipfile
from datetime import date

import openpyxl
import pytest

from tests.helpers import cp1258
from training.errors import ImportRejected
from training.tables import (
    FILE_LINE,
    Column,
    Row,
    TableLimits,
    describe_problem,
    header_key,
    parse_yes_no,
    read_table,
)

COLUMNS = (
    Column("employee_id", ("Mã cán bộ", "Employee ID"), required=True),
    Column("full_name", ("Họ và tên", "Họ tên", "Full name"), required=True),
    Column("email", ("Email",)),
)
LIMITS = TableLimits(max_bytes=100_000, max_rows=50, max_cell=40, max_unzipped=1_000_000)


def read(data: bytes, filename: str = "ds.csv", **kwargs) -> list[Row]:
    kwargs.setdefault("limits", LIMITS)
    return read_table(data, filename=filename, columns=COLUMNS, **kwargs)


def problems_of(data: bytes, filename: str = "ds.csv", **kwargs) -> list[str]:
    with pytest.raises(ImportRejected) as caught:
        read(data, filename, **kwargs)
    return [describe_problem(p) for p in caught.value.problems]


def xlsx(rows: list[list[object]], *, title: str = "Danh sách") -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_utf8_with_bom_and_semicolons_as_excel_writes_it():
    data = "\ufeffMã cán bộ;Họ và tên;Email\r\nCB001;Nguyễn Văn An;an@example.org\r\n".encode()
    rows = read(data)
    assert rows == [
        Row(2, {"employee_id": "CB001", "full_name": "Nguyễn Văn An", "email": "an@example.org"})
    ]
    assert rows[0].label("full_name") == "Họ và tên"


def test_commas_without_bom_and_quoted_cells():
    data = 'Employee ID,Full name\nCB1,"Trần Thị, Hạnh"\n\nCB2,Lê Khang\n'.encode()
    rows = read(data)
    assert [(r.line, r.values["full_name"]) for r in rows] == [
        (2, "Trần Thị, Hạnh"),
        (4, "Lê Khang"),  # the blank row is skipped but still counted, as in the file
    ]
    assert "email" not in rows[0].values  # a column the file lacks is absent, not empty


def test_windows_1258_is_detected_and_normalised_to_nfc():
    # CP1258 stores "ễ" as "ê" followed by a combining tilde.
    data = cp1258("Mã cán bộ;Họ và tên\r\nCB1;Nguyễn Văn Ễnh\r\n")
    assert b"\xea\xde" in data  # "ê" then the combining tilde
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    rows = read(data)
    assert rows[0].values["full_name"] == "Nguyễn Văn Ễnh"
    assert rows[0].values["full_name"].encode("utf-8") == "Nguyễn Văn Ễnh".encode()  # NFC
    assert read(data, encoding="cp1258") == rows


def test_an_unknown_or_wrong_encoding_is_named():
    data = cp1258("Mã cán bộ;Họ và tên\r\nCB1;Nguyễn Văn An\r\n")
    assert problems_of(data, encoding="klingon") == ["File: Unknown encoding klingon."]
    [problem] = problems_of(data, encoding="utf-8")
    assert problem.startswith("Row 1: The file is not in the utf-8 encoding.")


def test_headers_match_without_accents_case_spaces_or_punctuation():
    data = "MA CAN BO *;ho_va_ten;E-MAIL;Ghi chú\nCB1;An;a@b.vn;x\n".encode()
    assert read(data)[0].values == {"employee_id": "CB1", "full_name": "An", "email": "a@b.vn"}
    assert header_key("Mã cán bộ") == header_key("ma can bo") == "macanbo"


def test_every_missing_required_header_is_listed():
    assert problems_of(b"Email\nan@example.org\n") == [
        "File: The header row (row 1) has no column Mã cán bộ; it may be headed: "
        "Mã cán bộ, Employee ID.",
        "File: The header row (row 1) has no column Họ và tên; it may be headed: "
        "Họ và tên, Họ tên, Full name.",
    ]


def test_two_columns_for_the_same_thing_are_refused():
    [problem] = problems_of("Họ tên;Full name;Mã cán bộ\nA;B;1\n".encode())
    assert "Họ tên and Full name" in problem


def test_cell_problems_name_their_row_and_column_all_at_once():
    data = (
        "Mã cán bộ;Họ và tên;Email\n"
        "CB1;" + "A" * 41 + ";a@b.vn\n"
        'CB2;Lê\u200bKhang;=HYPERLINK("http://evil")\n'
        "CB3;Trần\x07Hạnh;+cmd|' /C calc'!A0\n"
        'CB4;"Hai\ndòng";@SUM(1)\n'
        "-5;+84 912 345 678;-\n"
    ).encode()
    assert problems_of(data) == [
        "Row 2, column Họ và tên: This cell holds 41 characters; at most 40 are allowed.",
        "Row 3, column Họ và tên: This cell holds a control or invisible character (it may "
        "have been copied from another program); type it again.",
        "Row 3, column Email: This cell starts like a formula (=, +, - or @); type the value "
        "itself, without the sign.",
        "Row 4, column Họ và tên: This cell holds a control or invisible character (it may "
        "have been copied from another program); type it again.",
        "Row 4, column Email: This cell starts like a formula (=, +, - or @); type the value "
        "itself, without the sign.",
        "Row 5, column Họ và tên: This cell holds a line break or a tab; keep it on one line.",
        "Row 5, column Email: This cell starts like a formula (=, +, - or @); type the value "
        "itself, without the sign.",
    ]


def test_too_many_rows_and_too_many_bytes():
    many = "Mã cán bộ;Họ và tên\n" + "".join(f"CB{i};Người {i}\n" for i in range(51))
    assert problems_of(many.encode()) == [
        "File: The file has more than 50 rows; split it into smaller files."
    ]
    big = b"Ma can bo;Ho va ten\n" + b"CB;Ten\n" * 20_000
    [problem] = problems_of(big)
    assert problem.startswith("File: The file is 137 KB; the limit is 98 KB.")


def test_xlsx_first_sheet_or_the_named_one():
    data = xlsx([["Mã cán bộ", "Họ và tên", "Email"], [1234, "Nguyễn Văn An", None]])
    rows = read(data, "ds.xlsx")
    assert rows == [Row(2, {"employee_id": "1234", "full_name": "Nguyễn Văn An", "email": ""})]
    assert read(data, "DS.XLSX", sheet="Danh sách") == rows
    assert problems_of(data, "ds.xlsx", sheet="Sheet9") == [
        "File: The workbook has no sheet named Sheet9; its sheets are: Danh sách."
    ]


def test_xlsx_dates_numbers_and_formulas():
    data = xlsx(
        [
            ["Mã cán bộ", "Họ và tên", "Email"],
            [7.0, date(2026, 3, 1), '=A2&"@x.vn"'],
        ]
    )
    assert problems_of(data, "ds.xlsx") == [
        "Row 2, column Email: This cell starts like a formula (=, +, - or @); type the value "
        "itself, without the sign."
    ]
    data = xlsx([["Mã cán bộ", "Họ và tên"], [7.0, date(2026, 3, 1)]])
    assert read(data, "ds.xlsx")[0].values == {"employee_id": "7", "full_name": "01/03/2026"}


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return out.getvalue()


def test_an_xlsx_bomb_is_refused_before_it_is_unpacked():
    """A few kilobytes that unzip to 2 MB, over the 1 MB limit."""
    bomb = _zip(
        {
            "[Content_Types].xml": b"<Types/>",
            "xl/workbook.xml": b"<workbook/>",
            "xl/worksheets/sheet1.xml": b"\0" * 2_000_000,
        }
    )
    assert len(bomb) < 10_000
    [problem] = problems_of(bomb, "ds.xlsx")
    assert problem.startswith("File: This workbook unpacks to 1.9 MB, more than the 977 KB")


def test_an_xlsx_lying_about_its_sizes_is_refused():
    """A bomb whose ZIP directory claims small entries: reading stops at the claimed size and
    the checksum fails, so it reads as a damaged workbook, never as gigabytes."""
    real = xlsx([["Mã cán bộ", "Họ và tên"], ["CB1", "An"]])
    sheet = b"xl/worksheets/sheet1.xml"
    patched = bytearray(real)
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        start = 0
        while (start := patched.find(signature, start)) != -1:
            name_len = struct.unpack_from("<H", patched, start + (26 if name_at == 30 else 28))[0]
            if bytes(patched[start + name_at : start + name_at + name_len]) == sheet:
                struct.pack_into("<I", patched, start + size_at, 10)
            start += 4
    [problem] = problems_of(bytes(patched), "ds.xlsx")
    assert problem.startswith("File: This workbook cannot be read")


def test_xml_entity_tricks_are_refused():
    assert openpyxl.DEFUSEDXML is True  # openpyxl parses through defusedxml
    real = xlsx([["Mã cán bộ", "Họ và tên"], ["CB1", "An"]])
    with zipfile.ZipFile(io.BytesIO(real)) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    )
    sheet = entries["xl/worksheets/sheet1.xml"]
    assert b"<t>An</t>" in sheet
    entries["xl/worksheets/sheet1.xml"] = laughs + sheet.replace(b"<t>An</t>", b"<t>&lol2;</t>")
    [problem] = problems_of(_zip(entries), "ds.xlsx")
    assert problem.startswith("File: This workbook cannot be read")


@pytest.mark.parametrize(
    ("data", "filename", "start"),
    [
        (b"\x7fELF\x02\x01\x01\0\0\0\0\0binary", "ds.csv", "File: This file is not a CSV"),
        (b"%PDF-1.7 ...", "ds.csv", "File: This file is not a CSV"),
        (xlsx([["a"]]), "ds.csv", "File: This file is an Excel workbook"),
        (b"\x7fELF\x02\x01\x01\0\0\0\0\0binary", "ds.xlsx", "File: This file is not an Excel"),
        (b"PK\x03\x04 not really a zip", "ds.xlsx", "File: This file is not an Excel"),
        (_zip({"a.txt": b"hello"}), "ds.xlsx", "File: This file is not an Excel"),
        ("Mã cán bộ;Họ và tên\n".encode(), "ds.xlsx", "File: This file is a text file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ds.xls", "File: Old Excel files (.xls)"),
        (b"a,b", "ds.exe", "File: Upload a .csv or .xlsx file"),
        (b"  \n", "ds.csv", "File: The file is empty."),
    ],
)
def test_a_file_that_is_not_what_it_claims_is_refused(data, filename, start):
    [problem] = problems_of(data, filename)
    assert problem.startswith(start), problem


def test_excel_sep_hint_and_utf16_unicode_text():
    data = "sep=,\nMã cán bộ,Họ và tên\nCB1,An\n".encode()
    assert read(data) == [Row(2, {"employee_id": "CB1", "full_name": "An"})]
    data = "Mã cán bộ\tHọ và tên\r\nCB1\tNguyễn Văn An\r\n".encode("utf-16")
    assert read(data, "ds.txt")[0].values["full_name"] == "Nguyễn Văn An"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("có", True),
        ("CÓ", True),
        ("Co", True),
        ("x", True),
        ("X", True),
        ("1", True),
        ("yes", True),
        ("TRUE", True),
        ("không", False),
        ("KHONG", False),
        ("0", False),
        ("no", False),
        ("", False),
        ("  ", False),
        ("✓", None),
        ("có lẽ", None),
        ("2", None),
    ],
)
def test_yes_no_cells(text, value):
    assert parse_yes_no(text) is value


def test_file_problems_have_no_row():
    with pytest.raises(ImportRejected) as caught:
        read(b"")
    assert caught.value.problems[0].line == FILE_LINE
