"""Assignments: which course a target must complete, by when; the requirements they put on each
person; and the reminders sent about them.

An assignment names a target (a unit subtree or the whole province, narrowed to an audience, or
named people) and a deadline (a date, or a number of days from the day a person comes under it,
shorter for priority staff). It is never copied onto people by hand: `Requirement` rows are
derived from it by set-based statements (`assignments/requirements.py`) whenever the assignment
or the organisation changes, so a person who joins the target later is assigned automatically,
and one who leaves it keeps a closed row, and so their history.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from training.clock import utcnow
from training.courses.models import Course
from training.db import UTCDateTime, str_enum
from training.extensions import Model
from training.org.models import Person, Unit


class TargetGroup(enum.StrEnum):
    """Who within the target unit(s) the assignment is for."""

    EVERYONE = "everyone"
    PRIORITY = "priority"  # D2: drafters of classified documents, staff of key departments
    IT_STAFF = "it_staff"
    UNIT_HEADS = "unit_heads"
    NAMED = "named"  # the people listed in `assignment_people`, wherever they sit


class Assignment(Model):
    """`unit_id` None is the whole province. Exactly one of `due_on` and `due_days` is set:
    a fixed date, or so many days from the day the person came under the assignment.
    `priority_due_days`, when set, is the shorter window priority staff get (D2).
    `default_key` marks the directive's defaults (`assignments/defaults.py`), created once."""

    __tablename__ = "assignments"
    __table_args__ = (
        CheckConstraint("(due_on IS NULL) <> (due_days IS NULL)", name="one_deadline"),
        CheckConstraint("due_days IS NULL OR due_days > 0", name="due_days_positive"),
        CheckConstraint(
            "priority_due_days IS NULL OR priority_due_days > 0", name="priority_days_positive"
        ),
        UniqueConstraint("default_key", name="uq_assignments_default_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    audience: Mapped[TargetGroup] = mapped_column(str_enum(TargetGroup))
    due_on: Mapped[date | None]
    due_days: Mapped[int | None]
    priority_due_days: Mapped[int | None]
    starts_on: Mapped[date]
    ended_on: Mapped[date | None]  # withdrawn: its open requirements close that day
    default_key: Mapped[str | None] = mapped_column(String(40))
    clause: Mapped[str | None] = mapped_column(String(40))  # the directive clause behind it
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    course: Mapped[Course] = relationship()
    unit: Mapped[Unit | None] = relationship()
    created_by: Mapped[Person | None] = relationship()

    @property
    def is_active(self) -> bool:
        return self.ended_on is None


class AssignmentPerson(Model):
    """The people of a `NAMED` assignment."""

    __tablename__ = "assignment_people"
    __table_args__ = (UniqueConstraint("assignment_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)


class Requirement(Model):
    """One person under one assignment, from `starts_on` until `ended_on` (exclusive, NULL while
    it holds), due by `due_on`. Rows are closed, never deleted, so "what was required of whom
    on D" has an answer for any past day. One open row per assignment and person, by index:
    two refreshes at once cannot double a requirement."""

    __tablename__ = "requirements"
    __table_args__ = (
        CheckConstraint("ended_on IS NULL OR ended_on >= starts_on", name="dates"),
        UniqueConstraint("assignment_id", "person_id", "starts_on", name="uq_requirements_start"),
        Index(
            "uq_requirements_open",
            "assignment_id",
            "person_id",
            unique=True,
            sqlite_where=text("ended_on IS NULL"),
            postgresql_where=text("ended_on IS NULL"),
        ),
        Index("ix_requirements_person_course", "person_id", "course_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    starts_on: Mapped[date]
    due_on: Mapped[date]
    ended_on: Mapped[date | None]


class Reminder(Model):
    """A reminder e-mailed to a learner about one course on one day. The unique row is the
    rule "never the same reminder for the same pair twice a day": the daily job, an officer's
    "send now" and a second job started by mistake all insert it, and only one insert wins."""

    __tablename__ = "reminders"
    __table_args__ = (UniqueConstraint("person_id", "course_id", "sent_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    sent_on: Mapped[date]
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))  # None: the daily job
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OfficerDigest(Model):
    """The one daily digest of overdue people an officer receives."""

    __tablename__ = "officer_digests"
    __table_args__ = (UniqueConstraint("officer_id", "sent_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    sent_on: Mapped[date]
    overdue: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
