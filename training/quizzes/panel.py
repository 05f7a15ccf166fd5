"""The quiz section of the course page: what this person may do now, and how it went before.

A read model for a page: it writes nothing (an attempt past its deadline is shown as expired,
derived from the deadline) and costs the same two queries however many attempts the person
has made: the quiz with the person's standing and completion in force, then the latest
attempts with their results.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import ClassVar

from sqlalchemy import bindparam, select
from sqlalchemy.orm import aliased

from training.courses.completions import VALID_COMPLETION_ID
from training.courses.models import Completion, Course
from training.extensions import db
from training.org.models import Person
from training.quizzes.attempts import standing_columns, standing_of, standing_params
from training.quizzes.models import (
    Attempt,
    AttemptResult,
    AttemptStatus,
    Quiz,
    attempt_status,
)

HISTORY_LENGTH = 10


@dataclass(frozen=True)
class PastAttempt:
    """One line of the history: plain values, so the template has nothing left to load."""

    id: int
    started_at: datetime
    status: AttemptStatus
    score: int | None  # None until graded
    passed: bool | None


@dataclass
class QuizPanel:
    template: ClassVar[str] = "quizzes/_panel.html"

    quiz: Quiz
    unread: int
    attempts_today: int
    running_id: int | None
    completion: Completion | None
    history: list[PastAttempt]

    @property
    def attempts_left(self) -> int | None:
        if not self.quiz.max_attempts_per_day:
            return None
        return max(0, self.quiz.max_attempts_per_day - self.attempts_today)


# Newest first, with their results, in one query: the history used to lazy-load each
# attempt's result, a query per line. Only the columns a line shows, as plain rows: loading
# whole attempts decoded their frozen questions (JSON), which took longer than the rest of the
# page. Built once, as the statement costs about as much to build as to run.
_LATEST = (
    select(
        Attempt.id,
        Attempt.started_at,
        Attempt.deadline_at,
        Attempt.expired_at,
        AttemptResult.score,
        AttemptResult.passed,
    )
    .outerjoin(AttemptResult, AttemptResult.attempt_id == Attempt.id)
    .where(Attempt.person_id == bindparam("person_id"), Attempt.quiz_id == bindparam("quiz_id"))
    .order_by(Attempt.started_at.desc(), Attempt.id.desc())
    .limit(HISTORY_LENGTH)
)


def latest_results(person: Person, quiz: Quiz, *, now: datetime) -> list[PastAttempt]:
    rows = db.session.execute(_LATEST, {"person_id": person.id, "quiz_id": quiz.id})
    return [
        PastAttempt(
            attempt_id,
            started_at,
            attempt_status(
                graded=score is not None, expired_at=expired_at, deadline_at=deadline_at, now=now
            ),
            score,
            passed,
        )
        for attempt_id, started_at, deadline_at, expired_at, score, passed in rows
    ]


# The course's quiz (as `quiz_for` finds it), the person's standing at it and their completion
# in force, in one statement: three round trips apart, on every view of a course page.
_IN_FORCE = aliased(Completion)
_QUIZ_STANDING_COMPLETION = (
    select(Quiz, _IN_FORCE, *standing_columns(Quiz.id))
    .outerjoin(_IN_FORCE, _IN_FORCE.id == VALID_COMPLETION_ID)
    .where(Quiz.slug == bindparam("slug"), Quiz.active.is_(True))
)


def quiz_panel(person: Person, course: Course, *, now: datetime, today: date) -> QuizPanel | None:
    if not course.quiz_slug:
        return None
    params = standing_params(person, course, now=now, today=today)
    row = db.session.execute(
        _QUIZ_STANDING_COMPLETION, {**params, "slug": course.quiz_slug, "on": today}
    ).one_or_none()
    if row is None:
        return None
    quiz, completion, *values = row
    state = standing_of(values, params)
    return QuizPanel(
        quiz,
        state.unread,
        state.attempts_today,
        state.open_attempt_id,
        completion,
        latest_results(person, quiz, now=now),
    )
