"""The demo province's training year: the directive's defaults in force for some weeks, one
in-person session, and a mix of people trained, in progress, late and never started.

A newcomer opening the demo should see what the officer's grid and the learner's home are for:
priority staff past their 30-day deadline, everyone else nearing their 90 days, certificates in
force. The records are plainly the demo's (the session says so), and they are made once, with
the province, by `seed-demo`.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from training.assignments.defaults import ensure_default_assignments
from training.courses.completions import add_months, new_code
from training.courses.models import (
    Attendance,
    ClassroomSession,
    Completion,
    CompletionMethod,
    Course,
)
from training.extensions import db
from training.org.models import Person, Role
from training.org.units import require_unit

DEFAULTS_BEGAN_DAYS_AGO = 80
SESSION_HELD_DAYS_AGO = 45
SESSION_UNIT = "SKHCN"
ATTENDANCE_SHARE = 0.4
# The learners named in the README keep a clean slate: their home pages show deadlines.
UNTOUCHED = {"hanh.tran", "khang.le"}


def seed_demo_training(*, today: date) -> None:
    began = today - timedelta(days=DEFAULTS_BEGAN_DAYS_AGO)
    ensure_default_assignments(began)
    courses = db.session.scalars(
        select(Course).where(Course.active.is_(True)).order_by(Course.position)
    ).all()
    all_staff = next((c for c in courses if c.slug == "foundations"), None)
    if all_staff is None:
        return
    held_on = today - timedelta(days=SESSION_HELD_DAYS_AGO)
    session = ClassroomSession(
        course_id=all_staff.id,
        unit_id=require_unit(SESSION_UNIT).id,
        held_on=held_on,
        place="Hội trường Sở Khoa học và Công nghệ (dữ liệu mẫu)",
        trainer="Phòng Công nghệ thông tin và Chuyển đổi số (dữ liệu mẫu)",
        attendance_completes=True,
    )
    db.session.add(session)
    db.session.flush()
    learners = db.session.scalars(
        select(Person)
        .where(Person.role == Role.LEARNER, Person.active.is_(True))
        .where(Person.username.not_in(UNTOUCHED))
        .order_by(Person.id)
    ).all()
    rng = random.Random(2016)  # noqa: S311 - demo data, not secrets
    attendees = [p for p in learners if rng.random() < ATTENDANCE_SHARE]
    db.session.add_all(Attendance(session_id=session.id, person_id=p.id) for p in attendees)
    db.session.add_all(
        Completion(
            person_id=p.id,
            course_id=all_staff.id,
            course_hash=all_staff.current_hash,
            method=CompletionMethod.IN_PERSON,
            classroom_id=session.id,
            completed_on=held_on,
            valid_until=add_months(held_on, all_staff.validity_months),
            code=new_code(),
        )
        for p in attendees
    )
