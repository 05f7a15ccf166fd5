"""Rules for people: creating and editing staff records, their dated unit and flags, sign-in.

The current unit and flags sit on `Person` for fast lists; every change also closes and opens
dated rows (`Membership`, `PersonFlagPeriod`), so reports can count people as they were.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload

from training.clock import today_vn
from training.errors import FieldProblem, NotAllowed, RuleViolation, refuse_if_any
from training.extensions import db
from training.org.changes import note_people
from training.org.models import Membership, Person, PersonFlag, PersonFlagPeriod, Role, Unit
from training.org.scope import Scope, assignable_roles, scope_of
from training.org.units import move_person_to_unit
from training.password_policy import password_problems
from training.passwords import hash_password
from training.text import fold, has_invisible_characters, nfc

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
# Column sizes, checked here so the web and the command line get a clear message on SQLite and
# PostgreSQL alike (one would store an over-long value, the other refuse it with a traceback).
MAX_FULL_NAME = 200
MAX_EMAIL = 254
MAX_EMPLOYEE_ID = 32
MAX_POSITION = 200

# Who acts: a signed-in person, or None for the server's operator at the command line, who can
# reach the database directly anyway. Every service that changes a person takes one.
Actor = Person | None


@dataclass
class PersonData:
    username: str
    full_name: str
    unit: Unit
    email: str | None = None
    employee_id: str | None = None
    position: str | None = None
    role: Role = Role.LEARNER
    drafts_classified: bool = False
    is_it_staff: bool = False
    is_unit_head: bool = False


def may_manage(actor: Actor, person: Person) -> bool:
    """An ICT admin manages everyone (the last-admin rule aside); a unit officer manages only the
    learners of their own units, never another manager and never themselves, so an officer
    whose units happen to hold an admin's or a sub-unit officer's record cannot take it over."""
    if actor is None or actor.role == Role.ICT_ADMIN:
        return True
    if actor.role != Role.UNIT_OFFICER or person.id == actor.id:
        return False
    return person.role == Role.LEARNER and scope_of(actor).contains(person.unit)


def require_may_manage(actor: Actor, person: Person) -> None:
    if not may_manage(actor, person):
        raise NotAllowed(_("Only the province's ICT administrators can change this account."))


def _clean(data: PersonData) -> PersonData:
    data.username = nfc(data.username).strip().lower()
    data.full_name = " ".join(nfc(data.full_name).split())
    data.email = nfc(data.email or "").strip() or None
    data.employee_id = nfc(data.employee_id or "").strip() or None
    data.position = " ".join(nfc(data.position or "").split()) or None
    return data


VISIBLE_ONLY = (
    "Use visible letters, digits and punctuation only: control, invisible and "
    "direction-changing characters are not accepted."
)


def _text_problems(data: PersonData) -> list[FieldProblem]:
    problems = []
    for field, value, limit in (
        ("full_name", data.full_name, MAX_FULL_NAME),
        ("email", data.email, MAX_EMAIL),
        ("employee_id", data.employee_id, MAX_EMPLOYEE_ID),
        ("position", data.position, MAX_POSITION),
    ):
        if not value:  # a missing required value has its own message
            continue
        if len(value) > limit:
            problems.append(
                FieldProblem(field, _("This field takes at most %(num)d characters.", num=limit))
            )
        elif has_invisible_characters(value):
            problems.append(FieldProblem(field, _(VISIBLE_ONLY)))
    return problems


def check_person(data: PersonData, *, actor: Actor) -> list[FieldProblem]:
    """Every problem of one record that needs no other record: shape, text, unit and scope.
    Pure but for the e-mail normalisation it keeps (`data.email`); call `_clean` first."""
    problems = []
    if not USERNAME_PATTERN.match(data.username):
        problems.append(
            FieldProblem(
                "username",
                _(
                    "A username is 3 to 64 lower-case letters, digits, "
                    "'.', '_' or '-', starting with a letter or digit."
                ),
            )
        )
    if not data.full_name:
        problems.append(FieldProblem("full_name", _("A full name is required.")))
    problems.extend(_text_problems(data))
    if not data.unit.is_active:
        problems.append(FieldProblem("unit", _("Unit %(code)s is retired.", code=data.unit.code)))
    elif actor is not None and not scope_of(actor).contains(data.unit):
        problems.append(FieldProblem("unit", _("You can only place people in your own units.")))
    if not any(p.field == "email" for p in problems):
        try:
            data.email = normalise_email(data.email)
        except RuleViolation as err:
            problems.append(FieldProblem("email", err.message))
    return problems


@dataclass(frozen=True)
class Candidate:
    """One record of a batch for the conflict check: its line, its data, and the person it
    updates (None for a new one), whose own values are no conflict."""

    line: int
    data: PersonData
    person_id: int | None = None


def find_conflicts(
    candidates: Sequence[Candidate], *, actor: Actor
) -> dict[int, list[FieldProblem]]:
    """Usernames and employee IDs are unique in the province: one query per key for the whole
    batch, whatever its size, plus the clashes inside the batch itself.

    When the other record lies outside the actor's units the message names neither the person
    nor the unit, and reads the same for both keys, so an officer learns nothing about other
    units from it."""
    scope = scope_of(actor) if actor is not None and actor.role != Role.LEARNER else None
    found: dict[int, list[FieldProblem]] = {}
    for field, column, value_of in (
        ("username", Person.username, lambda d: d.username),
        ("employee_id", Person.employee_id, lambda d: d.employee_id),
    ):
        values = {value_of(c.data) for c in candidates if value_of(c.data)}
        holders = (
            {
                value: (person_id, unit)
                for value, person_id, unit in db.session.execute(
                    select(column, Person.id, Unit)
                    .join(Person.unit)
                    .where(column.in_(sorted(values)))
                ).all()
            }
            if values
            else {}
        )
        first_line: dict[str, int] = {}
        for candidate in candidates:
            value = value_of(candidate.data)
            if not value:
                continue
            if value in first_line:
                found.setdefault(candidate.line, []).append(
                    FieldProblem(
                        field,
                        _("Line %(line)d has the same value.", line=first_line[value]),
                    )
                )
                continue
            first_line[value] = candidate.line
            holder = holders.get(value)
            if holder is None or holder[0] == candidate.person_id:
                continue
            if scope is not None and not scope.contains(holder[1]):
                message = _(
                    "This value cannot be used. If the person moved here from another unit, "
                    "ask the province's ICT administrators to move their record."
                )
            elif field == "username":
                message = _("The username %(name)s is taken.", name=value)
            else:
                message = _("Another person has the employee ID %(id)s.", id=value)
            found.setdefault(candidate.line, []).append(FieldProblem(field, message))
    return found


def _validate(data: PersonData, person: Person | None, actor: Actor) -> None:
    problems = check_person(data, actor=actor)
    conflicts = find_conflicts([Candidate(0, data, person.id if person else None)], actor=actor)
    refuse_if_any([*problems, *conflicts.get(0, [])])


def validate_password(password: str, *, username: str | None, full_name: str | None) -> None:
    problems = password_problems(password, username=username, full_name=full_name)
    if problems:
        raise RuleViolation("password", " ".join(problems))


def _check_role(actor: Actor, role: Role) -> None:
    if actor is not None and role not in assignable_roles(actor):
        raise RuleViolation("role", _("Only the province's ICT administrators grant roles."))


def create_person(data: PersonData, *, actor: Actor, password: str | None, today: date) -> Person:
    """A person without a password exists as a staff record but cannot sign in until one is
    set."""
    data = _clean(data)
    _check_role(actor, data.role)
    _validate(data, None, actor)
    if password is not None:
        validate_password(password, username=data.username, full_name=data.full_name)
    person = Person(
        username=data.username,
        full_name=data.full_name,
        search_key=search_key_of(data),
        email=data.email,
        employee_id=data.employee_id,
        position=data.position,
        unit=data.unit,
        role=data.role,
        active=True,
        password_hash=hash_password(password) if password is not None else None,
    )
    db.session.add(person)
    db.session.flush()
    db.session.add(Membership(person_id=person.id, unit_id=data.unit.id, valid_from=today))
    set_person_flags(
        person,
        drafts_classified=data.drafts_classified,
        is_it_staff=data.is_it_staff,
        is_unit_head=data.is_unit_head,
        today=today,
    )
    return person


def create_people(batch: Sequence[PersonData], *, actor: Actor, today: date) -> list[Person]:
    """Many new people at once, without passwords (a roster import: each signs in first with
    a one-time token). Validated together — one query per unique key for the whole batch —
    and written in a handful of statements whatever its size, where `create_person` in a
    loop would cost several queries a person."""
    batch = [_clean(data) for data in batch]
    problems: list[FieldProblem] = []
    for data in batch:
        _check_role(actor, data.role)
        problems.extend(check_person(data, actor=actor))
    conflicts = find_conflicts(
        [Candidate(line, data) for line, data in enumerate(batch)], actor=actor
    )
    refuse_if_any([*problems, *(p for found in conflicts.values() for p in found)])
    people = [
        Person(
            username=data.username,
            full_name=data.full_name,
            search_key=search_key_of(data),
            email=data.email,
            employee_id=data.employee_id,
            position=data.position,
            unit=data.unit,
            role=data.role,
            active=True,
            drafts_classified=data.drafts_classified,
            is_it_staff=data.is_it_staff,
            is_unit_head=data.is_unit_head,
            password_hash=None,
        )
        for data in batch
    ]
    db.session.add_all(people)
    db.session.flush()
    db.session.add_all(
        Membership(person_id=person.id, unit_id=person.unit_id, valid_from=today)
        for person in people
    )
    db.session.add_all(
        PersonFlagPeriod(person_id=person.id, flag=flag, valid_from=today)
        for person in people
        for flag, on in (
            (PersonFlag.DRAFTS_CLASSIFIED, person.drafts_classified),
            (PersonFlag.IT_STAFF, person.is_it_staff),
            (PersonFlag.UNIT_HEAD, person.is_unit_head),
        )
        if on
    )
    note_people([person.id for person in people], today=today)
    return people


def update_person(person: Person, data: PersonData, *, actor: Actor, today: date) -> None:
    require_may_manage(actor, person)
    data = _clean(data)
    if data.role != person.role:
        _check_role(actor, data.role)
        if person.role == Role.ICT_ADMIN:
            _require_another_admin(person)
    _validate(data, person, actor)
    person.username = data.username
    person.full_name = data.full_name
    person.search_key = search_key_of(data)
    person.email = data.email
    person.employee_id = data.employee_id
    person.position = data.position
    person.role = data.role
    move_person_to_unit(person, data.unit, today=today)
    set_person_flags(
        person,
        drafts_classified=data.drafts_classified,
        is_it_staff=data.is_it_staff,
        is_unit_head=data.is_unit_head,
        today=today,
    )


def set_role(person: Person, role: Role, *, actor: Actor) -> None:
    """Granting or taking a role is the ICT admins' (or the console's) alone."""
    require_may_manage(actor, person)
    _check_role(actor, role)
    if person.role == Role.ICT_ADMIN and role != Role.ICT_ADMIN:
        _require_another_admin(person)
    person.role = role


def _require_another_admin(person: Person) -> None:
    """The province must keep one active ICT admin: nobody else can grant the role back. The
    admin rows are locked (PostgreSQL) so two admins demoting each other at the same moment
    cannot both succeed; SQLite lets one writer at a time anyway."""
    admins = db.session.scalars(
        select(Person.id)
        .where(Person.role == Role.ICT_ADMIN, Person.active.is_(True))
        .with_for_update()
    ).all()
    if not set(admins) - {person.id}:
        raise RuleViolation(
            "role",
            _(
                "%(name)s is the province's last active ICT administrator: make someone else "
                "an administrator first.",
                name=person.full_name,
            ),
        )


def normalise_email(email: str | None) -> str | None:
    email = (email or "").strip()
    if not email:
        return None
    try:
        return validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError as err:
        raise RuleViolation("email", _("This e-mail address is not valid.")) from err


def search_key_of(person: Person | PersonData) -> str:
    """What the people search matches: name, username, employee ID and e-mail, folded."""
    return fold(
        " ".join(
            filter(None, [person.full_name, person.username, person.employee_id, person.email])
        )
    )


def set_person_flags(
    person: Person,
    *,
    drafts_classified: bool,
    is_it_staff: bool,
    is_unit_head: bool = False,
    today: date,
) -> None:
    wanted = {
        PersonFlag.DRAFTS_CLASSIFIED: drafts_classified,
        PersonFlag.IT_STAFF: is_it_staff,
        PersonFlag.UNIT_HEAD: is_unit_head,
    }
    open_periods = {
        p.flag: p
        for p in db.session.scalars(
            select(PersonFlagPeriod).where(
                PersonFlagPeriod.person_id == person.id, PersonFlagPeriod.valid_to.is_(None)
            )
        )
    }
    for flag, on in wanted.items():
        period = open_periods.get(flag)
        if on and period is None:
            db.session.add(PersonFlagPeriod(person_id=person.id, flag=flag, valid_from=today))
        elif not on and period is not None:
            period.valid_to = today
    person.drafts_classified = drafts_classified
    person.is_it_staff = is_it_staff
    person.is_unit_head = is_unit_head
    note_people([person.id], today=today)


def end_sessions(person: Person) -> None:
    """Every session issued to this person so far stops working at its next request."""
    person.session_version = (person.session_version or 0) + 1


def set_password(person: Person, password: str, *, actor: Actor) -> None:
    """Someone else's password: an officer's reset for a learner, or the console's. Changing
    one's own password always goes through `change_own_password`, which asks for the current
    one, so a borrowed session cannot lock its owner out."""
    if actor is not None and actor.id == person.id:
        raise RuleViolation(
            "password",
            _("Change your own password on your profile page, which asks for the current one."),
        )
    require_may_manage(actor, person)
    store_password(person, password)


def store_password(person: Person, password: str) -> None:
    validate_password(password, username=person.username, full_name=person.full_name)
    person.password_hash = hash_password(password)
    end_sessions(person)


def deactivate_person(person: Person, *, actor: Actor, today: date | None = None) -> None:
    """Deactivated people keep their history and records; they just cannot sign in."""
    if actor is not None and person.id == actor.id:
        raise RuleViolation(None, _("You cannot deactivate your own account."))
    require_may_manage(actor, person)
    if person.role == Role.ICT_ADMIN:
        _require_another_admin(person)
    day = today or today_vn()
    person.active = False
    db.session.add(PersonFlagPeriod(person_id=person.id, flag=PersonFlag.INACTIVE, valid_from=day))
    end_sessions(person)
    note_people([person.id], today=day)


def reactivate_person(person: Person, *, actor: Actor, today: date | None = None) -> None:
    require_may_manage(actor, person)
    if not person.unit.is_active:
        raise RuleViolation(
            None,
            _(
                "Unit %(code)s is retired: move the person to an active unit first.",
                code=person.unit.code,
            ),
        )
    day = today or today_vn()
    person.active = True
    for period in db.session.scalars(
        select(PersonFlagPeriod).where(
            PersonFlagPeriod.person_id == person.id,
            PersonFlagPeriod.flag == PersonFlag.INACTIVE,
            PersonFlagPeriod.valid_to.is_(None),
        )
    ):
        period.valid_to = day
    note_people([person.id], today=day)


def find_by_username(username: str) -> Person | None:
    return db.session.scalar(select(Person).where(Person.username == username.strip().lower()))


def membership_history(person: Person) -> Sequence[Membership]:
    return db.session.scalars(
        select(Membership)
        .options(joinedload(Membership.unit))
        .where(Membership.person_id == person.id)
        .order_by(Membership.valid_from, Membership.id)
    ).all()


def flag_history(person: Person) -> Sequence[PersonFlagPeriod]:
    return db.session.scalars(
        select(PersonFlagPeriod)
        .where(PersonFlagPeriod.person_id == person.id)
        .order_by(PersonFlagPeriod.valid_from, PersonFlagPeriod.id)
    ).all()


@dataclass
class PeopleFilter:
    query: str = ""
    unit: Unit | None = None
    priority: bool = False
    drafts_classified: bool = False
    it_staff: bool = False
    role: Role | None = None
    status: str = "active"  # active | inactive | all


def people_query(scope: Scope, filters: PeopleFilter) -> Select[tuple[Person]]:
    stmt = select(Person).join(Person.unit).options(joinedload(Person.unit)).where(scope.people())
    if filters.query:
        for word in fold(nfc(filters.query)).split():
            stmt = stmt.where(Person.search_key.contains(word, autoescape=True))
    if filters.unit is not None:
        stmt = stmt.where(Unit.path.startswith(filters.unit.path, autoescape=True))
    if filters.priority:
        stmt = stmt.where(or_(Person.drafts_classified.is_(True), Unit.is_key_department.is_(True)))
    if filters.drafts_classified:
        stmt = stmt.where(Person.drafts_classified.is_(True))
    if filters.it_staff:
        stmt = stmt.where(Person.is_it_staff.is_(True))
    if filters.role is not None:
        stmt = stmt.where(Person.role == filters.role)
    if filters.status == "active":
        stmt = stmt.where(Person.active.is_(True))
    elif filters.status == "inactive":
        stmt = stmt.where(Person.active.is_(False))
    return stmt.order_by(Unit.path, Person.search_key, Person.id)


def search_people(scope: Scope, filters: PeopleFilter, *, page: int, per_page: int) -> Pagination:
    return db.paginate(
        people_query(scope, filters), page=page, per_page=per_page, error_out=False, count=True
    )


def get_person_in_scope(scope: Scope, person_id: int) -> Person | None:
    return db.session.scalar(
        select(Person)
        .options(joinedload(Person.unit))
        .where(Person.id == person_id, scope.people())
    )


def get_unit_in_scope(scope: Scope, unit_id: int) -> Unit | None:
    return db.session.scalar(select(Unit).where(Unit.id == unit_id, scope.units()))
