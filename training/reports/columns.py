"""The export contract: the column names and order of every coverage table, and their headers.

Other offices read these files with their own tools, so the names below are an interface:
documented in the README, covered by tests, and changed only with a note to the people who read
them. Headers in a workbook may be Vietnamese or English; the CSV and JSON keys are always these
English names, so a script written against one language works on both.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString


class Kind(enum.StrEnum):
    """How a column is written: in a workbook it picks the number format."""

    TEXT = "text"
    INT = "int"
    PCT = "pct"  # 0–100 with one decimal; empty where nothing was required
    BOOL = "bool"
    DATE = "date"  # dd/mm/yyyy in a workbook, ISO 8601 in CSV and JSON


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    label: LazyString


class Table(enum.StrEnum):
    UNIT = "unit"
    COURSE = "course"
    PEOPLE = "people"


UNIT_COLUMNS: tuple[Column, ...] = (
    Column("unit_code", Kind.TEXT, _l("Unit code")),
    Column("unit_name", Kind.TEXT, _l("Unit")),
    Column("parent_code", Kind.TEXT, _l("Parent unit code")),
    Column("depth", Kind.INT, _l("Level")),
    Column("staff", Kind.INT, _l("Staff (people)")),
    Column("priority_staff", Kind.INT, _l("Priority staff (people)")),
    Column("required", Kind.INT, _l("Required (courses)")),
    Column("completed", Kind.INT, _l("Completed")),
    Column("in_progress", Kind.INT, _l("In progress")),
    Column("not_started", Kind.INT, _l("Not started")),
    Column("overdue", Kind.INT, _l("Overdue")),
    Column("coverage_pct", Kind.PCT, _l("Coverage (%)")),
    Column("staff_fully_trained", Kind.INT, _l("Fully trained (people)")),
    Column("priority_required", Kind.INT, _l("Priority: required")),
    Column("priority_completed", Kind.INT, _l("Priority: completed")),
    Column("priority_coverage_pct", Kind.PCT, _l("Priority coverage (%)")),
)

COURSE_COLUMNS: tuple[Column, ...] = (
    Column("course_slug", Kind.TEXT, _l("Course code")),
    Column("course_title", Kind.TEXT, _l("Course")),
    Column("audience", Kind.TEXT, _l("Audience")),
    Column("required", Kind.INT, _l("Required (people)")),
    Column("completed", Kind.INT, _l("Completed")),
    Column("in_progress", Kind.INT, _l("In progress")),
    Column("not_started", Kind.INT, _l("Not started")),
    Column("overdue", Kind.INT, _l("Overdue")),
    Column("coverage_pct", Kind.PCT, _l("Coverage (%)")),
    Column("priority_required", Kind.INT, _l("Priority: required")),
    Column("priority_completed", Kind.INT, _l("Priority: completed")),
    Column("priority_coverage_pct", Kind.PCT, _l("Priority coverage (%)")),
)

PEOPLE_COLUMNS: tuple[Column, ...] = (
    Column("employee_id", Kind.TEXT, _l("Employee ID")),
    Column("full_name", Kind.TEXT, _l("Full name")),
    Column("unit_code", Kind.TEXT, _l("Unit code")),
    Column("priority", Kind.BOOL, _l("Priority")),
    Column("course_slug", Kind.TEXT, _l("Course code")),
    Column("status", Kind.TEXT, _l("Status")),
    Column("overdue", Kind.BOOL, _l("Overdue")),
    Column("due_date", Kind.DATE, _l("Due date")),
    Column("completed_at", Kind.DATE, _l("Completed on")),
    Column("valid_until", Kind.DATE, _l("Valid until")),
)

COLUMNS: dict[Table, tuple[Column, ...]] = {
    Table.UNIT: UNIT_COLUMNS,
    Table.COURSE: COURSE_COLUMNS,
    Table.PEOPLE: PEOPLE_COLUMNS,
}

SHEET_TITLES: dict[Table, LazyString] = {
    Table.UNIT: _l("By unit"),
    Table.COURSE: _l("By course"),
    Table.PEOPLE: _l("People"),
}


def names(table: Table) -> list[str]:
    return [column.name for column in COLUMNS[table]]
