"""The yearly report as a workbook: the summary a director reads first, then one sheet per table
(by agency, completions by month with a chart, in-person sessions, agencies below target, the
year before beside this one).

The rules of `exports` hold here too: every text cell is written with `write_string` (unit names
and session places are typed by officers, and "=HYPERLINK(…)" must stay text), text that starts
like a formula also gets a quote prefix, and the same report gives the same bytes (the creation
time is the report's own). Every numeric header names its unit of count: người (people) or lượt
(turns); percents are written 0–100 with one decimal, as in the coverage exports.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, BinaryIO

from xlsxwriter import Workbook

from training.clock import VN_TZ
from training.reports.annual import (
    IN_YEAR_FIGURES,
    METHODS,
    YEAR_END_FIGURES,
    AnnualReport,
    Count,
    Figure,
    count_word,
    format_date,
    method_name,
    month_name,
    pick,
    report_title,
)
from training.reports.exports import MAX_WIDTH, is_formula_like, sheet_name

BELOW_TARGET_FILL = "#FFC7CE"  # Excel's own "light red fill" preset
HEADER_WIDTH = 22  # longer headers wrap instead of widening the column

WORDS: dict[str, tuple[str, str]] = {
    "summary": ("Tổng hợp", "Summary"),
    "by_agency": ("Theo cơ quan, đơn vị", "By agency"),
    "by_month": ("Hoàn thành theo tháng", "Completions by month"),
    "sessions": ("Tập huấn trực tiếp", "In-person sessions"),
    "below": ("Chưa đạt chỉ tiêu", "Below target"),
    "compare": ("So sánh năm trước", "Previous year"),
    "year": ("Năm báo cáo", "Year"),
    "as_of": ("Số liệu tính đến ngày", "Figures as of"),
    "previous_as_of": ("So sánh với ngày", "Compared with"),
    "generated": ("Lập lúc", "Generated at"),
    "target": ("Chỉ tiêu tỷ lệ hoàn thành (%)", "Coverage target (%)"),
    "priority_target": (
        "Chỉ tiêu tỷ lệ hoàn thành của đối tượng ưu tiên (%)",
        "Priority staff coverage target (%)",
    ),
    "no_target": ("Chưa đặt chỉ tiêu", "No target set"),
    "partial": (
        "Năm chưa kết thúc: số liệu tính đến ngày lập báo cáo.",
        "The year is not over: figures as of the day the report was made.",
    ),
    "content": ("Nội dung", "Figure"),
    "value": ("Số liệu", "Value"),
    "count": ("Đơn vị tính", "Unit of count"),
    "period": ("Thời điểm, kỳ", "Period"),
    "change": ("Chênh lệch", "Change"),
    "unit_code": ("Mã đơn vị", "Unit code"),
    "agency": ("Cơ quan, đơn vị", "Agency"),
    "staff": ("Người thuộc diện (người)", "Staff (people)"),
    "priority_staff": ("Đối tượng ưu tiên (người)", "Priority staff (people)"),
    "required": ("Khoá học phải hoàn thành (lượt)", "Courses required (turns)"),
    "completed": ("Khoá học đã hoàn thành (lượt)", "Courses completed (turns)"),
    "overdue": ("Quá hạn chưa hoàn thành (lượt)", "Overdue (turns)"),
    "fully_trained": ("Người hoàn thành đầy đủ (người)", "Fully trained (people)"),
    "coverage_on": ("Tỷ lệ hoàn thành {day} (%)", "Coverage {day} (%)"),
    "priority_on": ("Tỷ lệ đối tượng ưu tiên {day} (%)", "Priority coverage {day} (%)"),
    "points": ("Thay đổi tỷ lệ (điểm %)", "Coverage change (points)"),
    "is_below": ("Chưa đạt chỉ tiêu", "Below target"),
    "yes": ("Có", "Yes"),
    "no": ("Không", "No"),
    "province": ("Toàn tỉnh", "Province"),
    "month": ("Tháng", "Month"),
    "method_turns": ("{method} (lượt)", "{method}: completions (turns)"),
    "total_turns": ("Tổng cộng (lượt)", "Total (turns)"),
    "whole_year": ("Cả năm", "Whole year"),
    "chart": ("Lượt hoàn thành theo tháng và hình thức", "Completions (turns) by month and source"),
    "held_on": ("Ngày tổ chức", "Held on"),
    "organiser": ("Đơn vị tổ chức", "Held by"),
    "course": ("Khoá học", "Course"),
    "place": ("Địa điểm", "Place"),
    "trainer": ("Giảng viên", "Trainer"),
    "attendance": ("Người tham dự (lượt)", "Attendance (turns)"),
    "completes": ("Tham dự là hoàn thành", "Attendance completes"),
    "total": ("Tổng cộng", "Total"),
    "coverage": ("Tỷ lệ hoàn thành (%)", "Coverage (%)"),
    "priority_coverage": ("Tỷ lệ đối tượng ưu tiên (%)", "Priority coverage (%)"),
    "target_short": ("Chỉ tiêu (%)", "Target (%)"),
    "priority_target_short": ("Chỉ tiêu ưu tiên (%)", "Priority target (%)"),
    "none_below": (
        "Không có cơ quan, đơn vị nào chưa đạt chỉ tiêu.",
        "No agency is below target.",
    ),
    "no_targets": (
        "Chưa có chỉ tiêu nào đang áp dụng: không đánh giá được.",
        "No target is in force: nothing to measure against.",
    ),
    "at_day": ("Tại ngày {day}", "On {day}"),
    "in_year": ("Trong năm {year}", "During {year}"),
    "year_col": ("Năm {year}", "{year}"),
}


def _naive_utc(moment: datetime) -> datetime:
    """XlsxWriter writes the creation time as given, labelled UTC."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _vietnam_time(moment: datetime) -> datetime:
    """Excel has no time zones: the time a reader in Hà Nội had on the clock."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(VN_TZ).replace(tzinfo=None)


class _Book:
    """One workbook's formats, its language, and the cell writers that remember how wide each
    column's contents are."""

    def __init__(self, workbook: Any, lang: str) -> None:
        self.workbook, self.lang = workbook, lang
        add = workbook.add_format
        self.title = add({"bold": True, "font_size": 14})
        self.subtitle = add({"bold": True})
        self.header = add(
            {"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True, "valign": "top"}
        )
        self.label = add({"bold": True})
        self.quoted = add({"quote_prefix": True})
        self.note = add({"italic": True})
        self.int = add({"num_format": "#,##0"})
        self.pct = add({"num_format": "0.0"})
        self.year = add({"num_format": "0", "align": "left"})
        self.signed_int = add({"num_format": "+#,##0;-#,##0;0"})
        self.signed_pct = add({"num_format": "+0.0;-0.0;0.0"})
        self.date = add({"num_format": "dd/mm/yyyy", "align": "left"})
        self.datetime = add({"num_format": "dd/mm/yyyy hh:mm", "align": "left"})
        self.below = add({"bg_color": BELOW_TARGET_FILL})
        self.total_text = add({"bold": True, "top": 1})
        self.total_int = add({"bold": True, "top": 1, "num_format": "#,##0"})
        self.total_pct = add({"bold": True, "top": 1, "num_format": "0.0"})
        self.widths: dict[tuple[str, int], int] = {}

    def word(self, key: str, **values: object) -> str:
        return pick(WORDS[key], self.lang).format(**values)

    def sheet(self, key: str) -> Any:
        return self.workbook.add_worksheet(sheet_name(self.word(key)))

    def _seen(self, sheet: Any, col: int, width: int) -> None:
        key = (sheet.name, col)
        self.widths[key] = max(self.widths.get(key, 0), width)

    def text(self, sheet: Any, row: int, col: int, value: str, fmt: Any = None) -> None:
        """Never `write()`: it would make "=…" a formula."""
        quoted = is_formula_like(value)
        sheet.write_string(row, col, value, self.quoted if quoted and fmt is None else fmt)
        self._seen(sheet, col, len(value) + 2)

    def number(
        self,
        sheet: Any,
        row: int,
        col: int,
        value: int | float | None,
        count: Count,
        fmt: Any = None,
    ) -> None:
        """An empty cell where there is no figure (nothing required, a unit not yet founded):
        Excel's sums and charts skip it, where a 0 would read as a failure."""
        if value is None:
            return
        if count is Count.PERCENT:
            shown = round(float(value), 1)
            sheet.write_number(row, col, shown, fmt or self.pct)
            self._seen(sheet, col, len(f"{shown:.1f}") + 2)
        else:
            sheet.write_number(row, col, int(value), fmt or self.int)
            self._seen(sheet, col, len(f"{int(value):,}") + 2)

    def change(
        self, sheet: Any, row: int, col: int, value: int | float | None, count: Count
    ) -> None:
        fmt = self.signed_pct if count is Count.PERCENT else self.signed_int
        self.number(sheet, row, col, value, count, fmt)

    def day(self, sheet: Any, row: int, col: int, value: date) -> None:
        sheet.write_datetime(row, col, value, self.date)
        self._seen(sheet, col, len("dd/mm/yyyy") + 2)

    def yes_no(self, sheet: Any, row: int, col: int, value: bool, fmt: Any = None) -> None:
        self.text(sheet, row, col, self.word("yes" if value else "no"), fmt)

    def headers(self, sheet: Any, row: int, labels: list[str]) -> None:
        for col, label in enumerate(labels):
            sheet.write_string(row, col, label, self.header)
            self._seen(sheet, col, min(len(label), HEADER_WIDTH) + 3)  # + the filter button
        sheet.freeze_panes(row + 1, 0)

    def table(self, sheet: Any, header_row: int, last_row: int, columns: int) -> None:
        """The filter covers the header and the data rows, not a total row under them."""
        sheet.autofilter(header_row, 0, max(last_row, header_row + 1), columns - 1)

    def fit(self, sheet: Any, columns: int, first: int = 0) -> None:
        for col in range(first, columns):
            width = self.widths.get((sheet.name, col), 8)
            sheet.set_column(col, col, min(max(width, 8), MAX_WIDTH))


def write_annual_xlsx(out: BinaryIO, report: AnnualReport, *, lang: str = "vi") -> None:
    workbook = Workbook(
        out,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    # Without it the file carries the time it was written: two renders would differ.
    workbook.set_properties(
        {"title": report_title(report.year, lang), "created": _naive_utc(report.generated_at)}
    )
    book = _Book(workbook, lang)
    _summary(book, report)
    _by_agency(book, report)
    _by_month(book, report)
    _sessions(book, report)
    _below_target(book, report)
    _comparison(book, report)
    workbook.close()


def _period(book: _Book, report: AnnualReport, key: str, *, previous: bool = False) -> str:
    if key in IN_YEAR_FIGURES:
        return book.word("in_year", year=report.year - 1 if previous else report.year)
    day = report.previous_as_of if previous else report.as_of
    return book.word("at_day", day=format_date(day))


def _summary(book: _Book, report: AnnualReport) -> None:
    sheet = book.sheet("summary")
    lang = book.lang
    sheet.write_string(0, 0, report_title(report.year, lang), book.title)
    if report.province_name:
        book.text(sheet, 1, 0, report.province_name, book.subtitle)
    rows: list[tuple[str, Any]] = [
        ("year", report.year),
        ("as_of", report.as_of),
        ("previous_as_of", report.previous_as_of),
        ("generated", report.generated_at),
        ("target", report.target_pct),
        ("priority_target", report.priority_target_pct),
    ]
    row = 3
    for key, value in rows:
        sheet.write_string(row, 0, book.word(key), book.label)
        if key == "year":
            sheet.write_number(row, 1, value, book.year)
        elif key == "generated":
            sheet.write_datetime(row, 1, _vietnam_time(value), book.datetime)
        elif key in ("as_of", "previous_as_of"):
            sheet.write_datetime(row, 1, value, book.date)
        elif value is None:
            book.text(sheet, row, 1, book.word("no_target"))
        else:
            book.number(sheet, row, 1, value, Count.PERCENT)
        row += 1
    if report.is_partial_year:
        sheet.write_string(row, 0, book.word("partial"), book.note)
        row += 1
    header = row + 1
    book.headers(sheet, header, [book.word(k) for k in ("content", "value", "count", "period")])
    row = header
    for figure in report.figures((*YEAR_END_FIGURES, *IN_YEAR_FIGURES)):
        row += 1
        book.text(sheet, row, 0, figure.label(lang))
        book.number(sheet, row, 1, figure.value, figure.count)
        book.text(sheet, row, 2, count_word(figure.count, lang))
        book.text(sheet, row, 3, _period(book, report, figure.key))
    book.table(sheet, header, row, 4)
    book.fit(sheet, 4)
    sheet.set_column(1, 1, 14)


def _by_agency(book: _Book, report: AnnualReport) -> None:
    sheet = book.sheet("by_agency")
    now, before = format_date(report.as_of), format_date(report.previous_as_of)
    labels = [
        book.word("unit_code"),
        book.word("agency"),
        book.word("staff"),
        book.word("priority_staff"),
        book.word("required"),
        book.word("completed"),
        book.word("overdue"),
        book.word("fully_trained"),
        book.word("coverage_on", day=now),
        book.word("priority_on", day=now),
        book.word("coverage_on", day=before),
        book.word("priority_on", day=before),
        book.word("points"),
        book.word("is_below"),
    ]
    book.headers(sheet, 0, labels)
    kinds = (Count.PEOPLE, Count.PEOPLE, Count.TURNS, Count.TURNS, Count.TURNS, Count.PEOPLE)
    row = 0
    for agency in report.agencies:
        row += 1
        book.text(sheet, row, 0, agency.code)
        book.text(sheet, row, 1, agency.name)
        counts = (
            agency.staff,
            agency.priority_staff,
            agency.required,
            agency.completed,
            agency.overdue,
            agency.staff_fully_trained,
        )
        for col, (value, count) in enumerate(zip(counts, kinds, strict=True), start=2):
            book.number(sheet, row, col, value, count)
        pcts = (
            agency.coverage_pct,
            agency.priority_coverage_pct,
            agency.previous_coverage_pct,
            agency.previous_priority_coverage_pct,
        )
        for col, pct in enumerate(pcts, start=8):
            book.number(sheet, row, col, pct, Count.PERCENT)
        book.change(sheet, row, 12, agency.coverage_change, Count.PERCENT)
        book.yes_no(
            sheet, row, 13, agency.below_target, book.below if agency.below_target else None
        )
    book.table(sheet, 0, row, len(labels))
    row += 1
    this, last = report.this_year, report.last_year
    book.text(sheet, row, 0, "", book.total_text)
    book.text(sheet, row, 1, book.word("province"), book.total_text)
    totals = (
        this.staff,
        this.priority_staff,
        this.required,
        this.completed,
        this.overdue,
        this.staff_fully_trained,
    )
    for col, (value, count) in enumerate(zip(totals, kinds, strict=True), start=2):
        book.number(sheet, row, col, value, count, book.total_int)
    pcts = (
        this.coverage_pct,
        this.priority_coverage_pct,
        last.coverage_pct,
        last.priority_coverage_pct,
    )
    for col, pct in enumerate(pcts, start=8):
        book.number(sheet, row, col, pct, Count.PERCENT, book.total_pct)
    change = report.figure("coverage_pct").change
    book.number(sheet, row, 12, change, Count.PERCENT, book.total_pct)
    book.fit(sheet, len(labels))


def _by_month(book: _Book, report: AnnualReport) -> None:
    sheet = book.sheet("by_month")
    lang = book.lang
    labels = [
        book.word("month"),
        *(book.word("method_turns", method=method_name(m, lang)) for m in METHODS),
        book.word("total_turns"),
    ]
    book.headers(sheet, 0, labels)
    for row, month in enumerate(report.months, start=1):
        book.text(sheet, row, 0, month_name(month.month, report.year, lang))
        for col, value in enumerate(month.by_method, start=1):
            book.number(sheet, row, col, value, Count.TURNS)
        book.number(sheet, row, len(METHODS) + 1, month.total, Count.TURNS)
    last = len(report.months)
    book.table(sheet, 0, last, len(labels))
    total_row = last + 1
    book.text(sheet, total_row, 0, book.word("whole_year"), book.total_text)
    for col, value in enumerate((*report.completions_by_method, report.completions), start=1):
        book.number(sheet, total_row, col, value, Count.TURNS, book.total_int)
    people = report.figure("people_completing")
    book.text(sheet, total_row + 2, 0, people.label(lang), book.label)
    book.number(sheet, total_row + 2, 1, people.value, people.count)
    book.fit(sheet, len(labels))
    sheet.set_column(0, 0, max(book.widths.get((sheet.name, 0), 8), 16))

    chart = book.workbook.add_chart({"type": "column", "subtype": "stacked"})
    colours = ("#4472C4", "#ED7D31", "#A5A5A5", "#FFC000")
    for col, colour in enumerate(colours, start=1):
        chart.add_series(
            {
                "name": [sheet.name, 0, col],
                "categories": [sheet.name, 1, 0, last, 0],
                "values": [sheet.name, 1, col, last, col],
                "fill": {"color": colour},
            }
        )
    chart.set_title({"name": book.word("chart")})
    chart.set_y_axis({"num_format": "#,##0", "min": 0})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 720, "height": 400})
    sheet.insert_chart(1, len(labels) + 1, chart)


def _sessions(book: _Book, report: AnnualReport) -> None:
    sheet = book.sheet("sessions")
    labels = [
        book.word(k)
        for k in (
            "held_on",
            "unit_code",
            "organiser",
            "course",
            "place",
            "trainer",
            "attendance",
            "completes",
        )
    ]
    book.headers(sheet, 0, labels)
    row = 0
    for session in report.sessions:
        row += 1
        book.day(sheet, row, 0, session.held_on)
        book.text(sheet, row, 1, session.unit_code)
        book.text(sheet, row, 2, session.unit_name)
        book.text(sheet, row, 3, session.course_title)
        book.text(sheet, row, 4, session.place)
        book.text(sheet, row, 5, session.trainer)
        book.number(sheet, row, 6, session.attendance, Count.TURNS)
        book.yes_no(sheet, row, 7, session.attendance_completes)
    book.table(sheet, 0, row, len(labels))
    row += 1
    book.text(sheet, row, 0, book.word("total"), book.total_text)
    book.number(sheet, row, 6, report.attendance, Count.TURNS, book.total_int)
    book.fit(sheet, len(labels))


def _below_target(book: _Book, report: AnnualReport) -> None:
    sheet = book.sheet("below")
    labels = [
        book.word(k)
        for k in (
            "unit_code",
            "agency",
            "coverage",
            "target_short",
            "priority_coverage",
            "priority_target_short",
            "overdue",
        )
    ]
    book.headers(sheet, 0, labels)
    row = 0
    for agency in report.below_target:
        row += 1
        book.text(sheet, row, 0, agency.code)
        book.text(sheet, row, 1, agency.name)
        book.number(sheet, row, 2, agency.coverage_pct, Count.PERCENT)
        book.number(sheet, row, 3, report.target_pct, Count.PERCENT)
        book.number(sheet, row, 4, agency.priority_coverage_pct, Count.PERCENT)
        book.number(sheet, row, 5, report.priority_target_pct, Count.PERCENT)
        book.number(sheet, row, 6, agency.overdue, Count.TURNS)
    book.table(sheet, 0, row, len(labels))
    if report.target_pct is None and report.priority_target_pct is None:
        sheet.write_string(row + 2, 0, book.word("no_targets"), book.note)
    elif not report.below_target:
        sheet.write_string(row + 2, 0, book.word("none_below"), book.note)
    book.fit(sheet, len(labels))


def _comparison(book: _Book, report: AnnualReport) -> None:
    sheet = book.sheet("compare")
    lang = book.lang
    labels = [
        book.word("content"),
        book.word("year_col", year=report.year - 1),
        book.word("year_col", year=report.year),
        book.word("change"),
        book.word("count"),
        book.word("period"),
    ]
    book.headers(sheet, 0, labels)
    row = 0
    figures: list[Figure] = report.figures((*YEAR_END_FIGURES, *IN_YEAR_FIGURES))
    for figure in figures:
        if figure.key == "agencies_below_target":
            continue  # measured against today's targets only: no figure for the year before
        row += 1
        book.text(sheet, row, 0, figure.label(lang))
        book.number(sheet, row, 1, figure.previous, figure.count)
        book.number(sheet, row, 2, figure.value, figure.count)
        book.change(sheet, row, 3, figure.change, figure.count)
        book.text(sheet, row, 4, count_word(figure.count, lang))
        book.text(
            sheet,
            row,
            5,
            f"{_period(book, report, figure.key, previous=True)} → "
            f"{_period(book, report, figure.key)}",
        )
    book.table(sheet, 0, row, len(labels))
    book.fit(sheet, len(labels))
