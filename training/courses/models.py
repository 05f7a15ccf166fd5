"""Courses as loaded from disk, their versions, and what each person has read.

A course is identified by its slug for ever; each distinct content (hash of every file) is a
`CourseVersion`. Reading progress is keyed by course and lesson *key*, not by version, so a
corrected typo or a new lesson never wipes what a learner has done; completions record the
version they were earned on.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from training.clock import utcnow
from training.db import UTCDateTime, str_enum
from training.extensions import db


class Audience(enum.StrEnum):
    ALL = "all"
    PRIORITY = "priority"
    IT_STAFF = "it_staff"


class Course(db.Model):
    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title_vi: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str | None] = mapped_column(String(300))
    summary_vi: Mapped[str] = mapped_column(Text)
    summary_en: Mapped[str | None] = mapped_column(Text)
    audience: Mapped[Audience] = mapped_column(str_enum(Audience))
    minutes: Mapped[int]
    validity_months: Mapped[int] = mapped_column(default=12)
    quiz_slug: Mapped[str | None] = mapped_column(String(80))
    clauses: Mapped[str] = mapped_column(String(400), default="")  # space-separated IDs
    position: Mapped[int] = mapped_column(default=100)
    current_hash: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def title(self, lang: str) -> str:
        return (self.title_en if lang == "en" else None) or self.title_vi

    def summary(self, lang: str) -> str:
        return (self.summary_en if lang == "en" else None) or self.summary_vi

    @property
    def clause_ids(self) -> list[str]:
        return self.clauses.split()


class CourseVersion(db.Model):
    __tablename__ = "course_versions"
    __table_args__ = (UniqueConstraint("course_id", "content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    course: Mapped[Course] = relationship()


class Lesson(db.Model):
    __tablename__ = "lessons"
    __table_args__ = (UniqueConstraint("version_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id"))
    key: Mapped[str] = mapped_column(String(80))
    position: Mapped[int]
    clauses: Mapped[str] = mapped_column(String(400), default="")

    texts: Mapped[list[LessonText]] = relationship(
        back_populates="lesson", order_by="LessonText.lang"
    )


class LessonText(db.Model):
    """One language of a lesson, with its HTML rendered once at load time.

    `source_hash` covers the Markdown, the course and the renderer version: a lesson whose
    source did not change is never rendered again, even in a new course version, and a page
    view never renders at all."""

    __tablename__ = "lesson_texts"
    __table_args__ = (UniqueConstraint("lesson_id", "lang"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id"))
    lang: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(300))
    source_hash: Mapped[str] = mapped_column(String(64), index=True)
    html: Mapped[str] = mapped_column(Text, deferred=True)  # only the page shown loads it

    lesson: Mapped[Lesson] = relationship(back_populates="texts")


class LessonRead(db.Model):
    """A person marked a lesson as read. One row per person, course and lesson key: the
    database refuses a second, so a double click cannot count twice."""

    __tablename__ = "lesson_reads"
    __table_args__ = (
        UniqueConstraint("person_id", "course_id", "lesson_key"),
        Index("ix_lesson_reads_person_course", "person_id", "course_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    lesson_key: Mapped[str] = mapped_column(String(80))
    version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id"))
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Completion(db.Model):
    """A course completed, which the certificate and every report count. Valid for the course's
    validity from that day; the code verifies the certificate publicly. Passing again the same
    day earns nothing new: one completion per person, course and day, by constraint.

    It belongs to the course, not to the quiz: assignments ask "is it done?" and reports ask
    "completed and valid on D?" without knowing how it was earned. Today every completion comes
    from a passed attempt (`attempt_id`, unique); see `courses/completions.py`."""

    __tablename__ = "completions"
    __table_args__ = (
        UniqueConstraint(
            "person_id", "course_id", "completed_on", name="uq_completions_person_course_day"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    course_hash: Mapped[str] = mapped_column(String(64))
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), unique=True)
    completed_on: Mapped[date]
    valid_until: Mapped[date]
    code: Mapped[str] = mapped_column(String(20), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
