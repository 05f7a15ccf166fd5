"""Completions earned elsewhere: on the national online platform, or in another province's
Khiên.

The ICT admin keeps one mapping for the province, from each outside course (its platform and its
title as that platform writes it) to the Khiên course it stands for. An officer or the admin then
imports the outside certificates from CSV or XLSX — employee ID, platform, outside course,
completion date, certificate reference — with a preview first and all or nothing: an unmapped
course, an unknown or out-of-scope person, a bad or future date is a problem of its row, and one
problem writes nothing. Each row becomes a completion marked external (with the mapping and the
certificate reference), logged, and counted like any other; importing the same file again
changes nothing.

Titles and platform names are matched case-, accent- and space-insensitively (`fold`): the
same course typed "An toàn thông tin" and "AN TOAN THONG TIN" is one course.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from training.clock import parse_date
from training.courses.completions import NOT_REVOKED, record_completion
from training.courses.models import (
    Completion,
    CompletionAction,
    CompletionMethod,
    Course,
    ExternalCourse,
)
from training.errors import FieldProblem, ImportRejected, Problem, refuse_if_any
from training.extensions import db
from training.org.models import Person
from training.org.people import Actor
from training.records import log
from training.records.actors import (
    actor_id,
    manager_scope,
    one_line,
    paragraph,
    require_admin,
    text_problems,
)
from training.records.imports import EMPLOYEE_ID, chunks, people_by_employee_id, person_problem
from training.tables import Column, Row, TableLimits, read_table
from training.text import fold

MAX_SOURCE = 100
MAX_TITLE = 300
MAX_NOTE = 2000
MAX_REFERENCE = 200

SOURCE = Column("source", ("Nền tảng", "Nguồn", "Platform", "Source"), required=True)
OUTSIDE_COURSE = Column(
    "course",
    ("Khoá học", "Tên khoá học", "Khoá học bên ngoài", "Outside course", "Course"),
    required=True,
)
COMPLETED_ON = Column(
    "completed_on",
    ("Ngày hoàn thành", "Ngày cấp", "Completion date", "Completed on", "Date"),
    required=True,
)
REFERENCE = Column(
    "reference",
    ("Số chứng nhận", "Mã chứng nhận", "Số hiệu chứng chỉ", "Certificate reference", "Reference"),
    required=True,
)
COLUMNS = (EMPLOYEE_ID, SOURCE, OUTSIDE_COURSE, COMPLETED_ON, REFERENCE)


def match_key(text: str) -> str:
    """How two spellings of one name compare: folded, single-spaced."""
    return " ".join(fold(text).split())


# --- the mapping --------------------------------------------------------------------------------


@dataclass
class MappingData:
    source: str
    title: str
    course: Course
    note: str | None = None


def _clean(data: MappingData) -> MappingData:
    return MappingData(
        one_line(data.source), one_line(data.title), data.course, paragraph(data.note) or None
    )


def _mapping_problems(data: MappingData, mapping: ExternalCourse | None) -> list[FieldProblem]:
    problems = [
        *text_problems(
            "source", data.source, limit=MAX_SOURCE, missing=_("Name the outside platform.")
        ),
        *text_problems(
            "title",
            data.title,
            limit=MAX_TITLE,
            missing=_("Give the outside course's title as its platform writes it."),
        ),
    ]
    if data.note:
        problems += text_problems("note", data.note, limit=MAX_NOTE, missing="", multiline=True)
    if problems:
        return problems
    taken = find_mapping(data.source, data.title, active_only=False)
    if taken is not None and (mapping is None or taken.id != mapping.id):
        problems.append(
            FieldProblem(
                "title",
                _(
                    "This outside course is already mapped (to %(course)s).",
                    course=db.session.get_one(Course, taken.course_id).title_vi,
                ),
            )
        )
    return problems


def find_mapping(source: str, title: str, *, active_only: bool = True) -> ExternalCourse | None:
    """The mapping of an outside course, however its platform and title are spelled."""
    wanted = (match_key(source), match_key(title))
    query = select(ExternalCourse).where(ExternalCourse.key == wanted[1])
    if active_only:
        query = query.where(ExternalCourse.active.is_(True))
    for mapping in db.session.scalars(query):
        if match_key(mapping.source) == wanted[0]:
            return mapping
    return None


def add_mapping(data: MappingData, *, actor: Actor) -> ExternalCourse:
    require_admin(actor)
    data = _clean(data)
    refuse_if_any(_mapping_problems(data, None))
    mapping = ExternalCourse(
        source=data.source,
        title=data.title,
        key=match_key(data.title),
        course_id=data.course.id,
        note=data.note,
        active=True,
    )
    db.session.add(mapping)
    db.session.flush()
    return mapping


def update_mapping(mapping: ExternalCourse, data: MappingData, *, actor: Actor) -> None:
    """Completions already imported keep the course they were recorded for: a mapping
    corrected later does not move them."""
    require_admin(actor)
    data = _clean(data)
    refuse_if_any(_mapping_problems(data, mapping))
    mapping.source = data.source
    mapping.title = data.title
    mapping.key = match_key(data.title)
    mapping.course_id = data.course.id
    mapping.note = data.note


def set_mapping_active(mapping: ExternalCourse, active: bool, *, actor: Actor) -> None:
    """A deactivated mapping stays (imported completions name it); new rows of its course
    become problems until it is active again."""
    require_admin(actor)
    mapping.active = active


def map_external(
    source: str, title: str, course: Course, *, note: str | None, actor: Actor
) -> tuple[ExternalCourse, bool]:
    """The command line's one verb: add the mapping, or point an existing one (reactivated)
    at this course. True when it was added."""
    existing = find_mapping(source, title, active_only=False)
    data = MappingData(source, title, course, note)
    if existing is None:
        return add_mapping(data, actor=actor), True
    kept = MappingData(existing.source, existing.title, course, note or existing.note)
    update_mapping(existing, kept, actor=actor)
    set_mapping_active(existing, True, actor=actor)
    return existing, False


def mappings(*, actor: Actor) -> list[tuple[ExternalCourse, Course]]:
    require_admin(actor)
    rows = db.session.execute(
        select(ExternalCourse, Course)
        .join(Course, Course.id == ExternalCourse.course_id)
        .order_by(ExternalCourse.active.desc(), ExternalCourse.source, ExternalCourse.key)
    ).all()
    return [(mapping, course) for mapping, course in rows]


def get_mapping(mapping_id: int) -> ExternalCourse | None:
    return db.session.get(ExternalCourse, mapping_id)


# --- importing completions ----------------------------------------------------------------------


@dataclass(frozen=True)
class ExternalItem:
    """One row that would become a completion; `already` when the person holds a completion
    of that course that day (imported before, or another way), which the import leaves be."""

    line: int
    person: Person
    mapping: ExternalCourse
    course: Course
    completed_on: date
    reference: str
    already: bool = False


@dataclass
class ExternalPlan:
    items: list[ExternalItem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def new(self) -> list[ExternalItem]:
        return [item for item in self.items if not item.already]

    @property
    def already(self) -> list[ExternalItem]:
        return [item for item in self.items if item.already]


def _active_mappings() -> dict[tuple[str, str], tuple[ExternalCourse, Course]]:
    rows = db.session.execute(
        select(ExternalCourse, Course)
        .join(Course, Course.id == ExternalCourse.course_id)
        .where(ExternalCourse.active.is_(True))
    ).all()
    return {(match_key(m.source), m.key): (m, course) for m, course in rows}


def _held_days(candidates: Sequence[tuple[int, int, date]]) -> set[tuple[int, int, date]]:
    """Which of these (person, course, day) already hold a completion that counts: one query
    per thousand people."""
    wanted = set(candidates)
    courses = sorted({c for _p, c, _d in wanted})
    days = sorted({d for _p, _c, d in wanted})
    held: set[tuple[int, int, date]] = set()
    for people in chunks(sorted({p for p, _c, _d in wanted})):
        rows = db.session.execute(
            select(Completion.person_id, Completion.course_id, Completion.completed_on).where(
                NOT_REVOKED,
                Completion.person_id.in_(people),
                Completion.course_id.in_(courses),
                Completion.completed_on.in_(days),
            )
        ).all()
        held.update((p, c, d) for p, c, d in rows if (p, c, d) in wanted)
    return held


def _check_row(
    row: Row,
    *,
    people: dict[str, Person],
    by_key: dict[tuple[str, str], tuple[ExternalCourse, Course]],
    actor: Actor,
    today: date,
) -> ExternalItem | list[Problem]:
    """The row as an item, or every problem it has."""
    values, problems = row.values, []

    def problem(column: Column, message: str) -> None:
        problems.append(Problem(row.line, message, row.label(column.key)))

    employee_id = values.get(EMPLOYEE_ID.key, "")
    person = people.get(employee_id)
    if not employee_id:
        problem(EMPLOYEE_ID, _("The employee ID is missing."))
    else:
        why = person_problem(person, employee_id, actor=actor)
        if why is not None:
            problem(EMPLOYEE_ID, why)
    source, title = values.get(SOURCE.key, ""), values.get(OUTSIDE_COURSE.key, "")
    found = by_key.get((match_key(source), match_key(title)))
    if not source:
        problem(SOURCE, _("Name the outside platform."))
    elif not title:
        problem(OUTSIDE_COURSE, _("Name the outside course."))
    elif found is None:
        problem(
            OUTSIDE_COURSE,
            _(
                "%(source)s's course %(title)s is not mapped to a Khiên course: ask the "
                "province's ICT administrators to map it, then import again.",
                source=source,
                title=title,
            ),
        )
    text = values.get(COMPLETED_ON.key, "")
    completed_on = parse_date(text) if text else None
    if not text:
        problem(COMPLETED_ON, _("The completion date is missing."))
    elif completed_on is None:
        problem(COMPLETED_ON, _("%(text)s is not a date: write it as dd/mm/yyyy.", text=text))
    elif completed_on > today:
        problem(
            COMPLETED_ON,
            _("%(date)s is in the future.", date=completed_on.strftime("%d/%m/%Y")),
        )
    reference = one_line(values.get(REFERENCE.key, ""))
    if not reference:
        problem(REFERENCE, _("The certificate reference is missing."))
    elif len(reference) > MAX_REFERENCE:
        problem(REFERENCE, _("This field takes at most %(num)d characters.", num=MAX_REFERENCE))
    if problems or person is None or found is None or completed_on is None:
        return problems
    return ExternalItem(row.line, person, found[0], found[1], completed_on, reference)


def plan_external_import(
    data: bytes,
    *,
    filename: str,
    actor: Actor,
    today: date,
    limits: TableLimits,
    encoding: str | None = None,
    sheet: str | None = None,
) -> ExternalPlan:
    """Reads and checks every row and writes nothing; a problem of the file as a whole raises
    `ImportRejected`. Besides the file, a query for the people it names, one for the mappings
    and one for the completions already held (per thousand people)."""
    manager_scope(actor)
    rows = read_table(
        data, filename=filename, columns=COLUMNS, limits=limits, encoding=encoding, sheet=sheet
    )
    people = people_by_employee_id(row.values.get(EMPLOYEE_ID.key, "") for row in rows)
    by_key = _active_mappings()
    plan = ExternalPlan()
    pending: list[ExternalItem] = []
    for row in rows:
        checked = _check_row(row, people=people, by_key=by_key, actor=actor, today=today)
        if isinstance(checked, ExternalItem):
            pending.append(checked)
        else:
            plan.problems.extend(checked)
    held = _held_days([(i.person.id, i.course.id, i.completed_on) for i in pending])
    seen: set[tuple[int, int, date]] = set()
    for item in pending:
        key = (item.person.id, item.course.id, item.completed_on)
        plan.items.append(replace(item, already=key in held or key in seen))
        seen.add(key)
    return plan


@dataclass
class ExternalResult:
    recorded: int = 0
    already: int = 0


def import_external(
    data: bytes,
    *,
    filename: str,
    actor: Actor,
    now: datetime,
    today: date,
    limits: TableLimits,
    encoding: str | None = None,
    sheet: str | None = None,
) -> ExternalResult:
    """All or nothing: one problem anywhere in the file and nothing is written."""
    plan = plan_external_import(
        data,
        filename=filename,
        actor=actor,
        today=today,
        limits=limits,
        encoding=encoding,
        sheet=sheet,
    )
    if plan.problems:
        raise ImportRejected(plan.problems)
    result = ExternalResult(already=len(plan.already))
    for item in plan.new:
        completion_id = record_completion(
            person_id=item.person.id,
            course_id=item.course.id,
            course_hash=item.course.current_hash,
            validity_months=item.course.validity_months,
            completed_on=item.completed_on,
            method=CompletionMethod.EXTERNAL,
            external_course_id=item.mapping.id,
            recorded_by_id=actor_id(actor),
            evidence=item.reference,
        )
        if completion_id is None:  # recorded meanwhile by another request
            result.already += 1
            continue
        result.recorded += 1
        log.append(
            completion_id=completion_id,
            action=CompletionAction.RECORDED,
            method=CompletionMethod.EXTERNAL,
            actor=actor,
            person_id=item.person.id,
            course_id=item.course.id,
            completed_on=item.completed_on,
            reason=f"{item.mapping.source}: {item.mapping.title}",
            evidence=item.reference,
            now=now,
        )
    return result
