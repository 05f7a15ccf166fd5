"""The yearly report as a draft administrative document (D6b.9), which the department edits,
numbers and signs.

Laid out as Nghị định 30/2020/NĐ-CP lays out an administrative document: A4, Times New Roman,
margins top and bottom 20 mm, left 30 mm, right 15 mm; the superior and issuing bodies top left
(the issuing body bold, a short rule under it), the national name and motto top right (a rule
under the motto), the number left blank for the clerk ("Số:      /BC-…"), place and date in
italics with the day left blank, the title, the body, "Nơi nhận" bottom left and the signature
block bottom right. The recipients are in 12 and 11 pt, as the decree sets them; the rest in 13
and 14.

Every figure is the workbook's, written by `annual.format_value` (1.234 người, 87,5%), so the
number a reader checks in the table is the number printed in the text.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, BinaryIO

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from training.reports.annual import (
    METHODS,
    AgencyRow,
    AnnualReport,
    Count,
    format_date,
    format_pct,
    format_value,
    method_name,
    report_title,
)
from training.text import fold

FONT = "Times New Roman"
BODY_PT = 14
TABLE_PT = 13
TEXT_WIDTH_MM = 210 - 30 - 15
LEFT_HEAD_MM = 70  # the bodies' column of the header; the national name takes the rest
VI = "vi"

DIRECTIVE = (
    "Chỉ thị số 288/CT-UBND ngày 29 tháng 01 năm 2016 của Ủy ban nhân dân tỉnh Kiên Giang "
    "về công tác đảm bảo an ninh và an toàn thông tin mạng trong các cơ quan, tổ chức, doanh "
    "nghiệp nhà nước trên địa bàn tỉnh"
)
LOWEST_SHOWN = 3  # agencies named as the lowest when no target says who is behind


def document_symbol(issuing_body: str) -> str:
    """The issuing body's initials, as the number's symbol uses them: "Sở Khoa học và Công
    nghệ" → SKHCN, "Sở Giáo dục và Đào tạo" → SGDĐT ("và" is not an initial)."""
    return "".join(word[0].upper() for word in issuing_body.split() if fold(word) != "va")


def _lower_first(text: str) -> str:
    """Mid-sentence, without lowering a name in it (Khiên)."""
    return text[:1].lower() + text[1:]


def _n(value: int | float | None, count: Count) -> str:
    return format_value(value, count, VI)


def _people(value: int | None) -> str:
    return f"{_n(value, Count.PEOPLE)} người"


def _turns(value: int | None) -> str:
    return f"{_n(value, Count.TURNS)} lượt"


def _pct(value: float | None) -> str:
    return format_pct(value, VI)


# -- Layout helpers ---------------------------------------------------------------------------


def _set_font(run_or_style: Any, size: float | None = None) -> None:
    """Word picks the font of a letter by its script: set every slot, or Vietnamese letters
    outside Latin-1 may fall back to another face."""
    font = run_or_style.font
    font.name = FONT
    if size is not None:
        font.size = Pt(size)
    element = run_or_style.element
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), FONT)


def _paragraph(
    container: Any,
    text: str = "",
    *,
    size: float = BODY_PT,
    bold: bool = False,
    italic: bool = False,
    align: Any = WD_ALIGN_PARAGRAPH.JUSTIFY,
    indent: bool = False,
    before: float = 0,
    after: float = 6,
) -> Any:
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    fmt.line_spacing = 1.15 if align == WD_ALIGN_PARAGRAPH.JUSTIFY else 1.0
    if indent:
        fmt.first_line_indent = Mm(10)
    if text:
        _run(paragraph, text, size=size, bold=bold, italic=italic)
    return paragraph


def _run(
    paragraph: Any, text: str, *, size: float, bold: bool = False, italic: bool = False
) -> Any:
    run = paragraph.add_run(text)
    run.bold, run.italic = bold, italic
    _set_font(run, size)
    return run


def _rule(container: Any, length_mm: float, width_mm: float) -> None:
    """The short solid line under the issuing body, the motto and the title: a bottom border
    on an empty paragraph, indented to the line's length and centred."""
    paragraph = container.add_paragraph()
    fmt = paragraph.paragraph_format
    side = Mm(max(width_mm - length_mm, 0) / 2)
    fmt.left_indent = fmt.right_indent = side
    fmt.space_before, fmt.space_after = Pt(0), Pt(6)
    fmt.line_spacing = Pt(2)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "auto")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _cell_width(cell: Any, mm: float) -> None:
    cell.width = Mm(mm)


def _column_widths(table: Any, widths: Sequence[float]) -> None:
    """Word reads the grid's widths, LibreOffice the cells': set both."""
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Mm(width)


def _grid(document: Any, headers: Sequence[str], widths: Sequence[float]) -> Any:
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _column_widths(table, widths)
    for cell, header, width in zip(table.rows[0].cells, headers, widths, strict=True):
        _cell_width(cell, width)
        cell.text = ""
        _paragraph_in(cell, header, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _repeat_header(table.rows[0])
    return table


def _repeat_header(row: Any) -> None:
    """A table that runs onto the next page repeats its header there."""
    properties = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    properties.append(flag)


def _paragraph_in(
    cell: Any,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    align: Any = WD_ALIGN_PARAGRAPH.LEFT,
    size: float = TABLE_PT,
) -> None:
    """A cell starts with one empty paragraph: write into it rather than under it."""
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_before, fmt.space_after = Pt(2), Pt(2)
    _run(paragraph, text, size=size, bold=bold, italic=italic)


def _row(
    table: Any,
    values: Sequence[str],
    widths: Sequence[float],
    *,
    bold: bool = False,
    first_left: int = 2,
) -> None:
    """Numbers right-aligned; the first `first_left` columns (number, name) left-aligned."""
    cells = table.add_row().cells
    for i, (cell, value, width) in enumerate(zip(cells, values, widths, strict=True)):
        _cell_width(cell, width)
        align = WD_ALIGN_PARAGRAPH.LEFT if i < first_left else WD_ALIGN_PARAGRAPH.RIGHT
        if i == 0 and first_left == 2:
            align = WD_ALIGN_PARAGRAPH.CENTER
        _paragraph_in(cell, value, bold=bold, align=align)


# -- The document ---------------------------------------------------------------------------


def write_annual_docx(
    out: BinaryIO, report: AnnualReport, *, issuing_body: str, place: str
) -> None:
    document = Document()
    _page(document)
    _properties(document, report, issuing_body)
    _header(document, report, issuing_body, place)
    _title(document, report)
    _opening(document, report, issuing_body, place)
    _deployment(document, report)
    _results(document, report)
    _shortcomings(document, report)
    _proposals(document, report, issuing_body)
    _closing(document, report, issuing_body)
    _recipients_and_signature(document)
    document.save(out)


def _page(document: Any) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    normal = document.styles["Normal"]
    _set_font(normal, BODY_PT)
    normal.paragraph_format.space_after = Pt(0)
    table_style = document.styles["Table Grid"]
    _set_font(table_style, TABLE_PT)


def _properties(document: Any, report: AnnualReport, issuing_body: str) -> None:
    """The template's own author and dates (python-docx, 2013) would otherwise be the file's."""
    properties = document.core_properties
    properties.title = f"Báo cáo {report_title(report.year, VI)}"
    properties.author = properties.last_modified_by = issuing_body
    properties.created = properties.modified = report.generated_at
    properties.revision = 1
    properties.comments = ""


def _header(document: Any, report: AnnualReport, issuing_body: str, place: str) -> None:
    """No borders: the "Normal Table" style draws none."""
    right_mm = TEXT_WIDTH_MM - LEFT_HEAD_MM
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _column_widths(table, (LEFT_HEAD_MM, right_mm))
    left, right = table.rows[0].cells
    _cell_width(left, LEFT_HEAD_MM)
    _cell_width(right, right_mm)
    centre = WD_ALIGN_PARAGRAPH.CENTER

    _paragraph_in(left, f"UBND TỈNH {place.upper()}", align=centre)
    _paragraph(left, issuing_body.upper(), size=13, bold=True, align=centre, after=0)
    _rule(left, 25, LEFT_HEAD_MM)
    symbol = document_symbol(issuing_body)
    _paragraph(left, f"Số:        /BC-{symbol}", size=13, align=centre)

    _paragraph_in(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, align=centre)
    _paragraph(right, "Độc lập - Tự do - Hạnh phúc", size=BODY_PT, bold=True, align=centre, after=0)
    _rule(right, 62, right_mm)
    _paragraph(
        right,
        f"{place}, ngày      tháng      năm        ",  # the clerk dates it when it is signed
        italic=True,
        align=centre,
    )


def _title(document: Any, report: AnnualReport) -> None:
    centre = WD_ALIGN_PARAGRAPH.CENTER
    _paragraph(document, "BÁO CÁO", bold=True, align=centre, before=18, after=0)
    _paragraph(document, report_title(report.year, VI), bold=True, align=centre, after=0)
    _rule(document, 50, TEXT_WIDTH_MM)


def _opening(document: Any, report: AnnualReport, issuing_body: str, place: str) -> None:
    now_part = "" if fold(place) == fold("Kiên Giang") else f" (nay thuộc tỉnh {place})"
    directive = DIRECTIVE.replace("tỉnh Kiên Giang", f"tỉnh Kiên Giang{now_part}", 1)
    _paragraph(
        document,
        f"Thực hiện {directive}, {issuing_body} báo cáo kết quả đào tạo, bồi dưỡng nhận thức "
        f"về an toàn thông tin mạng cho cán bộ, công chức, viên chức năm {report.year} như sau:",
        indent=True,
    )


def _heading(document: Any, text: str) -> None:
    _paragraph(document, text, bold=True, before=6, indent=True)


def _subheading(document: Any, text: str) -> None:
    _paragraph(document, text, bold=True, italic=True, indent=True)


def _bullet(document: Any, text: str) -> None:
    _paragraph(document, f"- {text}", indent=True)


def _day_phrase(report: AnnualReport) -> str:
    return f"ngày {format_date(report.as_of)}"


def _deployment(document: Any, report: AnnualReport) -> None:
    this = report.this_year
    _heading(document, "I. TÌNH HÌNH TRIỂN KHAI")
    _paragraph(
        document,
        f"Năm {report.year}, việc đào tạo, bồi dưỡng được triển khai trực tuyến trên nền tảng "
        "Khiên, kết hợp tập huấn trực tiếp tại các cơ quan, đơn vị và công nhận kết quả học tập "
        "trên các nền tảng khác. Mỗi khoá học hoàn thành được cấp chứng nhận có hiệu lực theo "
        "thời hạn của khoá học; người soạn thảo văn bản mật và người công tác ở bộ phận quan "
        "trọng là đối tượng ưu tiên theo Chỉ thị.",
        indent=True,
    )
    _paragraph(
        document,
        f"Tính đến {_day_phrase(report)}, toàn tỉnh có "
        f"{_n(len(report.agencies), Count.UNITS)} cơ quan, đơn vị, địa phương trực thuộc với "
        f"{_people(this.staff)} thuộc diện đào tạo, trong đó {_people(this.priority_staff)} "
        f"thuộc đối tượng ưu tiên. Trong năm, các cơ quan, đơn vị đã tổ chức "
        f"{_n(len(report.sessions), Count.SESSIONS)} buổi tập huấn trực tiếp với "
        f"{_turns(report.attendance)} người tham dự.",
        indent=True,
    )
    if report.is_partial_year:
        _paragraph(
            document,
            f"Do năm {report.year} chưa kết thúc, số liệu trong báo cáo được tính đến "
            f"{_day_phrase(report)}.",
            italic=True,
            indent=True,
        )


def _results(document: Any, report: AnnualReport) -> None:
    this, last = report.this_year, report.last_year
    previous_day = format_date(report.previous_as_of)
    _heading(document, "II. KẾT QUẢ")
    _subheading(document, f"1. Kết quả chung (tính đến {_day_phrase(report)})")
    _bullet(
        document,
        f"Số người đã hoàn thành đầy đủ các khoá học được giao: "
        f"{_people(this.staff_fully_trained)} trên tổng số {_people(this.staff)} "
        f"(ngày {previous_day}: {_people(last.staff_fully_trained)}).",
    )
    _bullet(
        document,
        f"Số khoá học phải hoàn thành: {_turns(this.required)}; đã hoàn thành và còn hiệu lực: "
        f"{_turns(this.completed)}, đạt tỷ lệ {_pct(this.coverage_pct)} "
        f"(ngày {previous_day}: {_pct(last.coverage_pct)}).",
    )
    _bullet(
        document,
        f"Đối với đối tượng ưu tiên: {_turns(this.priority_required)} phải hoàn thành, đã hoàn "
        f"thành {_turns(this.priority_completed)}, đạt tỷ lệ {_pct(this.priority_coverage_pct)} "
        f"(ngày {previous_day}: {_pct(last.priority_coverage_pct)}).",
    )
    _bullet(document, f"Số khoá học đã quá hạn nhưng chưa hoàn thành: {_turns(this.overdue)}.")

    by_method = report.completions_by_method
    sources = "; ".join(
        f"{_lower_first(method_name(method, VI))}: {_turns(by_method[i])}"
        for i, method in enumerate(METHODS)
    )
    _subheading(document, f"2. Kết quả hoàn thành khoá học trong năm {report.year}")
    _paragraph(
        document,
        f"Trong năm có {_turns(report.completions)} hoàn thành khoá học của "
        f"{_people(report.people_completing)} (một người có thể hoàn thành nhiều khoá học), "
        f"gồm: {sources}. Năm {report.year - 1}: {_turns(sum(report.previous_completions))} "
        f"của {_people(report.previous_people_completing)}. Chi tiết theo tháng tại Bảng 2.",
        indent=True,
    )

    _subheading(document, "3. Kết quả theo cơ quan, đơn vị")
    _paragraph(
        document,
        f"Tỷ lệ hoàn thành của từng cơ quan, đơn vị, địa phương tính đến {_day_phrase(report)}, "
        f"so với ngày {previous_day}, tại Bảng 1.",
        indent=True,
    )
    _agency_table(document, report)
    _month_table(document, report)


AGENCY_WIDTHS = (11, 54, 20, 20, 20, 20, 20)


def _agency_table(document: Any, report: AnnualReport) -> None:
    year, previous = report.year, report.year - 1
    _paragraph(
        document,
        "Bảng 1. Tỷ lệ hoàn thành theo cơ quan, đơn vị",
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        before=6,
    )
    table = _grid(
        document,
        [
            "TT",
            "Cơ quan, đơn vị",
            "Người thuộc diện (người)",
            f"Tỷ lệ hoàn thành năm {year}",
            f"Tỷ lệ hoàn thành năm {previous}",
            f"Đối tượng ưu tiên năm {year}",
            f"Đối tượng ưu tiên năm {previous}",
        ],
        AGENCY_WIDTHS,
    )
    for number, agency in enumerate(report.agencies, start=1):
        name = f"{agency.name} (*)" if agency.below_target else agency.name
        _row(
            table,
            [
                str(number),
                name,
                _n(agency.staff, Count.PEOPLE),
                _pct(agency.coverage_pct),
                _pct(agency.previous_coverage_pct),
                _pct(agency.priority_coverage_pct),
                _pct(agency.previous_priority_coverage_pct),
            ],
            AGENCY_WIDTHS,
        )
    this, last = report.this_year, report.last_year
    _row(
        table,
        [
            "",
            "Toàn tỉnh",
            _n(this.staff, Count.PEOPLE),
            _pct(this.coverage_pct),
            _pct(last.coverage_pct),
            _pct(this.priority_coverage_pct),
            _pct(last.priority_coverage_pct),
        ],
        AGENCY_WIDTHS,
        bold=True,
    )
    notes = [
        f"Tỷ lệ hoàn thành = số khoá học đã hoàn thành, còn hiệu lực / số khoá học phải hoàn "
        f"thành (lượt), tại ngày {format_date(report.as_of)} và ngày "
        f"{format_date(report.previous_as_of)}; “–”: không có khoá học phải hoàn thành hoặc "
        f"đơn vị chưa được thành lập."
    ]
    if report.below_target:
        notes.append("(*) Chưa đạt chỉ tiêu tỷ lệ hoàn thành.")
    for note in notes:
        _paragraph(document, note, size=TABLE_PT, italic=True, before=3, after=3)


MONTH_WIDTHS = (25, 28, 28, 28, 28, 28)


def _month_table(document: Any, report: AnnualReport) -> None:
    _paragraph(
        document,
        f"Bảng 2. Số lượt hoàn thành khoá học theo tháng năm {report.year} (lượt)",
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        before=12,
    )
    table = _grid(document, ["Tháng", *(method_name(m, VI) for m in METHODS), "Tổng"], MONTH_WIDTHS)
    for month in report.months:
        _row(
            table,
            [
                str(month.month),
                *(_n(value, Count.TURNS) for value in month.by_method),
                _n(month.total, Count.TURNS),
            ],
            MONTH_WIDTHS,
            first_left=1,
        )
    _row(
        table,
        [
            "Cả năm",
            *(_n(value, Count.TURNS) for value in report.completions_by_method),
            _n(report.completions, Count.TURNS),
        ],
        MONTH_WIDTHS,
        bold=True,
        first_left=1,
    )
    _paragraph(document, "", after=0)


def _agency_phrase(agency: AgencyRow, *, priority: bool) -> str:
    text = f"{agency.name} ({_pct(agency.coverage_pct)}"
    if priority and agency.priority_coverage_pct is not None:
        text += f"; đối tượng ưu tiên {_pct(agency.priority_coverage_pct)}"
    return text + ")"


def _by_day(day: date | None) -> str:
    return f", hạn ngày {format_date(day)}" if day else ""


def _shortcomings(document: Any, report: AnnualReport) -> None:
    this = report.this_year
    _heading(document, "III. TỒN TẠI, HẠN CHẾ")
    has_target = report.target_pct is not None or report.priority_target_pct is not None
    if not has_target:
        measured = [a for a in report.agencies if a.coverage_pct is not None]
        lowest = sorted(measured, key=lambda a: (a.coverage_pct, a.name))[:LOWEST_SHOWN]
        text = (
            "Chưa có chỉ tiêu tỷ lệ hoàn thành đang áp dụng nên chưa đánh giá được mức độ đạt "
            "chỉ tiêu của từng cơ quan, đơn vị."
        )
        if lowest:
            names = "; ".join(_agency_phrase(a, priority=False) for a in lowest)
            text += f" Các đơn vị có tỷ lệ hoàn thành thấp nhất: {names}."
        _bullet(document, text)
    else:
        wanted = []
        if report.target_pct is not None:
            wanted.append(
                f"{_pct(report.target_pct)} đối với toàn bộ cán bộ, công chức, viên chức"
                + _by_day(report.target_due_on)
            )
        if report.priority_target_pct is not None:
            wanted.append(
                f"{_pct(report.priority_target_pct)} đối với đối tượng ưu tiên"
                + _by_day(report.priority_target_due_on)
            )
        below = report.below_target
        if below:
            names = "; ".join(_agency_phrase(a, priority=True) for a in below)
            _bullet(
                document,
                f"Theo chỉ tiêu tỷ lệ hoàn thành đang áp dụng ({'; '.join(wanted)}), còn "
                f"{_n(len(below), Count.UNITS)}/{_n(len(report.agencies), Count.UNITS)} cơ "
                f"quan, đơn vị chưa đạt: {names}.",
            )
        else:
            _bullet(
                document,
                f"Tất cả cơ quan, đơn vị đã đạt chỉ tiêu tỷ lệ hoàn thành đang áp dụng "
                f"({'; '.join(wanted)}).",
            )
    _bullet(
        document,
        f"Còn {_turns(this.overdue)} khoá học đã quá hạn nhưng chưa hoàn thành; mới có "
        f"{_people(this.staff_fully_trained)} trên tổng số {_people(this.staff)} hoàn thành "
        f"đầy đủ các khoá học được giao.",
    )
    if (
        this.priority_coverage_pct is not None
        and this.coverage_pct is not None
        and this.priority_coverage_pct < this.coverage_pct
    ):
        _bullet(
            document,
            f"Tỷ lệ hoàn thành của đối tượng ưu tiên ({_pct(this.priority_coverage_pct)}) còn "
            f"thấp hơn tỷ lệ chung ({_pct(this.coverage_pct)}), trong khi Chỉ thị yêu cầu chú "
            "trọng người soạn thảo văn bản mật và người công tác ở bộ phận quan trọng.",
        )


def _proposals(document: Any, report: AnnualReport, issuing_body: str) -> None:
    _heading(document, "IV. ĐỀ XUẤT")
    _bullet(
        document,
        "Đề nghị Ủy ban nhân dân tỉnh chỉ đạo thủ trưởng các cơ quan, đơn vị, địa phương, nhất "
        "là các đơn vị có tỷ lệ hoàn thành thấp, đôn đốc cán bộ, công chức, viên chức hoàn "
        "thành các khoá học được giao trong quý I năm "
        f"{report.year + 1}, ưu tiên người soạn thảo văn bản mật và người công tác ở bộ phận "
        "quan trọng; đưa kết quả hoàn thành vào tiêu chí đánh giá, xếp loại cuối năm.",
    )
    _bullet(
        document,
        "Các cơ quan, đơn vị cập nhật kịp thời danh sách cán bộ khi có thay đổi về tổ chức, "
        "nhân sự, để số liệu báo cáo phản ánh đúng thực tế; bố trí tập huấn trực tiếp cho bộ "
        "phận có điều kiện học trực tuyến hạn chế.",
    )
    _bullet(
        document,
        f"{issuing_body} tiếp tục cập nhật nội dung các khoá học theo quy định mới và tình hình "
        "an toàn thông tin mạng, phối hợp với Công an tỉnh trong công tác tuyên truyền, phổ "
        "biến và theo dõi, đôn đốc việc thực hiện.",
    )


def _closing(document: Any, report: AnnualReport, issuing_body: str) -> None:
    _paragraph(
        document,
        f"Trên đây là báo cáo kết quả đào tạo, bồi dưỡng nhận thức về an toàn thông tin mạng năm "
        f"{report.year} của {issuing_body}, kính báo cáo Ủy ban nhân dân tỉnh xem xét, chỉ "
        "đạo./.",
        indent=True,
        before=6,
    )


RECIPIENTS = (
    "- UBND tỉnh (để b/c);",
    "- Các sở, ban, ngành tỉnh;",
    "- UBND các xã, phường, đặc khu;",
    "- Lưu: VT.",
)


def _recipients_and_signature(document: Any) -> None:
    table = document.add_table(rows=1, cols=2)
    _column_widths(table, (80, TEXT_WIDTH_MM - 80))
    left, right = table.rows[0].cells
    _cell_width(left, 80)
    _cell_width(right, TEXT_WIDTH_MM - 80)
    _paragraph_in(left, "Nơi nhận:", bold=True, italic=True, size=12)
    for line in RECIPIENTS:
        _paragraph(left, line, size=11, align=WD_ALIGN_PARAGRAPH.LEFT, after=0)
    centre = WD_ALIGN_PARAGRAPH.CENTER
    _paragraph_in(right, "GIÁM ĐỐC", bold=True, align=centre, size=BODY_PT)
    _paragraph(right, "(Ký, ghi rõ họ tên)", italic=True, align=centre, after=0)
    for _ in range(4):  # room for the signature and the seal
        _paragraph(right, "", align=centre, after=0)
