"""Rules for people: creating and editing staff records, their dated unit and flags, sign-in.

The current unit and flags sit on `Person` for fast lists; every change also closes and opens
dated rows (`Membership`, `PersonFlagPeriod`), so reports can count people as they were.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload

from training.auth.passwords import MIN_LENGTH, hash_password, needs_rehash, verify_password
from training.errors import KhienError, RuleViolation
from training.extensions import db
from training.org.models import Membership, Person, PersonFlag, PersonFlagPeriod, Role, Unit
from training.org.scope import Scope
from training.org.units import move_person_to_unit
from training.text import fold, nfc

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")


class SignInFailed(KhienError):
    """One message for unknown user, wrong password and disabled account: telling them apart
    would let anyone probe which usernames exist."""


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


def _clean(data: PersonData) -> PersonData:
    data.username = data.username.strip().lower()
    data.full_name = " ".join(nfc(data.full_name).split())
    data.email = (data.email or "").strip() or None
    data.employee_id = nfc(data.employee_id or "").strip() or None
    data.position = nfc(data.position or "").strip() or None
    return data


def _validate(data: PersonData, person: Person | None) -> None:
    if not USERNAME_PATTERN.match(data.username):
        raise RuleViolation(
            "username",
            _(
                "A username is 3 to 64 lower-case letters, digits, "
                "'.', '_' or '-', starting with a letter or digit."
            ),
        )
    if not data.full_name:
        raise RuleViolation("full_name", _("A full name is required."))
    if not data.unit.is_active:
        raise RuleViolation("unit", _("Unit %(code)s is retired.", code=data.unit.code))
    data.email = normalise_email(data.email)
    others = select(Person.id)
    if person is not None:
        others = others.where(Person.id != person.id)
    if db.session.scalar(others.where(Person.username == data.username)):
        raise RuleViolation("username", _("The username %(name)s is taken.", name=data.username))
    if data.employee_id and db.session.scalar(others.where(Person.employee_id == data.employee_id)):
        raise RuleViolation(
            "employee_id", _("Another person has the employee ID %(id)s.", id=data.employee_id)
        )


def validate_password(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise RuleViolation(
            "password", _("A password needs at least %(num)d characters.", num=MIN_LENGTH)
        )


def create_person(data: PersonData, *, password: str | None, today: date) -> Person:
    """A person without a password exists as a staff record but cannot sign in until one is
    set."""
    data = _clean(data)
    _validate(data, None)
    if password is not None:
        validate_password(password)
    person = Person(
        username=data.username,
        full_name=data.full_name,
        search_key=_search_key(data),
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
        person, drafts_classified=data.drafts_classified, is_it_staff=data.is_it_staff, today=today
    )
    return person


def update_person(person: Person, data: PersonData, *, today: date) -> None:
    data = _clean(data)
    _validate(data, person)
    person.username = data.username
    person.full_name = data.full_name
    person.search_key = _search_key(data)
    person.email = data.email
    person.employee_id = data.employee_id
    person.position = data.position
    person.role = data.role
    move_person_to_unit(person, data.unit, today=today)
    set_person_flags(
        person, drafts_classified=data.drafts_classified, is_it_staff=data.is_it_staff, today=today
    )


def normalise_email(email: str | None) -> str | None:
    email = (email or "").strip()
    if not email:
        return None
    try:
        return validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError as err:
        raise RuleViolation("email", _("This e-mail address is not valid.")) from err


def _search_key(person: Person | PersonData) -> str:
    """What the people search matches: name, username, employee ID and e-mail, folded."""
    return fold(
        " ".join(
            filter(None, [person.full_name, person.username, person.employee_id, person.email])
        )
    )


def set_person_flags(
    person: Person, *, drafts_classified: bool, is_it_staff: bool, today: date
) -> None:
    wanted = {PersonFlag.DRAFTS_CLASSIFIED: drafts_classified, PersonFlag.IT_STAFF: is_it_staff}
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


def set_password(person: Person, password: str) -> None:
    validate_password(password)
    person.password_hash = hash_password(password)


def change_own_password(person: Person, current: str, new: str) -> None:
    if not verify_password(person.password_hash, current):
        raise RuleViolation("current_password", _("The current password is not correct."))
    set_password(person, new)


def deactivate_person(person: Person, *, actor: Person) -> None:
    """Deactivated people keep their history and records; they just cannot sign in."""
    if person.id == actor.id:
        raise RuleViolation(None, _("You cannot deactivate your own account."))
    person.active = False


def reactivate_person(person: Person) -> None:
    if not person.unit.is_active:
        raise RuleViolation(
            None,
            _(
                "Unit %(code)s is retired: move the person to an active unit first.",
                code=person.unit.code,
            ),
        )
    person.active = True


def authenticate(username: str, password: str, *, now: datetime) -> Person:
    person = db.session.scalar(select(Person).where(Person.username == username.strip().lower()))
    ok = verify_password(person.password_hash if person else None, password)
    if person is None or not ok or not person.active:
        raise SignInFailed(_("Wrong username or password, or the account is disabled."))
    if needs_rehash(person.password_hash or ""):
        person.password_hash = hash_password(password)
    person.last_login_at = now
    return person


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


def update_own_profile(person: Person, *, email: str | None, locale: str) -> None:
    person.email = normalise_email(email)
    person.locale = locale
    person.search_key = _search_key(person)
