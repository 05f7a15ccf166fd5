"""Quizzes as loaded from disk, attempts frozen at their start, and their results.

An attempt copies its drawn questions — texts, shuffled choices, which are right, the
explanation — into itself when it starts, so grading is reproducible and a later edit of the
bank never changes a finished attempt. Grading happens once: `AttemptResult` (score and
answers) has one row per attempt at most, enforced by the database, so a double submit, a
replayed form or two tabs cannot grade twice. The completion a pass earns belongs to the
course (`courses.models.Completion`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from training.clock import utcnow
from training.db import UTCDateTime, str_enum
from training.extensions import Model

# A submit that left the browser just before the deadline may arrive a little after it.
GRACE = timedelta(seconds=30)


class QuestionType(enum.StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    TRUE_FALSE = "true_false"


class Quiz(Model):
    __tablename__ = "quizzes"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    course_slug: Mapped[str] = mapped_column(String(80), index=True)
    pass_mark: Mapped[int]
    questions_per_attempt: Mapped[int]
    time_limit_minutes: Mapped[int | None]
    max_attempts_per_day: Mapped[int | None]
    partial_credit: Mapped[bool] = mapped_column(default=False)
    content_hash: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Question(Model):
    """The current pool. Rewritten when the bank changes: attempts keep their own copies."""

    __tablename__ = "questions"
    __table_args__ = (UniqueConstraint("quiz_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id"))
    key: Mapped[str] = mapped_column(String(80))
    position: Mapped[int]
    type: Mapped[QuestionType] = mapped_column(str_enum(QuestionType))
    clauses: Mapped[str] = mapped_column(String(400), default="")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)


class AttemptStatus(enum.StrEnum):
    OPEN = "open"
    GRADED = "graded"
    EXPIRED = "expired"


def attempt_status(
    *, graded: bool, expired_at: datetime | None, deadline_at: datetime | None, now: datetime
) -> AttemptStatus:
    """Derived, not stored: graded means a result row exists, which only the database's unique
    constraint decides; expired means closed ungraded, or past the deadline and its grace, so a
    page that finds an attempt overdue shows it expired without writing. `attempts._is_open`
    is the same rule in SQL."""
    if graded:
        return AttemptStatus.GRADED
    if expired_at is not None or (deadline_at is not None and deadline_at + GRACE < now):
        return AttemptStatus.EXPIRED
    return AttemptStatus.OPEN


@dataclass(frozen=True)
class FrozenQuestion:
    """One drawn question as the attempt keeps it: texts, the choices in the order shown with
    which are right, the explanation, and — once graded — what was chosen and the points."""

    position: int
    key: str
    type: QuestionType
    payload: dict[str, Any]
    selected: list[int] | None = None
    points: float | None = None

    def frozen_json(self) -> dict[str, Any]:
        return {"key": self.key, "type": self.type.value, "payload": self.payload}

    def answer_json(self) -> dict[str, Any]:
        return {"selected": self.selected, "points": self.points}


class Attempt(Model):
    """The drawn questions live in one JSON column: an attempt is written in one statement
    when it starts and one when it is graded, and nothing outside it can change them."""

    __tablename__ = "attempts"
    __table_args__ = (
        Index("ix_attempts_person_quiz_day", "person_id", "quiz_id", "started_on"),
        # The database, not a check in Python, decides the two start rules under load: the n-th
        # attempt of a day can exist once (so at most the daily allowance), and only one
        # attempt per person and quiz can hold the open slot (NULLs never collide).
        UniqueConstraint(
            "person_id", "quiz_id", "started_on", "day_seq", name="uq_attempts_day_seq"
        ),
        UniqueConstraint("person_id", "quiz_id", "open_slot", name="uq_attempts_open_slot"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    course_hash: Mapped[str] = mapped_column(String(64))  # the course version it was taken on
    validity_months: Mapped[int]  # the course's rule when the attempt started
    pass_mark: Mapped[int]
    partial_credit: Mapped[bool]
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_on: Mapped[date]  # Vietnamese calendar day, for attempts per day
    day_seq: Mapped[int]  # 1 for the first attempt of that day, 2 for the second, …
    # True while the attempt holds the person's slot, else NULL (NULLs never collide). An
    # attempt past its deadline may still hold it: the next start releases it.
    open_slot: Mapped[bool | None]
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # closed ungraded
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # written once, never changed

    result: Mapped[AttemptResult | None] = relationship(back_populates="attempt")

    def status_at(self, now: datetime) -> AttemptStatus:
        return attempt_status(
            graded=self.result is not None,
            expired_at=self.expired_at,
            deadline_at=self.deadline_at,
            now=now,
        )

    @property
    def status(self) -> AttemptStatus:
        return self.status_at(utcnow())

    @property
    def questions(self) -> list[FrozenQuestion]:
        answers = self.result.answers if self.result is not None else []
        questions = []
        for position, item in enumerate(self.items, start=1):
            answer = answers[position - 1] if position <= len(answers) else {}
            questions.append(
                FrozenQuestion(
                    position,
                    item["key"],
                    QuestionType(item["type"]),
                    item["payload"],
                    answer.get("selected"),
                    answer.get("points"),
                )
            )
        return questions


class AttemptResult(Model):
    __tablename__ = "attempt_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), unique=True)
    score: Mapped[int]  # percent, rounded down: 79.9 does not pass a mark of 80
    passed: Mapped[bool]
    answers: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # per question, in order
    graded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    attempt: Mapped[Attempt] = relationship(back_populates="result")
