"""The yearly report to the People's Committee (D6b.9): exact figures on a small province built by
hand, people never confused with turns, the workbook and the draft document read back with the
same numbers, the command and the background producer writing both files."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from docx.shared import Mm
from sqlalchemy import func, select

from tests.assignment_world import assign
from tests.factories import add_course
from training.clock import today_vn, utcnow
from training.courses.completions import add_months, new_code
from training.courses.models import (
    Attendance,
    ClassroomSession,
    Completion,
    CompletionMethod,
    Course,
)
from training.errors import KhienError
from training.extensions import db
from training.org.models import Person, Role, Unit, UnitKind
from training.reports.annual import (
    METHODS,
    AnnualReport,
    Count,
    YearNotStarted,
    build_annual,
    count_word,
    format_count,
    format_pct,
    format_value,
)
from training.reports.annual_cli import annual_command
from training.reports.annual_docx import document_symbol, write_annual_docx
from training.reports.annual_jobs import annual_producer
from training.reports.annual_xlsx import write_annual_xlsx
from training.reports.coverage import Filters, by_unit
from training.reports.models import ExportJob, TargetGroup
from training.reports.targets import set_target

YEAR = 2026
# Mid-January of the next year: the year is over, and nothing is "due later this month".
NOW = datetime(YEAR + 1, 1, 10, 3, 0, tzinfo=UTC)
FOUNDED = date(2025, 1, 1)
ISSUER = "Sở Khoa học và Công nghệ"
PLACE = "An Giang"


@dataclass
class Province:
    province: Unit
    a: Unit
    b: Unit
    c: Unit
    people: dict[str, Person]
    basics: Course
    extra: Course


def completion(
    person: Person,
    course: Course,
    on: date,
    method: CompletionMethod,
    *,
    revoked: bool = False,
    session: ClassroomSession | None = None,
) -> Completion:
    row = Completion(
        person_id=person.id,
        course_id=course.id,
        course_hash=course.current_hash,
        method=method,
        classroom_id=session.id if session else None,
        reason="kiểm thử" if method == CompletionMethod.MANUAL else None,
        completed_on=on,
        valid_until=add_months(on, 12),
        code=new_code(),
        revoked_at=datetime(2026, 12, 1, tzinfo=UTC) if revoked else None,
    )
    db.session.add(row)
    db.session.commit()
    return row


def classroom(
    unit: Unit, course: Course, on: date, attendees: list[Person], *, completes: bool
) -> ClassroomSession:
    session = ClassroomSession(
        course_id=course.id,
        unit_id=unit.id,
        held_on=on,
        place="Hội trường",
        trainer="Phòng CNTT",
        attendance_completes=completes,
    )
    db.session.add(session)
    db.session.flush()
    db.session.add_all(Attendance(session_id=session.id, person_id=p.id) for p in attendees)
    db.session.commit()
    return session


@pytest.fixture
def province(make_unit, make_user, snapshots) -> Province:
    return snapshots.keep("annual report province", lambda: _build(make_unit, make_user))


def _build(make_unit, make_user) -> Province:
    """A province of two departments founded in 2025 (one with a key office) and a commune
    founded in March 2026; one course required of everyone since June 2025, due 1 December.

    Completions: a1 by hand in May 2025 (valid a year), then on the quiz in February 2026 for
    the required course and for another one; a2 in person in April; b1 from another platform
    in July; b2 by hand in September; c1 by hand in November, revoked; a1 again in January of
    the next year (outside the year)."""
    p = make_unit("TINH", name="Tỉnh Thử", kind=UnitKind.PROVINCE, today=FOUNDED)
    a = make_unit("SA", name="Sở A", parent=p, today=FOUNDED)
    a_office = make_unit(
        "SA-VP", name="Văn phòng Sở A", parent=a, kind=UnitKind.DIVISION, key=True, today=FOUNDED
    )
    b = make_unit("SB", name="Sở B", parent=p, today=FOUNDED)
    people = {
        "a1": make_user(unit=a, username="nv.a1", today=FOUNDED),
        "a2": make_user(unit=a_office, username="nv.a2", today=FOUNDED),
        "a3": make_user(unit=a, username="nv.a3", classified=True, today=FOUNDED),
        "b1": make_user(unit=b, username="nv.b1", today=FOUNDED),
        "b2": make_user(unit=b, username="nv.b2", today=FOUNDED),
    }
    basics = add_course("basics", title_vi="Kiến thức cơ bản", title_en="Basics")
    extra = add_course("extra", title_vi="Nâng cao")
    assign(basics, on=date(2025, 6, 1), due_on=date(2025, 12, 1))
    c = make_unit("XC", name="Xã C", parent=p, kind=UnitKind.COMMUNE, today=date(2026, 3, 1))
    people["c1"] = make_user(unit=c, username="nv.c1", today=date(2026, 3, 1))

    completion(people["a1"], basics, date(2025, 5, 10), CompletionMethod.MANUAL)
    completion(people["a1"], basics, date(2026, 2, 10), CompletionMethod.QUIZ)
    completion(people["a1"], extra, date(2026, 2, 20), CompletionMethod.QUIZ)
    session = classroom(a, basics, date(2026, 4, 5), [people["a2"], people["a3"]], completes=False)
    completion(people["a2"], basics, date(2026, 4, 5), CompletionMethod.IN_PERSON, session=session)
    completion(people["b1"], basics, date(2026, 7, 15), CompletionMethod.EXTERNAL)
    completion(people["b2"], basics, date(2026, 9, 30), CompletionMethod.MANUAL)
    completion(people["c1"], basics, date(2026, 11, 3), CompletionMethod.MANUAL, revoked=True)
    completion(people["a1"], extra, date(2027, 1, 5), CompletionMethod.QUIZ)
    classroom(b, basics, date(2025, 10, 10), [people["b1"]], completes=False)
    return Province(p, a, b, c, people, basics, extra)


def targets(everyone: str = "80", priority: str = "100") -> None:
    now = datetime(2026, 6, 1, tzinfo=UTC)
    set_target(TargetGroup.EVERYONE, Decimal(everyone), date(2026, 12, 31), actor=None, now=now)
    set_target(TargetGroup.PRIORITY, Decimal(priority), date(2026, 6, 30), actor=None, now=now)
    db.session.commit()


def report_of(lang: str = "vi") -> AnnualReport:
    return build_annual(YEAR, lang=lang, now=NOW)


def xlsx_of(report: AnnualReport, lang: str = "vi") -> bytes:
    out = io.BytesIO()
    write_annual_xlsx(out, report, lang=lang)
    return out.getvalue()


def docx_of(report: AnnualReport) -> bytes:
    out = io.BytesIO()
    write_annual_docx(out, report, issuing_body=ISSUER, place=PLACE)
    return out.getvalue()


def docx_text(data: bytes) -> str:
    """Every paragraph, in the body and in every table cell, one per line."""
    document = Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                lines.extend(p.text for p in cell.paragraphs)
    return "\n".join(lines)


def sheet_rows(book: openpyxl.Workbook, index: int) -> list[tuple[object, ...]]:
    return list(book.worksheets[index].iter_rows(values_only=True))


# -- Figures --------------------------------------------------------------------------------


def test_province_figures_at_year_end_and_the_year_before(province):
    report = report_of()
    assert report.as_of == date(YEAR, 12, 31)
    assert report.previous_as_of == date(YEAR - 1, 12, 31)
    assert not report.is_partial_year
    assert report.province_name == "Tỉnh Thử"
    values = {f.key: (f.value, f.previous) for f in report.figures()}
    assert values == {
        # people where they sat on each 31/12: the commune's c1 came in March 2026
        "staff": (6, 5),
        "priority_staff": (2, 2),  # a2 in the key office, a3 drafts classified documents
        "staff_fully_trained": (4, 1),  # a1, a2, b1, b2 / a1 (manual, May 2025)
        "required": (6, 5),
        "completed": (4, 1),  # c1's record was revoked
        "coverage_pct": (66.7, 20.0),
        "priority_required": (2, 2),
        "priority_completed": (1, 0),
        "priority_coverage_pct": (50.0, 0.0),
        "overdue": (2, 4),  # a3 and c1 / everyone but a1
        "agencies": (3, 2),
        "agencies_below_target": (None, None),  # no target set: nobody is measured
        "completions": (5, 1),
        "completions_quiz": (2, 0),
        "completions_in_person": (1, 0),
        "completions_external": (1, 0),
        "completions_manual": (1, 1),
        "people_completing": (4, 1),
        "sessions": (1, 1),
        "attendance": (2, 1),
    }
    assert all(f.count is Count.PEOPLE for f in report.figures() if f.key.endswith("staff"))


def test_completions_per_month_by_method_leave_out_revoked_and_other_years(province):
    report = report_of()
    assert [m.month for m in report.months] == list(range(1, 13))
    by_month = {m.month: dict(zip(METHODS, m.by_method, strict=True)) for m in report.months}
    quiz, in_person, external, manual = METHODS
    assert by_month[2] == {quiz: 2, in_person: 0, external: 0, manual: 0}
    assert by_month[4] == {quiz: 0, in_person: 1, external: 0, manual: 0}
    assert by_month[7][external] == 1
    assert by_month[9][manual] == 1
    assert sum(by_month[11].values()) == 0  # revoked
    assert sum(by_month[1].values()) == 0  # January of the next year is not this year's
    assert [sum(m.by_method) for m in report.months] == [0, 2, 0, 1, 0, 0, 1, 0, 1, 0, 0, 0]
    assert report.completions_by_method == (2, 1, 1, 1)
    assert report.previous_completions == (0, 0, 0, 1)


def test_one_person_completing_two_courses_is_two_turns_and_one_person(province):
    report = report_of()
    february = report.months[1]
    assert february.total == 2  # a1: the required course and another
    assert report.people_completing == 4  # a1, a2, b1, b2
    assert report.completions == 5


def test_agencies_compare_with_the_year_before_and_a_new_unit_shows_empty(province):
    report = report_of()
    rows = {row.code: row for row in report.agencies}
    assert list(rows) == ["SA", "SB", "XC"]  # the province's direct sub-units, by name
    a, b, c = rows["SA"], rows["SB"], rows["XC"]
    assert (a.staff, a.priority_staff, a.required, a.completed, a.overdue) == (3, 2, 3, 2, 1)
    assert (a.coverage_pct, a.priority_coverage_pct) == (66.7, 50.0)
    assert (a.previous_coverage_pct, a.previous_priority_coverage_pct) == (33.3, 0.0)
    assert a.coverage_change == 33.4
    assert (b.coverage_pct, b.priority_coverage_pct, b.previous_coverage_pct) == (100.0, None, 0.0)
    assert b.staff_fully_trained == 2
    assert not c.existed_previous_year
    assert (c.coverage_pct, c.previous_coverage_pct, c.previous_staff) == (0.0, None, None)
    assert c.coverage_change is None


def test_agencies_below_the_targets_in_force_are_marked(province):
    targets(everyone="80", priority="100")
    report = report_of()
    assert [row.code for row in report.below_target] == ["SA", "XC"]
    assert (report.target_pct, report.priority_target_pct) == (80.0, 100.0)
    assert report.figure("agencies_below_target").value == 2
    assert report.this_year.units_below_target == 2


def test_sessions_held_in_the_year_with_their_attendance(province):
    report = report_of(lang="en")
    assert len(report.sessions) == 1
    session = report.sessions[0]
    assert (session.held_on, session.unit_code, session.unit_name) == (
        date(2026, 4, 5),
        "SA",
        "Sở A",
    )
    assert (session.course_title, session.attendance) == ("Basics", 2)
    assert (report.previous_sessions, report.previous_attendance) == (1, 1)


def test_the_year_end_figures_are_the_coverage_reports(province):
    report = report_of()
    for day, overview in (
        (report.as_of, report.this_year),
        (report.previous_as_of, report.last_year),
    ):
        root = by_unit(Filters(as_of=day)).table.iloc[0]
        assert root["unit_code"] == "TINH"
        assert (overview.staff, overview.required, overview.completed) == (
            root["staff"],
            root["required"],
            root["completed"],
        )


def test_a_fixed_number_of_queries_whatever_the_size(province, make_unit, make_user, count_queries):
    with count_queries() as small:
        report_of()
    for n in range(4):
        unit = make_unit(f"SD{n}", name=f"Sở D{n}", parent=province.province, today=FOUNDED)
        person = make_user(unit=unit, username=f"nv.d{n}", today=FOUNDED)
        completion(person, province.extra, date(2026, 5, 1 + n), CompletionMethod.MANUAL)
        classroom(unit, province.basics, date(2026, 6, 1 + n), [person], completes=False)
    with count_queries() as larger:
        assert len(report_of().agencies) == 7
    assert len(small) == len(larger), larger.summary()
    assert not larger.writes()


def test_a_year_still_running_counts_as_of_today(province):
    report = build_annual(YEAR, now=datetime(YEAR, 10, 1, 3, tzinfo=UTC))
    assert report.as_of == date(YEAR, 10, 1)
    assert report.is_partial_year
    # due 1/12/2025 and not done on 1/10/2026: a3 and c1
    assert report.this_year.overdue == 2


def test_a_year_not_begun_is_refused(database):
    with pytest.raises(YearNotStarted, match="2027"):
        build_annual(2027, now=NOW.replace(year=2026))


def test_numbers_are_written_the_vietnamese_way():
    assert format_count(1234567) == "1.234.567"
    assert format_count(1234, "en") == "1,234"
    assert format_pct(87.5) == "87,5%"
    assert format_pct(100.0) == "100,0%"
    assert format_pct(87.5, "en") == "87.5%"
    assert format_pct(None) == "–"
    assert format_value(12.0, Count.PERCENT) == "12,0%"
    assert format_value(1200, Count.TURNS) == "1.200"


# -- Workbook -------------------------------------------------------------------------------


def test_workbook_reads_back_with_the_reports_figures(province):
    targets()
    report = report_of()
    book = openpyxl.load_workbook(io.BytesIO(xlsx_of(report)))
    assert book.sheetnames == [
        "Tổng hợp",
        "Theo cơ quan, đơn vị",
        "Hoàn thành theo tháng",
        "Tập huấn trực tiếp",
        "Chưa đạt chỉ tiêu",
        "So sánh năm trước",
    ]
    summary = sheet_rows(book, 0)
    header = summary.index(("Nội dung", "Số liệu", "Đơn vị tính", "Thời điểm, kỳ"))
    shown = {row[0]: (row[1], row[2]) for row in summary[header + 1 :]}
    for figure in report.figures():
        assert shown[figure.label("vi")] == (figure.value, count_word(figure.count, "vi"))
    assert shown["Người đã hoàn thành đầy đủ các khoá học được giao (người)"] == (4, "người")
    assert shown["Lượt hoàn thành khoá học trong năm (lượt)"] == (5, "lượt")

    agencies = sheet_rows(book, 1)
    assert agencies[1][:2] == ("SA", "Sở A")
    assert agencies[1][2:13] == (3, 2, 3, 2, 1, 2, 66.7, 50.0, 33.3, 0.0, 33.4)
    assert agencies[1][13] == "Có"
    assert agencies[2][8:14] == (100, None, 0, None, 100, "Không")
    assert agencies[3][8:13] == (0, None, None, None, None)  # the commune did not exist
    assert agencies[4][1:10] == ("Toàn tỉnh", 6, 2, 6, 4, 2, 4, 66.7, 50.0)

    months = sheet_rows(book, 2)
    assert months[0][1:] == (
        "Trực tuyến trên Khiên (lượt)",
        "Tập huấn trực tiếp (lượt)",
        "Nền tảng khác (lượt)",
        "Ghi nhận thủ công (lượt)",
        "Tổng cộng (lượt)",
    )
    assert months[2] == ("Tháng 2/2026", 2, 0, 0, 0, 2)
    assert months[13] == ("Cả năm", 2, 1, 1, 1, 5)
    assert months[15][:2] == ("Người có ít nhất một lượt hoàn thành trong năm (người)", 4)

    sessions = sheet_rows(book, 3)
    assert sessions[1][0].date() == date(2026, 4, 5)
    assert sessions[1][1:3] == ("SA", "Sở A")
    assert sessions[1][6:] == (2, "Không")
    assert sessions[2][6] == 2

    below = sheet_rows(book, 4)
    assert [row[:4] for row in below[1:3]] == [("SA", "Sở A", 66.7, 80), ("XC", "Xã C", 0, 80)]

    compare = {row[0]: row[1:5] for row in sheet_rows(book, 5)[1:]}
    assert compare["Tỷ lệ hoàn thành (%)"] == (20, 66.7, 46.7, "%")
    assert compare["Cán bộ, công chức, viên chức thuộc diện (người)"] == (5, 6, 1, "người")
    assert compare["Lượt hoàn thành khoá học trong năm (lượt)"] == (1, 5, 4, "lượt")


def test_workbook_sheets_are_frozen_filtered_formatted_and_charted(province):
    data = xlsx_of(report_of())
    book = openpyxl.load_workbook(io.BytesIO(data))
    for sheet in book.worksheets:
        assert sheet.freeze_panes is not None, sheet.title
        assert sheet.auto_filter.ref, sheet.title
    agencies = book.worksheets[1]
    assert agencies["C2"].number_format == "#,##0"
    assert agencies["I2"].number_format == "0.0"
    assert agencies.column_dimensions["B"].width >= len("Sở A")
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        charts = [n for n in package.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 1
        chart = package.read(charts[0]).decode()
    assert "<c:barChart>" in chart
    assert 'val="stacked"' in chart
    assert chart.count("<c:ser>") == len(METHODS)


def test_workbook_in_english_says_people_and_turns(province):
    book = openpyxl.load_workbook(io.BytesIO(xlsx_of(report_of("en"), lang="en")))
    assert book.sheetnames[0] == "Summary"
    labels = [row[0] for row in sheet_rows(book, 0)]
    assert "People fully trained (people)" in labels
    assert "Completions in the year (turns)" in labels
    assert sheet_rows(book, 2)[0][1] == "Online on Khiên: completions (turns)"


def test_no_formula_reaches_the_workbook_from_unit_names(province, make_unit):
    make_unit("SF", name='=HYPERLINK("http://x","y")', parent=province.province, today=FOUNDED)
    data = xlsx_of(report_of())
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        sheets = [
            package.read(n).decode()
            for n in package.namelist()
            if n.startswith("xl/worksheets/sheet")
        ]
    assert not any("<f>" in xml for xml in sheets)
    book = openpyxl.load_workbook(io.BytesIO(data))
    cell = next(row[1] for row in book.worksheets[1].iter_rows() if row[0].value == "SF")
    assert cell.value == '=HYPERLINK("http://x","y")'
    assert cell.data_type == "s"
    assert cell.quotePrefix


def test_the_same_report_gives_the_same_bytes(province):
    report = report_of()
    assert xlsx_of(report) == xlsx_of(report)
    book = openpyxl.load_workbook(io.BytesIO(xlsx_of(report)))
    assert book.properties.created == NOW.replace(tzinfo=None)


# -- The draft document ---------------------------------------------------------------------


def test_document_has_the_decree_header_title_recipients_and_signature(province):
    text = docx_text(docx_of(report_of()))
    for expected in (
        "UBND TỈNH AN GIANG",
        "SỞ KHOA HỌC VÀ CÔNG NGHỆ",
        "Số:        /BC-SKHCN",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "An Giang, ngày      tháng      năm",
        "BÁO CÁO",
        "Kết quả đào tạo, bồi dưỡng nhận thức về an toàn thông tin mạng năm 2026",
        "Thực hiện Chỉ thị số 288/CT-UBND ngày 29 tháng 01 năm 2016 của Ủy ban nhân dân tỉnh "
        "Kiên Giang (nay thuộc tỉnh An Giang)",
        "I. TÌNH HÌNH TRIỂN KHAI",
        "II. KẾT QUẢ",
        "III. TỒN TẠI, HẠN CHẾ",
        "IV. ĐỀ XUẤT",
        "Nơi nhận:",
        "- UBND tỉnh (để b/c);",
        "- Lưu: VT.",
        "GIÁM ĐỐC",
        "(Ký, ghi rõ họ tên)",
    ):
        assert expected in text, expected
    assert "…" not in text


def test_document_header_and_signature_are_two_borderless_columns(province):
    document = Document(io.BytesIO(docx_of(report_of())))
    header, *_, signature = document.tables
    assert header.style.name == "Normal Table"
    left, right = header.rows[0].cells
    issuer = next(p for p in left.paragraphs if p.text == "SỞ KHOA HỌC VÀ CÔNG NGHỆ")
    assert all(run.bold for run in issuer.runs)
    assert any(
        p._p.pPr is not None
        and p._p.pPr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}pBdr")
        is not None
        for p in left.paragraphs
    )
    date_line = next(p for p in right.paragraphs if p.text.startswith("An Giang, ngày"))
    assert all(run.italic for run in date_line.runs)
    recipients, signer = signature.rows[0].cells
    assert recipients.paragraphs[0].text == "Nơi nhận:"
    assert signer.paragraphs[0].text == "GIÁM ĐỐC"


def test_document_page_is_a4_with_the_decree_margins_in_times_new_roman(province):
    document = Document(io.BytesIO(docx_of(report_of())))
    section = document.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.1)  # Word keeps twentieths of a point
    assert abs(section.page_height - Mm(297)) < Mm(0.1)
    slack = Mm(0.1)
    assert Mm(20) - slack <= section.top_margin <= Mm(25)
    assert Mm(20) - slack <= section.bottom_margin <= Mm(25)
    assert Mm(30) - slack <= section.left_margin <= Mm(35)
    assert Mm(15) - slack <= section.right_margin <= Mm(20)
    body = [r for p in document.paragraphs for r in p.runs if r.text.strip()]
    assert body
    assert all(r.font.name == "Times New Roman" for r in body)
    assert all(13 <= r.font.size.pt <= 14 for r in body)


def test_document_prints_each_key_figure_as_the_workbook_holds_it(province):
    """The numbers are read back from the workbook's cells and written through the same
    function the document uses: what the reader checks in Excel is what the text says."""
    targets()
    report = report_of()
    book = openpyxl.load_workbook(io.BytesIO(xlsx_of(report)))
    summary = sheet_rows(book, 0)
    header = summary.index(("Nội dung", "Số liệu", "Đơn vị tính", "Thời điểm, kỳ"))
    cells = {row[0]: row[1] for row in summary[header + 1 :]}
    text = docx_text(docx_of(report))
    words = {Count.PEOPLE: " người", Count.TURNS: " lượt", Count.PERCENT: ""}
    for figure in report.figures():
        if figure.count not in words:
            continue
        shown = format_value(cells[figure.label("vi")], figure.count) + words[figure.count]
        assert shown in text, (figure.key, shown)
    assert "66,7%" in text  # this year
    assert "20,0%" in text  # the year before
    for row in sheet_rows(book, 1)[1:4]:  # the per-agency table, this year and last
        line = f"{row[1]}{' (*)' if row[13] == 'Có' else ''}"
        assert line in text
        for value in (row[8], row[10]):
            assert format_value(value, Count.PERCENT) in text
    assert "Sở A (66,7%; đối tượng ưu tiên 50,0%); Xã C (0,0%)" in text


def test_document_thousands_and_decimals_are_vietnamese(province):
    report = report_of()
    bigger = replace(report, this_year=replace(report.this_year, staff=12345))
    text = docx_text(docx_of(bigger))
    assert "12.345 người" in text
    assert "66,7%" in text


def test_document_symbol_is_the_issuers_initials():
    assert document_symbol("Sở Khoa học và Công nghệ") == "SKHCN"
    assert document_symbol("Sở Giáo dục và Đào tạo") == "SGDĐT"


# -- Command and background job -------------------------------------------------------------


def test_command_writes_the_workbook_and_the_document(app, province, tmp_path: Path):
    out, draft = tmp_path / "bao-cao.xlsx", tmp_path / "bao-cao.docx"
    result = app.test_cli_runner().invoke(
        annual_command, ["--year", "2025", "--out", str(out), "--docx", str(draft)]
    )
    assert result.exit_code == 0, result.output
    assert str(out) in result.output
    assert str(draft) in result.output
    book = openpyxl.load_workbook(out)
    assert book.worksheets[0]["B4"].value == 2025
    assert "Kết quả đào tạo, bồi dưỡng nhận thức về an toàn thông tin mạng năm 2025" in docx_text(
        draft.read_bytes()
    )


def test_command_in_english_and_without_a_document(app, province, tmp_path: Path):
    out = tmp_path / "report.xlsx"
    result = app.test_cli_runner().invoke(
        annual_command, ["--year", "2025", "--out", str(out), "--lang", "en"]
    )
    assert result.exit_code == 0, result.output
    assert "people fully trained" in result.output
    assert openpyxl.load_workbook(out).sheetnames[0] == "Summary"
    assert list(tmp_path.iterdir()) == [out]


def test_command_refuses_a_year_not_begun_and_writes_nothing(app, database, tmp_path: Path):
    out = tmp_path / "x.xlsx"
    result = app.test_cli_runner().invoke(
        annual_command, ["--year", str(today_vn().year + 1), "--out", str(out)]
    )
    assert result.exit_code == 1
    assert "chưa bắt đầu" in result.output
    assert not out.exists()


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_producer_writes_the_file_for_an_administrator(province, make_user, tmp_path, fmt):
    admin = make_user(role=Role.ICT_ADMIN, unit=province.province, username="quantri")
    job = ExportJob(owner=admin, kind="annual_report", params={"year": 2025, "format": fmt})
    steps: list[tuple[int, int | None]] = []
    path = tmp_path / "part"
    name = annual_producer(job, path, lambda done, total: steps.append((done, total)))
    assert name == f"bao-cao-nam-2025.{fmt}"
    assert steps[-1][0] == steps[-1][1]
    if fmt == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO(path.read_bytes()))
        assert book.worksheets[0]["B4"].value == 2025
    else:
        assert "BÁO CÁO" in docx_text(path.read_bytes())


def test_producer_refuses_an_officer(province, make_user, tmp_path):
    officer = make_user(role=Role.UNIT_OFFICER, unit=province.a, username="cntt.sa")
    job = ExportJob(owner=officer, kind="annual_report", params={"year": 2025})
    with pytest.raises(KhienError, match="quản trị"):
        annual_producer(job, tmp_path / "part", lambda done, total: None)
    assert not (tmp_path / "part").exists()


# -- The demo province ----------------------------------------------------------------------


def test_demo_agencies_are_the_provinces_direct_sub_units(demo):
    now = utcnow()
    report = build_annual(today_vn().year, now=now)
    table = by_unit(Filters(as_of=report.as_of)).table
    assert table.iloc[0]["depth"] == 0
    direct = table[table["depth"] == 1]
    assert [row.code for row in report.agencies] == direct["unit_code"].tolist()
    assert report.this_year.staff == table.iloc[0]["staff"] == sum(r.staff for r in report.agencies)
    assert report.province_name == table.iloc[0]["unit_name"] == "Tỉnh An Giang"
    # the demo's classroom sessions of these two years, and the completions earned at them
    since = date(report.year - 1, 1, 1)
    attended = db.session.scalar(
        select(func.count())
        .select_from(Attendance)
        .join(ClassroomSession, ClassroomSession.id == Attendance.session_id)
        .where(ClassroomSession.held_on >= since)
    )
    earned_in_person = db.session.scalar(
        select(func.count()).where(
            Completion.method == CompletionMethod.IN_PERSON,
            Completion.revoked_at.is_(None),
            Completion.completed_on >= since,
        )
    )
    assert attended > 0
    assert earned_in_person > 0
    assert report.attendance + report.previous_attendance == attended
    in_person = METHODS.index(CompletionMethod.IN_PERSON)
    assert (
        report.completions_by_method[in_person] + report.previous_completions[in_person]
        == earned_in_person
    )
