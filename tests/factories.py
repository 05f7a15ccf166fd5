"""Rows that tests make directly, without the content loader: courses, completions.

Plain functions, not fixtures, so any test module can use them without `pytest_plugins`; each
commits, so requests and commands started by the test see the rows.
"""

from __future__ import annotations

from datetime import date
from itertools import count

from training.courses.completions import add_months, new_code
from training.courses.models import Audience, Completion, CompletionMethod, Course
from training.extensions import db
from training.org.models import Person

_numbers = count(1)


def add_course(
    slug: str | None = None,
    *,
    audience: Audience = Audience.ALL,
    title_vi: str | None = None,
    title_en: str | None = None,
) -> Course:
    n = next(_numbers)
    course = Course(
        slug=slug or f"course-{n}",
        title_vi=title_vi or f"Khoá {n}",
        title_en=title_en,
        summary_vi="Tóm tắt",
        audience=audience,
        minutes=10,
        current_hash=f"{n:064d}",
        position=n,
    )
    db.session.add(course)
    db.session.commit()
    return course


def add_completion(
    person: Person,
    course: Course,
    on: date,
    months: int = 12,
    *,
    reason: str = "kiểm thử",
    evidence: str | None = None,
) -> Completion:
    """A manual completion (no quiz needed), with a certificate code."""
    completion = Completion(
        person_id=person.id,
        course_id=course.id,
        course_hash=course.current_hash,
        method=CompletionMethod.MANUAL,
        reason=reason,
        evidence=evidence,
        completed_on=on,
        valid_until=add_months(on, months),
        code=new_code(),
    )
    db.session.add(completion)
    db.session.commit()
    return completion
