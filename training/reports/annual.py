"""The yearly report to the People's Committee (D6b.9): the figures, gathered once, for the
workbook (`annual_xlsx`) and the draft administrative document (`annual_docx`) alike, so both
print the same numbers.

Provincial reports mix people and turns (lượt): "1.200 cán bộ được đào tạo" may mean 1,200
people or 1,200 course completions by far fewer people. Every figure here carries its unit of
count (`Count`), every label names it, and both are given: people fully trained at year end,
and completions (turns) earned in the year by how they were earned.

The year-end figures are the coverage engine's (`coverage.by_unit`) on 31/12 of the year and of
the year before, so they match every other report of those days. A report asked for before the
year is out counts as of today instead: a coverage "as of 31/12" computed in December would call
overdue what is merely due later this month. Per agency means the province's direct sub-units
as the tree stood on the day (departments, communes and wards, enterprises); a unit that did not
stand a year earlier has no previous figures, rather than zeros.

Labels are kept here in both languages rather than in the message catalogue: the document is
written in the language asked for, whatever the reader's interface, and reads as one text.
"""

from __future__ import annotations

import calendar
import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

import pandas as pd
from sqlalchemy import Integer, and_, cast, distinct, extract, func, select

from training.clock import VN_TZ, utcnow
from training.courses.models import (
    Attendance,
    ClassroomSession,
    Completion,
    CompletionMethod,
    Course,
)
from training.errors import KhienError
from training.extensions import db
from training.org.history import TreeOnDay, UnitOnDay, valid_on
from training.org.models import Unit, UnitKind, UnitPlacement
from training.reports.coverage import Filters, UnitReport, by_unit
from training.reports.overview import Overview
from training.reports.targets import Targets, below_target, targets_in_force

LANGS = ("vi", "en")

# The order of the sources in every table: online here first, then what came from elsewhere.
METHODS: tuple[CompletionMethod, ...] = (
    CompletionMethod.QUIZ,
    CompletionMethod.IN_PERSON,
    CompletionMethod.EXTERNAL,
    CompletionMethod.MANUAL,
)


class Count(enum.StrEnum):
    """What a figure counts: the one thing a provincial table must never leave unsaid."""

    PEOPLE = "people"
    TURNS = "turns"
    PERCENT = "percent"
    SESSIONS = "sessions"
    UNITS = "units"


COUNT_WORDS: dict[Count, tuple[str, str]] = {
    Count.PEOPLE: ("người", "people"),
    Count.TURNS: ("lượt", "turns"),
    Count.PERCENT: ("%", "%"),
    Count.SESSIONS: ("buổi", "sessions"),
    Count.UNITS: ("đơn vị", "units"),
}

METHOD_NAMES: dict[CompletionMethod, tuple[str, str]] = {
    CompletionMethod.QUIZ: ("Trực tuyến trên Khiên", "Online on Khiên"),
    CompletionMethod.IN_PERSON: ("Tập huấn trực tiếp", "In person"),
    CompletionMethod.EXTERNAL: ("Nền tảng khác", "External platform"),
    CompletionMethod.MANUAL: ("Ghi nhận thủ công", "Recorded by hand"),
}

# (Vietnamese, English) for each figure; the words in brackets are the unit of count.
FIGURE_LABELS: dict[str, tuple[str, str]] = {
    "staff": ("Cán bộ, công chức, viên chức thuộc diện (người)", "Staff to be trained (people)"),
    "priority_staff": (
        "Trong đó: đối tượng ưu tiên (người)",
        "Of whom priority staff (people)",
    ),
    "staff_fully_trained": (
        "Người đã hoàn thành đầy đủ các khoá học được giao (người)",
        "People fully trained (people)",
    ),
    "required": ("Khoá học phải hoàn thành (lượt)", "Courses required (turns)"),
    "completed": (
        "Khoá học đã hoàn thành, còn hiệu lực (lượt)",
        "Courses completed and valid (turns)",
    ),
    "coverage_pct": ("Tỷ lệ hoàn thành (%)", "Coverage (%)"),
    "priority_required": (
        "Đối tượng ưu tiên: khoá học phải hoàn thành (lượt)",
        "Priority staff: courses required (turns)",
    ),
    "priority_completed": (
        "Đối tượng ưu tiên: khoá học đã hoàn thành (lượt)",
        "Priority staff: courses completed (turns)",
    ),
    "priority_coverage_pct": (
        "Tỷ lệ hoàn thành của đối tượng ưu tiên (%)",
        "Priority staff coverage (%)",
    ),
    "overdue": (
        "Khoá học quá hạn chưa hoàn thành (lượt)",
        "Courses overdue, not completed (turns)",
    ),
    "completions": (
        "Lượt hoàn thành khoá học trong năm (lượt)",
        "Completions in the year (turns)",
    ),
    "completions_quiz": ("- trực tuyến trên Khiên (lượt)", "- online on Khiên (turns)"),
    "completions_in_person": ("- tập huấn trực tiếp (lượt)", "- in person (turns)"),
    "completions_external": (
        "- trên nền tảng khác, được công nhận (lượt)",
        "- on external platforms (turns)",
    ),
    "completions_manual": ("- ghi nhận thủ công (lượt)", "- recorded by hand (turns)"),
    "people_completing": (
        "Người có ít nhất một lượt hoàn thành trong năm (người)",
        "People with at least one completion in the year (people)",
    ),
    "sessions": (
        "Buổi tập huấn trực tiếp đã tổ chức (buổi)",
        "In-person sessions held (sessions)",
    ),
    "attendance": (
        "Lượt người tham dự tập huấn trực tiếp (lượt)",
        "Attendance at in-person sessions (turns)",
    ),
    "agencies": ("Cơ quan, đơn vị, địa phương (đơn vị)", "Agencies (units)"),
    "agencies_below_target": (
        "Cơ quan, đơn vị chưa đạt chỉ tiêu (đơn vị)",
        "Agencies below target (units)",
    ),
}

FIGURE_COUNTS: dict[str, Count] = {
    "staff": Count.PEOPLE,
    "priority_staff": Count.PEOPLE,
    "staff_fully_trained": Count.PEOPLE,
    "required": Count.TURNS,
    "completed": Count.TURNS,
    "coverage_pct": Count.PERCENT,
    "priority_required": Count.TURNS,
    "priority_completed": Count.TURNS,
    "priority_coverage_pct": Count.PERCENT,
    "overdue": Count.TURNS,
    "completions": Count.TURNS,
    "completions_quiz": Count.TURNS,
    "completions_in_person": Count.TURNS,
    "completions_external": Count.TURNS,
    "completions_manual": Count.TURNS,
    "people_completing": Count.PEOPLE,
    "sessions": Count.SESSIONS,
    "attendance": Count.TURNS,
    "agencies": Count.UNITS,
    "agencies_below_target": Count.UNITS,
}

YEAR_END_FIGURES = (
    "staff",
    "priority_staff",
    "staff_fully_trained",
    "required",
    "completed",
    "coverage_pct",
    "priority_required",
    "priority_completed",
    "priority_coverage_pct",
    "overdue",
    "agencies",
    "agencies_below_target",
)
IN_YEAR_FIGURES = (
    "completions",
    "completions_quiz",
    "completions_in_person",
    "completions_external",
    "completions_manual",
    "people_completing",
    "sessions",
    "attendance",
)


def pick(words: tuple[str, str], lang: str) -> str:
    return words[1] if lang == "en" else words[0]


def count_word(count: Count, lang: str) -> str:
    return pick(COUNT_WORDS[count], lang)


def method_name(method: CompletionMethod, lang: str) -> str:
    return pick(METHOD_NAMES[method], lang)


def month_name(month: int, year: int, lang: str) -> str:
    return f"{calendar.month_name[month]} {year}" if lang == "en" else f"Tháng {month}/{year}"


def report_title(year: int, lang: str) -> str:
    return pick(
        (
            f"Kết quả đào tạo, bồi dưỡng nhận thức về an toàn thông tin mạng năm {year}",
            f"Network information security awareness training: results of {year}",
        ),
        lang,
    )


def format_date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


# -- One way to write a number in words ----------------------------------------------------


def format_count(value: int, lang: str = "vi") -> str:
    """1.234 in Vietnamese (a dot between thousands), 1,234 in English."""
    text = f"{value:,}"
    return text.replace(",", ".") if lang != "en" else text


def format_pct(value: float | None, lang: str = "vi") -> str:
    """87,5% in Vietnamese (a decimal comma), 87.5% in English; a dash where nothing was
    required. One decimal, as the workbook's `0.0` shows it."""
    if value is None:
        return "–"
    text = f"{value:.1f}"
    return (text.replace(".", ",") if lang != "en" else text) + "%"


def format_value(value: int | float | None, count: Count, lang: str = "vi") -> str:
    """Every figure the document prints goes through here, so it reads exactly as the
    workbook's cell does."""
    if count is Count.PERCENT:
        return format_pct(None if value is None else float(value), lang)
    return "–" if value is None else format_count(int(value), lang)


# -- The figures ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    key: str
    count: Count
    value: int | float | None
    previous: int | float | None

    def label(self, lang: str) -> str:
        return pick(FIGURE_LABELS[self.key], lang)

    @property
    def change(self) -> int | float | None:
        """This year minus last; for a percent, in percentage points, one decimal."""
        if self.value is None or self.previous is None:
            return None
        if self.count is Count.PERCENT:
            return round(float(self.value) - float(self.previous), 1)
        return int(self.value) - int(self.previous)


@dataclass(frozen=True)
class AgencyRow:
    """One of the province's direct sub-units on the year's day, counting its whole subtree;
    `previous_*` None: it did not stand a year earlier (or nothing was required of it)."""

    unit_id: int
    code: str
    name: str
    kind: UnitKind
    staff: int
    priority_staff: int
    required: int
    completed: int
    overdue: int
    staff_fully_trained: int
    coverage_pct: float | None
    priority_coverage_pct: float | None
    existed_previous_year: bool
    previous_staff: int | None
    previous_coverage_pct: float | None
    previous_priority_coverage_pct: float | None
    below_target: bool

    @property
    def coverage_change(self) -> float | None:
        if self.coverage_pct is None or self.previous_coverage_pct is None:
            return None
        return round(self.coverage_pct - self.previous_coverage_pct, 1)


@dataclass(frozen=True)
class MonthRow:
    """Completions (turns) earned in one month, by method in `METHODS` order."""

    month: int
    by_method: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.by_method)


@dataclass(frozen=True)
class SessionRow:
    held_on: date
    unit_code: str
    unit_name: str  # as the unit was named on the day of the session
    course_title: str
    place: str
    trainer: str
    attendance: int  # turns: one per person present
    attendance_completes: bool


@dataclass(frozen=True)
class AnnualReport:
    year: int
    lang: str
    as_of: date  # 31/12 of the year, or the day of writing while the year runs
    previous_as_of: date
    generated_at: datetime
    province_name: str
    this_year: Overview
    last_year: Overview
    agencies: list[AgencyRow]
    previous_agency_count: int  # the province's direct sub-units a year earlier
    months: list[MonthRow]  # 12 rows, January first
    previous_completions: tuple[int, ...]  # the year before, by method
    people_completing: int
    previous_people_completing: int
    sessions: list[SessionRow]  # this year's, by date
    previous_sessions: int
    previous_attendance: int
    target_pct: float | None  # everyone, in force when the report was made
    priority_target_pct: float | None
    target_due_on: date | None = None
    priority_target_due_on: date | None = None

    @property
    def is_partial_year(self) -> bool:
        return self.as_of < date(self.year, 12, 31)

    @property
    def completions_by_method(self) -> tuple[int, ...]:
        return tuple(sum(row.by_method[i] for row in self.months) for i in range(len(METHODS)))

    @property
    def completions(self) -> int:
        return sum(self.completions_by_method)

    @property
    def attendance(self) -> int:
        return sum(s.attendance for s in self.sessions)

    @property
    def below_target(self) -> list[AgencyRow]:
        return [row for row in self.agencies if row.below_target]

    def figures(self, keys: Sequence[str] | None = None) -> list[Figure]:
        """The province's figures, this year beside the year before, in the order printed."""
        wanted = keys if keys is not None else (*YEAR_END_FIGURES, *IN_YEAR_FIGURES)
        values = self._values()
        return [Figure(k, FIGURE_COUNTS[k], *values[k]) for k in wanted]

    def figure(self, key: str) -> Figure:
        return self.figures([key])[0]

    def _values(self) -> dict[str, tuple[int | float | None, int | float | None]]:
        now, before = self.this_year, self.last_year
        values: dict[str, tuple[int | float | None, int | float | None]] = {
            name: (getattr(now, name), getattr(before, name))
            for name in YEAR_END_FIGURES
            if name not in ("agencies", "agencies_below_target")
        }
        values["agencies"] = (len(self.agencies), self.previous_agency_count)
        # No target in force: nobody is measured, which is not the same as nobody behind.
        measured = self.target_pct is not None or self.priority_target_pct is not None
        values["agencies_below_target"] = (len(self.below_target) if measured else None, None)
        values["completions"] = (self.completions, sum(self.previous_completions))
        for i, method in enumerate(METHODS):
            values[f"completions_{method.value}"] = (
                self.completions_by_method[i],
                self.previous_completions[i],
            )
        values["people_completing"] = (self.people_completing, self.previous_people_completing)
        values["sessions"] = (len(self.sessions), self.previous_sessions)
        values["attendance"] = (self.attendance, self.previous_attendance)
        return values


class YearNotStarted(KhienError):
    """A report on a year still to come would be all zeros, and misleading."""


def build_annual(year: int, *, lang: str = "vi", now: datetime | None = None) -> AnnualReport:
    """A fixed number of statements whatever the size of the province: two coverage tables
    (each a tree and one count), the targets, completions by month, people, sessions."""
    now = now or utcnow()
    today = now.astimezone(VN_TZ).date()
    if year > today.year:
        raise YearNotStarted(
            pick((f"Năm {year} chưa bắt đầu.", f"The year {year} has not begun."), lang)
        )
    as_of = min(date(year, 12, 31), today)
    previous_as_of = date(year - 1, 12, 31)
    current = by_unit(Filters(as_of=as_of))
    previous = by_unit(Filters(as_of=previous_as_of))
    targets = targets_in_force()
    agencies = _agency_rows(current, previous, targets)
    months, previous_completions = _completions(year)
    people, previous_people = _people_completing(year)
    sessions = _sessions(year, lang)
    this_year_sessions = [s for s in sessions if s.held_on.year == year]
    last_year_sessions = [s for s in sessions if s.held_on.year == year - 1]
    stamp = now.replace(microsecond=0)
    return AnnualReport(
        year=year,
        lang=lang,
        as_of=as_of,
        previous_as_of=previous_as_of,
        generated_at=stamp,
        province_name=_province_name(current.scope.tree),
        this_year=replace(
            current.overview,
            generated_at=stamp,
            units_below_target=sum(row.below_target for row in agencies),
        ),
        last_year=replace(previous.overview, generated_at=stamp),
        agencies=agencies,
        previous_agency_count=len(agencies_of(previous.scope.tree)),
        months=months,
        previous_completions=previous_completions,
        people_completing=people,
        previous_people_completing=previous_people,
        sessions=this_year_sessions,
        previous_sessions=len(last_year_sessions),
        previous_attendance=sum(s.attendance for s in last_year_sessions),
        target_pct=targets.everyone_pct,
        priority_target_pct=targets.priority_pct,
        target_due_on=targets.everyone.due_on if targets.everyone else None,
        priority_target_due_on=targets.priority.due_on if targets.priority else None,
    )


def _province_name(tree: TreeOnDay) -> str:
    return next((u.name for u in tree if u.kind == UnitKind.PROVINCE and u.depth == 0), "")


def agencies_of(tree: TreeOnDay) -> list[UnitOnDay]:
    """The province's direct sub-units; a root that is not a province (a tree without one)
    stands for itself."""
    province_rooted = [tree.by_id[unit.path[0]].kind == UnitKind.PROVINCE for unit in tree]
    return [
        unit
        for unit, under_province in zip(tree, province_rooted, strict=True)
        if unit.depth == (1 if under_province else 0)
    ]


def _number(value: object) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)  # type: ignore[arg-type]


def _agency_rows(current: UnitReport, previous: UnitReport, targets: Targets) -> list[AgencyRow]:
    chosen = agencies_of(current.scope.tree)
    position = {unit.id: i for i, unit in enumerate(current.scope.units)}
    frame = current.table.iloc[[position[u.id] for u in chosen]].reset_index(drop=True)
    below = below_target(frame, targets) if len(frame) else pd.Series(dtype=bool)
    before = _rows_by_unit(previous)
    rows = []
    for i, unit in enumerate(chosen):
        row = frame.iloc[i]
        then = before.get(unit.id)
        rows.append(
            AgencyRow(
                unit_id=unit.id,
                code=unit.code,
                name=unit.name,
                kind=unit.kind,
                staff=int(row["staff"]),
                priority_staff=int(row["priority_staff"]),
                required=int(row["required"]),
                completed=int(row["completed"]),
                overdue=int(row["overdue"]),
                staff_fully_trained=int(row["staff_fully_trained"]),
                coverage_pct=_number(row["coverage_pct"]),
                priority_coverage_pct=_number(row["priority_coverage_pct"]),
                existed_previous_year=then is not None,
                previous_staff=int(then["staff"]) if then is not None else None,
                previous_coverage_pct=_number(then["coverage_pct"]) if then is not None else None,
                previous_priority_coverage_pct=(
                    _number(then["priority_coverage_pct"]) if then is not None else None
                ),
                below_target=bool(below.iloc[i]),
            )
        )
    return rows


def _rows_by_unit(report: UnitReport) -> dict[int, pd.Series]:
    """`by_unit` lists the units in the tree's order, so a row's position gives its unit; by
    id, a unit renamed or moved since the year before still finds its row of then."""
    return {unit.id: report.table.iloc[i] for i, unit in enumerate(report.scope.units)}


def _span(year: int) -> tuple[date, date]:
    return date(year - 1, 1, 1), date(year, 12, 31)


def _completions(year: int) -> tuple[list[MonthRow], tuple[int, ...]]:
    """Turns earned in the year and the year before, by month and method; revoked ones never
    count (as in every report)."""
    first, last = _span(year)
    year_of = cast(extract("year", Completion.completed_on), Integer)
    month_of = cast(extract("month", Completion.completed_on), Integer)
    rows = db.session.execute(
        select(year_of, month_of, Completion.method, func.count())
        .where(
            Completion.completed_on.between(first, last),
            Completion.revoked_at.is_(None),
        )
        .group_by(year_of, month_of, Completion.method)
    ).all()
    counts: dict[tuple[int, int, CompletionMethod], int] = {
        (int(y), int(m), CompletionMethod(method)): int(n) for y, m, method, n in rows
    }
    months = [
        MonthRow(month, tuple(counts.get((year, month, method), 0) for method in METHODS))
        for month in range(1, 13)
    ]
    previous = tuple(
        sum(counts.get((year - 1, month, method), 0) for month in range(1, 13))
        for method in METHODS
    )
    return months, previous


def _people_completing(year: int) -> tuple[int, int]:
    """People, not turns: one person with three courses counts once."""
    first, last = _span(year)
    year_of = cast(extract("year", Completion.completed_on), Integer)
    rows = db.session.execute(
        select(year_of, func.count(distinct(Completion.person_id)))
        .where(Completion.completed_on.between(first, last), Completion.revoked_at.is_(None))
        .group_by(year_of)
    ).all()
    by_year = {int(y): int(n) for y, n in rows}
    return by_year.get(year, 0), by_year.get(year - 1, 0)


def _sessions(year: int, lang: str) -> list[SessionRow]:
    """Sessions held in the year and the year before, each with its attendance, the unit named
    as it was on the day of the session."""
    first, last = _span(year)
    present = (
        select(Attendance.session_id, func.count().label("attendance"))
        .group_by(Attendance.session_id)
        .subquery("present")
    )
    title = Course.title_en if lang == "en" else Course.title_vi
    rows = db.session.execute(
        select(
            ClassroomSession.held_on,
            Unit.code,
            func.coalesce(UnitPlacement.name, Unit.name),
            func.coalesce(title, Course.title_vi),
            ClassroomSession.place,
            ClassroomSession.trainer,
            func.coalesce(present.c.attendance, 0),
            ClassroomSession.attendance_completes,
        )
        .join(Unit, Unit.id == ClassroomSession.unit_id)
        .join(Course, Course.id == ClassroomSession.course_id)
        .outerjoin(
            UnitPlacement,
            and_(
                UnitPlacement.unit_id == ClassroomSession.unit_id,
                valid_on(UnitPlacement, ClassroomSession.held_on),
            ),
        )
        .outerjoin(present, present.c.session_id == ClassroomSession.id)
        .where(ClassroomSession.held_on.between(first, last))
        .order_by(ClassroomSession.held_on, ClassroomSession.id)
    ).all()
    return [
        SessionRow(held_on, code, name, course, place, trainer, int(n), bool(completes))
        for held_on, code, name, course, place, trainer, n, completes in rows
    ]
