"""Courses as loaded from disk, their versions, and what each person has read.

A course is identified by its slug for ever; each distinct content (hash of every file) is a
`CourseVersion`. Reading progress is keyed by course and lesson *key*, not by version, so a
corrected typo or a new lesson never wipes what a learner has done; completions record the
version they were earned on.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from training.clock import utcnow
from training.db import UTCDateTime, str_enum
from training.extensions import Model


class Audience(enum.StrEnum):
    ALL = "all"
    PRIORITY = "priority"
    IT_STAFF = "it_staff"
    UNIT_HEADS = "unit_heads"  # heads of units: what the directive asks them to direct


class CompletionMethod(enum.StrEnum):
    """How a completion was earned; every report counts them alike, every page says which."""

    QUIZ = "quiz"  # passed the course's quiz on the site
    IN_PERSON = "in_person"  # attended a classroom session (and passed, unless attendance suffices)
    MANUAL = "manual"  # recorded by an officer, with a reason and evidence
    EXTERNAL = "external"  # earned on another platform, imported through the course mapping


class Course(Model):
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


class CourseVersion(Model):
    __tablename__ = "course_versions"
    __table_args__ = (UniqueConstraint("course_id", "content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    course: Mapped[Course] = relationship()


class Lesson(Model):
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


class LessonText(Model):
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


class LessonRead(Model):
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


class Completion(Model):
    """A course completed, which the certificate, assignments and every report count. Valid for
    the course's validity from that day; the code verifies the certificate publicly. One
    completion in force per person, course and day, by a unique index: passing again the same
    day, or an import that repeats itself, earns nothing new. A revoked one is left out of the
    index, so the learner who passes the quiz the day a mistaken manual record was revoked
    still earns their own.

    It belongs to the course, not to the quiz: assignments ask "is it done?" and reports ask
    "completed and valid on D?" without knowing how it was earned. `method` says how, with its
    evidence: the attempt (quiz, and in person when the quiz was passed after a session), the
    classroom session, the officer's reason and evidence (manual), or the outside platform's
    reference (external). A revoked completion stays, marked, so its certificate code answers
    "revoked" rather than "unknown"; nothing counts it."""

    __tablename__ = "completions"
    __table_args__ = (
        Index(
            "uq_completions_person_course_day",
            "person_id",
            "course_id",
            "completed_on",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
        # Covers "which completions were in force on a day" in (person, course) order without
        # reading a row: the coverage reports merge it with the requirements (reports/coverage.py).
        Index(
            "ix_completions_pair_validity",
            "person_id",
            "course_id",
            "completed_on",
            "valid_until",
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    course_hash: Mapped[str] = mapped_column(String(64))
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempts.id"), unique=True)
    method: Mapped[CompletionMethod] = mapped_column(
        str_enum(CompletionMethod), default=CompletionMethod.QUIZ, server_default="quiz"
    )
    classroom_id: Mapped[int | None] = mapped_column(ForeignKey("classroom_sessions.id"))
    external_course_id: Mapped[int | None] = mapped_column(ForeignKey("external_courses.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(String(200))  # a document number, a reference
    completed_on: Mapped[date]
    valid_until: Mapped[date]
    code: Mapped[str] = mapped_column(String(20), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))

    course: Mapped[Course] = relationship()


class CompletionAction(enum.StrEnum):
    RECORDED = "recorded"
    REVOKED = "revoked"


class CompletionLog(Model):
    """Append-only: who recorded or revoked a completion by hand (or imported one), when and
    why. The ICT admin reads and exports it; the database refuses an UPDATE of a row (a
    trigger, on both databases)."""

    __tablename__ = "completion_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    completion_id: Mapped[int] = mapped_column(ForeignKey("completions.id"), index=True)
    action: Mapped[CompletionAction] = mapped_column(str_enum(CompletionAction))
    method: Mapped[CompletionMethod] = mapped_column(str_enum(CompletionMethod))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))  # None: the console
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    completed_on: Mapped[date]
    reason: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ClassroomSession(Model):
    """An in-person training session (tập huấn) a unit held: its attendees earn the course by
    passing its quiz on the site afterwards, or by attendance alone when the session says so."""

    __tablename__ = "classroom_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    held_on: Mapped[date]
    place: Mapped[str] = mapped_column(String(200))
    trainer: Mapped[str] = mapped_column(String(200))
    attendance_completes: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    course: Mapped[Course] = relationship()


class Attendance(Model):
    __tablename__ = "attendances"
    __table_args__ = (UniqueConstraint("session_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("classroom_sessions.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ExternalCourse(Model):
    """The ICT admin's mapping from a course of another platform (the national "Bình dân học vụ
    số", another province's Khiên) to the Khiên course it stands for. Imports name the outside
    course as its platform does; `key` is that name folded, so case and accents do not split
    one course in two."""

    __tablename__ = "external_courses"
    __table_args__ = (UniqueConstraint("source", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300))
    key: Mapped[str] = mapped_column(String(300))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    note: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    course: Mapped[Course] = relationship()
