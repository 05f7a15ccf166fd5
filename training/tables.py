"""Reading an uploaded table (CSV or XLSX) into rows, for every importer of the site.

Officers keep their staff lists in Excel on Vietnamese Windows, so a file arrives in whatever
shape Excel wrote it: UTF-8 with or without a byte-order mark, commas or semicolons (the
separator follows the regional settings), the old Windows-1258 code page (whose tone marks are
combining characters), or a workbook. Headers are typed by hand in Vietnamese or English, with
or without accents. This module turns all of that into the same rows of NFC text keyed by
column, so an importer deals with meaning only.

An upload is untrusted: a renamed binary, a workbook that unzips to gigabytes, XML entity
tricks. Each is refused with a message the officer can act on, before the file is parsed; and
every problem is collected (`ImportRejected` lists them all), never only the first.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from flask_babel import gettext as _

from training.errors import ImportRejected, Problem
from training.text import fold, nfc

# The line of a problem that belongs to the file as a whole (too big, wrong type, no header).
FILE_LINE = 0

_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
_LINE_BREAKS = frozenset("\r\n\t\v\f\x85\u2028\u2029")
# A cell that a spreadsheet would run as a formula when the data is opened again: "=…", "@…",
# and "+…"/"-…" unless what follows is a number (a phone number, a negative amount).
_FORMULA = re.compile(r"^(?:[=@]|[+\-](?![\d\s.,]*$))")
_SEPARATORS = (",", ";", "\t")
_SEP_HINT = re.compile(r"^sep=(.)\r?\n?$")

_ZIP_MAGIC = b"PK\x03\x04"
_EMPTY_ZIP_MAGIC = b"PK\x05\x06"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, .doc: the pre-2007 Office formats
_MAX_ZIP_ENTRIES = 10_000

# (row number, cells) pairs, read lazily; closing the generator closes the workbook.
Records = Generator[tuple[int, list[object]], None, None]


@dataclass(frozen=True)
class Column:
    """One column an importer understands: its key, and the headers that name it (Vietnamese
    and English; matched case-, accent-, space- and punctuation-insensitively)."""

    key: str
    headers: tuple[str, ...]
    required: bool = False

    @property
    def label(self) -> str:
        """How the column is named when the file does not have it: its first header."""
        return self.headers[0]


@dataclass(frozen=True)
class TableLimits:
    max_bytes: int
    max_rows: int
    max_cell: int
    max_unzipped: int


@dataclass(frozen=True)
class Row:
    """One row of data. `line` is the row number the user sees in Excel or a text editor (the
    header is line 1); `values` holds, by column key, the NFC, stripped text of each column the
    file has (a column the file lacks is absent, an empty cell is ""). `labels` names each
    column as the file's header wrote it, so a problem points at what the user typed."""

    line: int
    values: dict[str, str]
    labels: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    def label(self, key: str) -> str:
        return self.labels.get(key, key)


def header_key(text: str) -> str:
    """ "Mã cán bộ", "MA CAN BO" and "mã_cán-bộ *" are one header."""
    return "".join(ch for ch in fold(nfc(text)) if ch.isalnum())


def describe_problem(problem: Problem) -> str:
    """A problem as one line in the reader's language, for a command's output or a flash."""
    if problem.line == FILE_LINE:
        return _("File: %(message)s", message=problem.message)
    if problem.column:
        return _(
            "Row %(line)d, column %(column)s: %(message)s",
            line=problem.line,
            column=problem.column,
            message=problem.message,
        )
    return _("Row %(line)d: %(message)s", line=problem.line, message=problem.message)


_YES = frozenset({"co", "x", "1", "yes", "y", "true", "dung"})
_NO = frozenset({"", "khong", "0", "no", "n", "false", "sai"})


def parse_yes_no(value: str) -> bool | None:
    """có/không, x/empty, 1/0, yes/no (and Excel's TRUE/FALSE), in any case, with or without
    accents; None when the cell is none of these."""
    key = fold(nfc(value)).replace(" ", "").strip(".")
    if key in _YES:
        return True
    if key in _NO:
        return False
    return None


def read_table(
    data: bytes,
    *,
    filename: str,
    columns: Sequence[Column],
    limits: TableLimits,
    encoding: str | None = None,
    sheet: str | None = None,
    cell_problems: list[Problem] | None = None,
) -> list[Row]:
    """The rows of a CSV or XLSX file (by its name's extension, checked against its bytes);
    blank rows are skipped. Raises `ImportRejected` with every problem found: the file's own
    (size, type, encoding, headers, row count) or its cells' (too long, invisible characters,
    formulas), each cell's with its line and column.

    An importer that checks the rows' meaning too passes `cell_problems`: the cells' problems
    are added to it instead of raised, and the rows are returned with those cells as they
    are, so that the user sees every problem of the file in one pass."""
    kind = _claimed_kind(filename)
    problems = _file_problems(data, kind=kind, limits=limits)
    if problems:
        raise ImportRejected(problems)
    if kind == "xlsx":
        records = _xlsx_records(data, limits=limits, sheet=sheet)
    else:
        records = _csv_records(_decode(data, encoding))
    try:
        return _rows(records, columns=columns, limits=limits, cell_problems=cell_problems)
    finally:
        records.close()  # a workbook read only part-way is closed now, not when collected


# --- what the file is ---------------------------------------------------------------------------


def _claimed_kind(filename: str) -> str:
    name = filename.strip().lower()
    if name.endswith((".csv", ".txt")):
        return "csv"
    if name.endswith(".xlsx"):
        return "xlsx"
    if name.endswith(".xls"):
        raise ImportRejected(
            [
                Problem(
                    FILE_LINE,
                    _(
                        "Old Excel files (.xls) are not read: in Excel, choose Save As and "
                        "pick Excel Workbook (.xlsx) or CSV UTF-8."
                    ),
                )
            ]
        )
    raise ImportRejected(
        [Problem(FILE_LINE, _("Upload a .csv or .xlsx file (the name ends in .csv or .xlsx)."))]
    )


def _looks_like(data: bytes) -> str | None:
    """What the first bytes say a file is, for the formats people rename by mistake."""
    if data.startswith((_ZIP_MAGIC, _EMPTY_ZIP_MAGIC)):
        return "zip"
    if data.startswith(_OLE_MAGIC):
        return "ole"
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf16"
    if b"\x00" in data[:65536]:
        return "binary"
    return "text"


def _file_problems(data: bytes, *, kind: str, limits: TableLimits) -> list[Problem]:
    if len(data) > limits.max_bytes:
        return [
            Problem(
                FILE_LINE,
                _(
                    "The file is %(size)s; the limit is %(limit)s. Split it into smaller files.",
                    size=_size(len(data)),
                    limit=_size(limits.max_bytes),
                ),
            )
        ]
    if not data.strip():
        return [Problem(FILE_LINE, _("The file is empty."))]
    looks = _looks_like(data)
    if kind == "csv":
        if looks == "zip":
            message = _(
                "This file is an Excel workbook (or another ZIP file) although its name ends "
                "in .csv: rename it to .xlsx, or save it from Excel as CSV UTF-8."
            )
        elif looks in ("ole", "pdf", "binary"):
            message = _(
                "This file is not a CSV text file although its name says so (it holds binary "
                "data). In Excel, choose Save As and pick CSV UTF-8."
            )
        else:
            return []
        return [Problem(FILE_LINE, message)]
    if looks != "zip":
        message = (
            _(
                "This file is a text file although its name ends in .xlsx: rename it to .csv, "
                "or open it in Excel and save it as an Excel Workbook."
            )
            if looks in ("text", "utf16")
            else _(
                "This file is not an Excel workbook although its name ends in .xlsx. In "
                "Excel, choose Save As and pick Excel Workbook (.xlsx)."
            )
        )
        return [Problem(FILE_LINE, message)]
    return _zip_problems(data, limits)


def _zip_problems(data: bytes, limits: TableLimits) -> list[Problem]:
    """A workbook is a ZIP of XML files. Its entries' declared sizes bound what reading them
    can produce (Python's zipfile stops at the declared size and fails the CRC check past
    it), so checking their sum before opening stops a ZIP bomb."""
    not_a_workbook = Problem(
        FILE_LINE,
        _(
            "This file is not an Excel workbook although its name ends in .xlsx. In Excel, "
            "choose Save As and pick Excel Workbook (.xlsx)."
        ),
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return [not_a_workbook]
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        return [not_a_workbook]
    total = sum(entry.file_size for entry in entries)
    if len(entries) > _MAX_ZIP_ENTRIES or total > limits.max_unzipped:
        return [
            Problem(
                FILE_LINE,
                _(
                    "This workbook unpacks to %(size)s, more than the %(limit)s allowed: it "
                    "holds more than a staff list (pictures, other sheets, or it is built to "
                    "overload the server). Copy the list into a new workbook, or save it as "
                    "CSV.",
                    size=_size(total),
                    limit=_size(limits.max_unzipped),
                ),
            )
        ]
    return []


def _size(num_bytes: int) -> str:
    if num_bytes >= 1024 * 1024:
        return f"{num_bytes / (1024 * 1024):.1f} MB"
    if num_bytes >= 1024:
        return f"{num_bytes / 1024:.0f} KB"
    return f"{num_bytes} B"


# --- CSV ----------------------------------------------------------------------------------------


def _decode(data: bytes, encoding: str | None) -> str:
    """UTF-8 (with or without BOM) unless it does not decode strictly, then Windows-1258; or
    the encoding the user chose. Excel's "Unicode text" is UTF-16 with a BOM."""
    if encoding:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            raise ImportRejected(
                [Problem(FILE_LINE, _("Unknown encoding %(name)s.", name=encoding))]
            ) from None
        try:
            return nfc(data.decode("utf-8-sig" if codec == "utf-8" else codec))
        except UnicodeDecodeError as err:
            raise ImportRejected(
                [
                    Problem(
                        _line_of(data, err.start),
                        _(
                            "The file is not in the %(name)s encoding. Leave the encoding on "
                            "automatic, or choose the one it was saved in.",
                            name=encoding,
                        ),
                    )
                ]
            ) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return nfc(data.decode("utf-16"))
        except UnicodeDecodeError:
            raise ImportRejected(
                [Problem(FILE_LINE, _("The file is not readable UTF-16 text."))]
            ) from None
    try:
        return nfc(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        pass
    try:
        # Windows-1258 writes tone marks as combining characters: NFC joins them to the letter.
        return nfc(data.decode("cp1258"))
    except UnicodeDecodeError as err:
        raise ImportRejected(
            [
                Problem(
                    _line_of(data, err.start),
                    _(
                        "The file is neither UTF-8 nor Windows-1258 text. In Excel, choose "
                        "Save As and pick CSV UTF-8."
                    ),
                )
            ]
        ) from None


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _csv_records(text: str) -> Records:
    """(row number as Excel shows it, cells). A quoted cell may span lines; Excel shows it as
    one row, so rows are counted as records. Excel's "sep=;" first line sets the separator and
    is not shown as a row."""
    first, _newline, rest = text.partition("\n")
    hint = _SEP_HINT.match(first + "\n")
    if hint:
        separator, text = hint.group(1), rest
        header = rest.partition("\n")[0]
    else:
        header = first
        counts = {sep: header.count(sep) for sep in _SEPARATORS}
        separator = max(_SEPARATORS, key=lambda sep: counts[sep]) if any(counts.values()) else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=False)
    number = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            raise ImportRejected(
                [
                    Problem(
                        number + 1,
                        _("This row cannot be read as CSV (%(error)s).", error=str(err)),
                    )
                ]
            ) from None
        number += 1
        yield number, list(cells)


# --- XLSX ---------------------------------------------------------------------------------------


def _xlsx_records(data: bytes, *, limits: TableLimits, sheet: str | None) -> Records:
    # openpyxl parses with defusedxml whenever it is installed (it is a requirement): entity
    # expansion and external entities are refused. Refuse to read at all without it.
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    if not openpyxl.DEFUSEDXML:
        raise ImportRejected(
            [
                Problem(
                    FILE_LINE,
                    _("Excel files cannot be read on this server; upload a CSV file instead."),
                )
            ]
        )
    unreadable = (
        zipfile.BadZipFile,
        InvalidFileException,
        KeyError,
        ValueError,
        TypeError,
        IndexError,
        AttributeError,
        OSError,
        SyntaxError,  # xml.etree's ParseError
        _defused_errors(),
    )
    try:
        with warnings.catch_warnings():
            # Workbooks from other programs draw harmless warnings (no default style, data
            # validation extensions); none of them concerns the cells' text.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(
                io.BytesIO(data), read_only=True, data_only=False, keep_links=False
            )
    except unreadable:
        raise ImportRejected(
            [
                Problem(
                    FILE_LINE,
                    _(
                        "This workbook cannot be read: it may be damaged, protected by a "
                        "password, or made with unsafe XML. Open it in Excel and save it "
                        "again, or save it as CSV UTF-8."
                    ),
                )
            ]
        ) from None
    try:
        if sheet and sheet not in workbook.sheetnames:
            raise ImportRejected(
                [
                    Problem(
                        FILE_LINE,
                        _(
                            "The workbook has no sheet named %(name)s; its sheets are: %(names)s.",
                            name=sheet,
                            names=", ".join(workbook.sheetnames),
                        ),
                    )
                ]
            )
        worksheet: Any = workbook[sheet] if sheet else workbook.worksheets[0]
        if not hasattr(worksheet, "iter_rows"):  # a chart sheet
            raise ImportRejected(
                [Problem(FILE_LINE, _("The first sheet of the workbook holds no table."))]
            )
        # Read lazily; a sheet whose rows run past what the limits allow stops early.
        yield from _sheet_records(worksheet, limits)
    except unreadable:
        raise ImportRejected(
            [
                Problem(
                    FILE_LINE,
                    _(
                        "This workbook cannot be read: it may be damaged, protected by a "
                        "password, or made with unsafe XML. Open it in Excel and save it "
                        "again, or save it as CSV UTF-8."
                    ),
                )
            ]
        ) from None
    finally:
        workbook.close()


def _defused_errors() -> type[Exception]:
    from defusedxml import DefusedXmlException

    return DefusedXmlException


_MAX_COLUMNS = 200


def _sheet_records(worksheet: Any, limits: TableLimits) -> Records:
    # A sheet may declare a million rows or 16,384 columns; blank rows count towards a bound
    # so a sheet of empty rows cannot keep the server busy.
    max_physical = 2 * limits.max_rows + 1_000
    rows = worksheet.iter_rows(values_only=True, max_col=_MAX_COLUMNS)
    number = 0
    while True:
        with warnings.catch_warnings():  # not held across a yield: it is process-wide
            warnings.simplefilter("ignore")
            cells = next(rows, None)
        if cells is None:
            return
        number += 1
        if number > max_physical:
            raise ImportRejected([_too_many_rows(limits)])
        yield number, list(cells)


def _too_many_rows(limits: TableLimits) -> Problem:
    return Problem(
        FILE_LINE,
        _(
            "The file has more than %(num)d rows; split it into smaller files.",
            num=limits.max_rows,
        ),
    )


def _cell_text(value: object) -> str:
    """A workbook cell as the text the user sees: whole numbers without ".0", dates as
    dd/mm/yyyy, TRUE/FALSE as 1/0."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


# --- rows ---------------------------------------------------------------------------------------


def _rows(
    records: Iterable[tuple[int, list[object]]],
    *,
    columns: Sequence[Column],
    limits: TableLimits,
    cell_problems: list[Problem] | None,
) -> list[Row]:
    iterator = iter(records)
    header: tuple[int, list[object]] | None = None
    for number, cells in iterator:
        if any(_cell_text(cell).strip() for cell in cells):
            header = (number, cells)
            break
    if header is None:
        raise ImportRejected([Problem(FILE_LINE, _("The file has no header row."))])
    header_line, header_cells = header
    positions, labels, problems = _match_headers(header_line, header_cells, columns)
    if problems:
        raise ImportRejected(problems)
    rows: list[Row] = []
    cells_wrong = cell_problems if cell_problems is not None else problems
    for number, cells in iterator:
        texts = {key: nfc(_cell_text(cells[i]) if i < len(cells) else "") for key, i in positions}
        if not any(text.strip() for text in texts.values()):
            continue
        if len(rows) >= limits.max_rows:
            problems.append(_too_many_rows(limits))
            break
        line = number
        values = {}
        for key, text in texts.items():
            problem = _cell_problem(text, limits)
            if problem is not None:
                cells_wrong.append(Problem(line, problem, labels[key]))
            values[key] = text.strip()
        rows.append(Row(line, values, labels))
    if problems:
        raise ImportRejected(problems)
    return rows


def _match_headers(
    line: int, cells: list[object], columns: Sequence[Column]
) -> tuple[list[tuple[str, int]], dict[str, str], list[Problem]]:
    by_header = {header_key(h): c for c in columns for h in c.headers}
    positions: list[tuple[str, int]] = []
    labels: dict[str, str] = {}
    problems: list[Problem] = []
    for index, cell in enumerate(cells):
        text = nfc(_cell_text(cell)).strip()
        column = by_header.get(header_key(text))
        if column is None:
            continue  # other columns (notes, numbering) are the file's own business
        if column.key in labels:
            problems.append(
                Problem(
                    FILE_LINE,
                    _(
                        "Two columns, %(first)s and %(second)s, hold the same thing; keep one.",
                        first=labels[column.key],
                        second=text,
                    ),
                )
            )
            continue
        positions.append((column.key, index))
        labels[column.key] = text
    missing = [c for c in columns if c.required and c.key not in labels]
    for column in missing:
        problems.append(
            Problem(
                FILE_LINE,
                _(
                    "The header row (row %(line)d) has no column %(column)s; it may be "
                    "headed: %(headers)s.",
                    line=line,
                    column=column.label,
                    headers=", ".join(column.headers),
                ),
            )
        )
    return positions, labels, problems


def _cell_problem(text: str, limits: TableLimits) -> str | None:
    if len(text) > limits.max_cell:
        return _(
            "This cell holds %(num)d characters; at most %(max)d are allowed.",
            num=len(text),
            max=limits.max_cell,
        )
    stripped = text.strip()
    if stripped.isprintable() and not _FORMULA.match(stripped):
        return None  # the common case, without a look at each character
    if any(ch in _LINE_BREAKS for ch in stripped):
        return _("This cell holds a line break or a tab; keep it on one line.")
    if any(unicodedata.category(ch) in _INVISIBLE_CATEGORIES for ch in stripped):
        return _(
            "This cell holds a control or invisible character (it may have been copied from "
            "another program); type it again."
        )
    if _FORMULA.match(stripped):
        return _(
            "This cell starts like a formula (=, +, - or @); type the value itself, without "
            "the sign."
        )
    return None


def limits_from_config(config: Mapping[str, Any], prefix: str) -> TableLimits:
    """`<PREFIX>_MAX_BYTES`, `_MAX_ROWS`, `_MAX_CELL` and `_MAX_UNZIPPED` from the settings."""
    return TableLimits(
        max_bytes=int(config[f"{prefix}_MAX_BYTES"]),
        max_rows=int(config[f"{prefix}_MAX_ROWS"]),
        max_cell=int(config[f"{prefix}_MAX_CELL"]),
        max_unzipped=int(config[f"{prefix}_MAX_UNZIPPED"]),
    )
