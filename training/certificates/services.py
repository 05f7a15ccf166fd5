"""Certificates: what the holder sees and prints, and the little the public may verify.

The certificate is Khiên's own record of a completed course, not a state document: it carries
no national emblem or state motto. Verification shows name, unit, course, date and
valid-until, and nothing else — no employee ID, no score, no e-mail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from training.courses.models import Course
from training.extensions import db
from training.org.models import Membership, Person, Unit, UnitKind
from training.quizzes.models import Completion


@dataclass(frozen=True)
class Certificate:
    code: str
    full_name: str
    unit_name: str
    course: Course
    completed_on: date
    valid_until: date
    person_id: int

    def is_valid_on(self, day: date) -> bool:
        return self.completed_on <= day <= self.valid_until


def normalise_code(code: str) -> str:
    """Accept what people type: lower case, spaces, missing hyphens."""
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:12]}" if len(raw) == 12 else code.strip().upper()


def find_certificate(code: str) -> Certificate | None:
    row = db.session.execute(
        select(Completion, Person, Course)
        .join(Person, Person.id == Completion.person_id)
        .join(Course, Course.id == Completion.course_id)
        .where(Completion.code == normalise_code(code))
    ).first()
    if row is None:
        return None
    completion, person, course = row
    return Certificate(
        completion.code,
        person.full_name,
        _unit_on(person, completion.completed_on),
        course,
        completion.completed_on,
        completion.valid_until,
        person.id,
    )


def _unit_on(person: Person, day: date) -> str:
    """The unit the person belonged to on the day they completed: a later move or merger does
    not rewrite the certificate. A division is named with its parent ("Phòng Tổng hợp – Văn
    phòng UBND tỉnh"): many agencies have a "Văn phòng"."""
    unit = (
        db.session.scalar(
            select(Unit)
            .join(Membership, Membership.unit_id == Unit.id)
            .where(
                Membership.person_id == person.id,
                Membership.valid_from <= day,
                (Membership.valid_to.is_(None)) | (Membership.valid_to > day),
            )
            .order_by(Membership.valid_from.desc())
            .limit(1)
        )
        or person.unit
    )
    if unit.kind == UnitKind.DIVISION and unit.parent is not None:
        return f"{unit.name} – {unit.parent.name}"
    return unit.name


def certificates_of(person: Person) -> list[tuple[Completion, Course]]:
    rows = db.session.execute(
        select(Completion, Course)
        .join(Course, Course.id == Completion.course_id)
        .where(Completion.person_id == person.id)
        .order_by(Completion.completed_on.desc(), Completion.id.desc())
    ).all()
    return [(completion, course) for completion, course in rows]
