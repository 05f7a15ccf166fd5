"""Staff roster import: a unit's staff list from CSV or XLSX, previewed, then applied whole.

An officer's list is the truth about who works in their units, and it arrives again every few
months with a few changes. So an import matches people by employee ID and works out, without
writing anything, what the file would change: people to create, records to update, people who
moved between units (their dated membership closes and opens, their completions stay: they
belong to the person), and — when asked — the learners of the unit who are no longer on the
list. Every problem of every row is found in the same pass, with its row and column, using the
same checks as the people form (`check_person`, `find_conflicts`) and one query per key for
the whole file. Only a plan without problems can be applied, all of it in one transaction;
the same file imported twice plans nothing the second time.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from training.auth.tokens import IssuedToken, issue_codes, issue_first_sign_in
from training.errors import FieldProblem, ImportRejected, Problem, RuleViolation
from training.extensions import db
from training.org.models import Person, Role, Unit
from training.org.people import (
    Actor,
    Candidate,
    PersonData,
    check_person,
    create_people,
    deactivate_person,
    find_conflicts,
    may_manage,
    reactivate_person,
    update_person,
)
from training.org.scope import scope_of
from training.org.units import normalise_code
from training.rosters.usernames import derive_usernames
from training.tables import FILE_LINE, Column, Row, TableLimits, parse_yes_no, read_table

COLUMNS = (
    Column(
        "employee_id",
        ("Mã cán bộ", "Mã nhân viên", "Mã CBCC", "Employee ID", "Staff ID"),
        required=True,
    ),
    Column("full_name", ("Họ và tên", "Họ tên", "Full name", "Name"), required=True),
    Column("email", ("Email", "Thư điện tử", "E-mail address")),
    Column("unit_code", ("Mã đơn vị", "Unit code", "Unit")),
    Column("position", ("Chức vụ", "Position", "Job title")),
    Column(
        "drafts_classified",
        ("Soạn thảo văn bản mật", "Drafts classified", "Drafts classified documents"),
    ),
    Column("is_it_staff", ("Cán bộ CNTT", "IT staff")),
    Column("is_unit_head", ("Thủ trưởng đơn vị", "Lãnh đạo đơn vị", "Unit head")),
)
FLAG_KEYS = ("drafts_classified", "is_it_staff", "is_unit_head")

# What each column means, for the upload page and the README; the headers come from COLUMNS.
COLUMN_HELP = {
    "employee_id": _l("Required. Matches the row to a person already on the site."),
    "full_name": _l("Required. The username of a new person is made from it."),
    "email": _l(
        "A new person with an address gets a sign-in link by e-mail; without one, a printed "
        "code. Left empty, an existing address is kept."
    ),
    "unit_code": _l(
        "The unit's code, as on the Units page. Left empty (or without this column), the unit "
        "chosen for the import."
    ),
    "position": _l("Left empty, an existing position is kept."),
    "drafts_classified": _l("có or không (also x, 1, 0, yes, no; empty is không). Priority."),
    "is_it_staff": _l("có or không, as above."),
    "is_unit_head": _l("có or không, as above."),
}

# Labels of the fields a plan may change, for the preview.
FIELD_LABELS = {
    "full_name": _l("Full name"),
    "email": _l("E-mail"),
    "position": _l("Position"),
    "unit": _l("Unit"),
    "drafts_classified": _l("Drafts classified documents"),
    "is_it_staff": _l("IT staff"),
    "is_unit_head": _l("Unit head"),
    "active": _l("Active"),
}

# check_person's fields, as the roster's columns.
_COLUMN_OF_FIELD = {
    "full_name": "full_name",
    "email": "email",
    "employee_id": "employee_id",
    "position": "position",
    "unit": "unit_code",
    "username": "full_name",
}


@dataclass(frozen=True)
class NewPerson:
    line: int
    data: PersonData


@dataclass(frozen=True)
class Difference:
    field: str
    old: object
    new: object


@dataclass(frozen=True)
class Change:
    """What one row changes on an existing person; `differences` in the preview's order."""

    line: int
    person: Person
    data: PersonData
    differences: tuple[Difference, ...]

    @property
    def moves(self) -> bool:
        return any(d.field == "unit" for d in self.differences)

    @property
    def updates(self) -> tuple[Difference, ...]:
        return tuple(d for d in self.differences if d.field != "unit")


@dataclass
class ImportPlan:
    """What a file would do; nothing of it is written until `apply_plan`."""

    rows: int = 0
    creates: list[NewPerson] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    deactivations: list[Person] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unchanged: int = 0
    deactivate_under: Unit | None = None

    @property
    def updates(self) -> list[Change]:
        return [c for c in self.changes if c.updates]

    @property
    def moves(self) -> list[Change]:
        return [c for c in self.changes if c.moves]

    @property
    def size(self) -> int:
        """How many records the plan writes: the length of a progress bar."""
        return len(self.creates) + len(self.changes) + len(self.deactivations)

    @property
    def nothing_to_do(self) -> bool:
        return self.size == 0

    def fingerprint(self) -> str:
        """A digest of what the plan does. The preview carries it, and the confirmation is
        carried out only if the plan made again from the stored file has the same one: the
        staff list did not change in between. The plan itself never leaves the server."""
        summary = {
            "creates": [
                [c.line, c.data.employee_id, c.data.username, c.data.full_name, c.data.unit.id]
                for c in self.creates
            ],
            "changes": [
                [c.line, c.person.id, [[d.field, repr(d.new)] for d in c.differences]]
                for c in self.changes
            ],
            "deactivations": sorted(p.id for p in self.deactivations),
        }
        return hashlib.sha256(json.dumps(summary, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class ImportResult:
    created: list[Person]
    updated: int
    moved: int
    deactivated: int
    tokens: list[IssuedToken]


@dataclass
class _Entry:
    line: int
    row: Row
    employee_id: str
    full_name: str
    email: str | None
    unit_code: str
    position: str | None
    flags: dict[str, bool | None]


def _problem(row: Row, key: str | None, message: str) -> Problem:
    return Problem(row.line, message, row.label(key) if key else None)


def _column_label(key: str) -> str:
    return next(c.label for c in COLUMNS if c.key == key)


def _entries(rows: Sequence[Row], problems: list[Problem]) -> list[_Entry]:
    entries = []
    for row in rows:
        values = row.values
        flags: dict[str, bool | None] = {}
        for key in FLAG_KEYS:
            if key not in values:
                flags[key] = None  # no such column: keep what the person has
                continue
            parsed = parse_yes_no(values[key])
            if parsed is None:
                problems.append(
                    _problem(
                        row,
                        key,
                        _(
                            "Write có or không here (or x, 1, 0, yes, no; empty means "
                            "không), not %(value)s.",
                            value=values[key],
                        ),
                    )
                )
            flags[key] = bool(parsed)
        employee_id = values.get("employee_id", "")
        if not employee_id:
            problems.append(_problem(row, "employee_id", _("An employee ID is required.")))
        entries.append(
            _Entry(
                line=row.line,
                row=row,
                employee_id=employee_id,
                full_name=" ".join(values.get("full_name", "").split()),
                email=values.get("email") or None,
                unit_code=normalise_code(values.get("unit_code", "")),
                position=" ".join(values.get("position", "").split()) or None,
                flags=flags,
            )
        )
    return entries


def _units_by_code(codes: set[str]) -> dict[str, Unit]:
    if not codes:
        return {}
    return {u.code: u for u in db.session.scalars(select(Unit).where(Unit.code.in_(codes)))}


def _people_by_employee_id(ids: set[str]) -> dict[str, Person]:
    if not ids:
        return {}
    people = db.session.scalars(
        select(Person).options(joinedload(Person.unit)).where(Person.employee_id.in_(ids))
    )
    return {p.employee_id: p for p in people if p.employee_id}


def _default_unit_problems(actor: Actor, default_unit: Unit | None) -> list[Problem]:
    if default_unit is None:
        return []
    if not default_unit.is_active:
        return [Problem(FILE_LINE, _("Unit %(code)s is retired.", code=default_unit.code))]
    if actor is not None and not scope_of(actor).contains(default_unit):
        return [Problem(FILE_LINE, _("You can only import staff into your own units."))]
    return []


def _differences(person: Person, data: PersonData, entry: _Entry) -> tuple[Difference, ...]:
    found = []
    if data.full_name != person.full_name:
        found.append(Difference("full_name", person.full_name, data.full_name))
    if entry.email is not None and data.email != person.email:
        found.append(Difference("email", person.email, data.email))
    if entry.position is not None and data.position != person.position:
        found.append(Difference("position", person.position, data.position))
    if data.unit.id != person.unit_id:
        found.append(Difference("unit", person.unit, data.unit))
    for key in FLAG_KEYS:
        if entry.flags[key] is not None and getattr(data, key) != getattr(person, key):
            found.append(Difference(key, getattr(person, key), getattr(data, key)))
    if not person.active:
        found.append(Difference("active", False, True))
    return tuple(found)


def plan_import(
    rows: Sequence[Row],
    *,
    actor: Actor,
    default_unit: Unit | None,
    deactivate_missing: bool,
    today: date,
) -> ImportPlan:
    """What the rows would do, and every problem of every row; writes nothing. `actor` None is
    the server's operator at the command line, who may do anything an ICT admin may.

    A person already on the site is updated only by someone who may manage them: an officer
    never touches another officer's, an admin's or their own record through a roster (a row
    for such a person is fine as long as it changes nothing), nor anyone outside their units
    — that row reads as a conflict, naming nobody."""
    plan = ImportPlan(rows=len(rows))
    problems = plan.problems
    problems.extend(_default_unit_problems(actor, default_unit))
    entries = _entries(rows, problems)
    units = _units_by_code({e.unit_code for e in entries if e.unit_code})
    existing = _people_by_employee_id({e.employee_id for e in entries if e.employee_id})

    no_unit = Unit(code="", name="", path="/", retired_on=None)  # see below; never saved
    prepared: list[tuple[_Entry, PersonData, Person | None]] = []
    new_indexes: list[int] = []
    for entry in entries:
        unit = units.get(entry.unit_code) if entry.unit_code else default_unit
        if entry.unit_code and unit is None:
            problems.append(
                _problem(
                    entry.row,
                    "unit_code",
                    _("No unit has the code %(code)s.", code=entry.unit_code),
                )
            )
        elif unit is None:
            problems.append(
                Problem(
                    entry.line,
                    _("No unit: fill in the unit code, or choose the unit of the whole file."),
                    _label(entry.row, "unit_code"),
                )
            )
        person = existing.get(entry.employee_id)
        if person is not None and not _within_reach(actor, person):
            person = None  # someone else's: find_conflicts reports it without naming them
        if person is None:
            new_indexes.append(len(prepared))
        data = PersonData(
            username=person.username if person is not None else "",
            full_name=entry.full_name,
            # A row whose unit is unknown (already a problem) stands on a unit that is never
            # saved, so that its other cells are still checked.
            unit=unit or no_unit,
            email=entry.email or (person.email if person is not None else None),
            employee_id=entry.employee_id or None,
            position=entry.position or (person.position if person is not None else None),
            role=person.role if person is not None else Role.LEARNER,
            drafts_classified=_flag(entry, person, "drafts_classified"),
            is_it_staff=_flag(entry, person, "is_it_staff"),
            is_unit_head=_flag(entry, person, "is_unit_head"),
        )
        prepared.append((entry, data, person))

    usernames = derive_usernames([prepared[i][0].full_name for i in new_indexes])
    for index, username in zip(new_indexes, usernames, strict=True):
        prepared[index][1].username = username

    candidates = []
    for entry, data, person in prepared:
        for problem in check_person(data, actor=actor):
            if problem.field == "unit" and (data.unit is no_unit or not entry.unit_code):
                continue  # said once already: an unknown code, or the file's own unit
            problems.append(_field_problem(entry.row, problem))
        candidates.append(Candidate(entry.line, data, person.id if person else None))
    row_at = {entry.line: entry.row for entry in entries}
    for line, found in find_conflicts(candidates, actor=actor).items():
        problems.extend(_field_problem(row_at[line], problem) for problem in found)

    for entry, data, person in prepared:
        if person is None:
            if entry.employee_id not in existing:
                plan.creates.append(NewPerson(entry.line, data))
            continue
        differences = _differences(person, data, entry)
        if not differences:
            plan.unchanged += 1
        elif not may_manage(actor, person):
            problems.append(
                _problem(
                    entry.row,
                    "employee_id",
                    _(
                        "This is an IT officer's or an administrator's record (or your own): "
                        "only the province's ICT administrators change it. Make the row match "
                        "the record, or remove the row."
                    ),
                )
            )
        else:
            plan.changes.append(Change(entry.line, person, data, differences))

    if deactivate_missing:
        _plan_deactivations(plan, actor, default_unit, {e.employee_id for e in entries})
    problems.sort(key=lambda p: p.line)  # stable: a row's problems keep their column order
    return plan


def plan_file(
    data: bytes,
    *,
    filename: str,
    limits: TableLimits,
    encoding: str | None,
    sheet: str | None,
    actor: Actor,
    default_unit: Unit | None,
    deactivate_missing: bool,
    today: date,
) -> ImportPlan:
    """Read a roster file and plan it, with the problems of its cells (a formula, a hidden
    character) and of its meaning (a bad address, a unit out of reach) in one list, so the
    officer fixes the file once. A file that cannot be read at all raises `ImportRejected`."""
    cell_problems: list[Problem] = []
    rows = read_table(
        data,
        filename=filename,
        columns=COLUMNS,
        limits=limits,
        encoding=encoding,
        sheet=sheet,
        cell_problems=cell_problems,
    )
    plan = plan_import(
        rows,
        actor=actor,
        default_unit=default_unit,
        deactivate_missing=deactivate_missing,
        today=today,
    )
    # A cell already refused as such says nothing more: "a formula" is enough, without
    # "not a valid address" for the same cell.
    refused = {(p.line, p.column) for p in cell_problems}
    merged = [*cell_problems, *(p for p in plan.problems if (p.line, p.column) not in refused)]
    # By row, then in the file's own column order, as the officer reads the file.
    order = {label: i for i, label in enumerate(rows[0].labels.values())} if rows else {}
    plan.problems = sorted(
        merged,
        key=lambda p: (p.line, order.get(p.column, len(order)) if p.column else -1),
    )
    return plan


def _within_reach(actor: Actor, person: Person) -> bool:
    return actor is None or actor.role == Role.ICT_ADMIN or scope_of(actor).contains(person.unit)


def _label(row: Row, key: str) -> str:
    """The column as the file heads it, or as the template does when the file lacks it."""
    return row.label(key) if key in row.values else _column_label(key)


def _flag(entry: _Entry, person: Person | None, key: str) -> bool:
    value = entry.flags[key]
    if value is not None:
        return value
    return bool(getattr(person, key)) if person is not None else False


def _field_problem(row: Row, problem: FieldProblem) -> Problem:
    key = _COLUMN_OF_FIELD.get(problem.field or "")
    if key is None:
        return Problem(row.line, problem.message)
    return Problem(row.line, problem.message, _label(row, key))


def _plan_deactivations(
    plan: ImportPlan, actor: Actor, default_unit: Unit | None, listed: set[str]
) -> None:
    """The active learners under the import's unit whom the file does not list."""
    root = default_unit
    if root is None and actor is not None and actor.role == Role.UNIT_OFFICER:
        root = actor.unit
    if root is None:
        plan.problems.append(
            Problem(
                FILE_LINE,
                _(
                    "Choose the unit whose staff the file lists: people under it who are not "
                    "in the file are deactivated."
                ),
            )
        )
        return
    plan.deactivate_under = root
    candidates = db.session.scalars(
        select(Person)
        .join(Person.unit)
        .options(joinedload(Person.unit))
        .where(
            Unit.path.startswith(root.path, autoescape=True),
            Person.active.is_(True),
            Person.role == Role.LEARNER,
        )
        .order_by(Unit.path, Person.search_key, Person.id)
    )
    plan.deactivations = [
        p
        for p in candidates
        if (p.employee_id is None or p.employee_id not in listed) and may_manage(actor, p)
    ]


def apply_plan(
    plan: ImportPlan,
    *,
    actor: Actor,
    today: date,
    now: datetime,
    links: bool = True,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Write a plan without problems, all of it or — on any refusal — none (the caller rolls
    back). New people get their first sign-in: a link by e-mail (sent after the commit) or a
    code for the printed slips, which the result carries: they are never stored. `links`
    False gives everyone a code: without a mail server a link would reach nobody."""
    if plan.problems:
        raise ImportRejected(plan.problems)
    advance = progress or (lambda _n: None)
    problems: list[Problem] = []
    created: list[Person] = []
    if plan.creates:
        try:
            created = create_people([c.data for c in plan.creates], actor=actor, today=today)
        except RuleViolation as err:  # the file changed nothing, but someone else did
            raise ImportRejected([Problem(FILE_LINE, err.message)]) from err
        except IntegrityError as err:  # ... in a transaction committed after the check above
            message = _(
                "Someone else saved people with the same usernames or employee IDs at the "
                "same moment: nothing was imported. Check the list again."
            )
            raise ImportRejected([Problem(FILE_LINE, message)]) from err
        advance(len(created))
    for change in plan.changes:
        try:
            update_person(change.person, change.data, actor=actor, today=today)
            if not change.person.active:
                reactivate_person(change.person, actor=actor, today=today)
        except RuleViolation as err:
            problems.append(Problem(change.line, err.message))
        advance(1)
    for person in plan.deactivations:
        try:
            deactivate_person(person, actor=actor, today=today)
        except RuleViolation as err:
            problems.append(Problem(FILE_LINE, f"{person.full_name}: {err.message}"))
        advance(1)
    if problems:
        raise ImportRejected(problems)
    issue = issue_first_sign_in if links else issue_codes
    tokens = issue(created, actor=actor, now=now)
    return ImportResult(
        created=created,
        updated=len(plan.updates),
        moved=len(plan.moves),
        deactivated=len(plan.deactivations),
        tokens=tokens,
    )
