"""The quiz section of the course page: what this person may do now, and how it went before.

A read model for a page: it writes nothing (an attempt past its deadline is shown as expired,
derived from the deadline) and costs one statement however many attempts the person has made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import Select, bindparam, select, true
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


@dataclass(frozen=True)
class QuizTerms:
    """What the panel tells of the quiz: plain values read in the panel's one statement."""

    questions_per_attempt: int
    pass_mark: int
    time_limit_minutes: int | None
    max_attempts_per_day: int | None


@dataclass(frozen=True)
class CompletionInForce:
    """The completion the panel shows, with the code its certificate link needs."""

    code: str
    completed_on: date
    valid_until: date


@dataclass
class QuizPanel:
    template: ClassVar[str] = "quizzes/_panel.html"

    quiz: QuizTerms
    unread: int
    attempts_today: int
    running_id: int | None
    completion: CompletionInForce | None
    history: list[PastAttempt]

    @property
    def attempts_left(self) -> int | None:
        if not self.quiz.max_attempts_per_day:
            return None
        return max(0, self.quiz.max_attempts_per_day - self.attempts_today)


# The course's quiz (as `quiz_for` finds it), the person's standing at it, their completion in
# force and their latest attempts with results, newest first, in one statement: on every view of
# a course page each round trip counts, and these were four. Each part finds the quiz's id by
# slug itself, so no subquery refers to the outer row and each runs once, however many attempts
# the history joins in (a row each, the quiz repeated; one row of NULLs when there are none).
# Only the columns the panel shows, as plain values: loading whole attempts decoded their frozen
# questions (JSON), which took longer than the rest of the page, and entities repeated on each
# line would each go through the identity map. Built once, as the statement costs about as much
# to build as to run.
def _quiz_statement() -> Select[Any]:
    by_slug = aliased(Quiz)
    quiz_id = (
        select(by_slug.id)
        .where(by_slug.slug == bindparam("slug"), by_slug.active.is_(True))
        .scalar_subquery()
    )
    latest = (
        select(
            Attempt.id,
            Attempt.started_at,
            Attempt.deadline_at,
            Attempt.expired_at,
            AttemptResult.score,
            AttemptResult.passed,
        )
        .outerjoin(AttemptResult, AttemptResult.attempt_id == Attempt.id)
        .where(Attempt.person_id == bindparam("person_id"), Attempt.quiz_id == quiz_id)
        .order_by(Attempt.started_at.desc(), Attempt.id.desc())
        .limit(HISTORY_LENGTH)
        .subquery("latest")
    )
    in_force = aliased(Completion)
    return (
        select(
            Quiz.questions_per_attempt,
            Quiz.pass_mark,
            Quiz.time_limit_minutes,
            Quiz.max_attempts_per_day,
            in_force.code,
            in_force.completed_on,
            in_force.valid_until,
            *standing_columns(quiz_id),
            *latest.c,
        )
        .select_from(Quiz)
        .outerjoin(in_force, in_force.id == VALID_COMPLETION_ID)
        .outerjoin(latest, true())
        .where(Quiz.slug == bindparam("slug"), Quiz.active.is_(True))
        .order_by(latest.c.started_at.desc(), latest.c.id.desc())
    )


_QUIZ_STANDING_COMPLETION_HISTORY = _quiz_statement()
_STANDING_FROM = 7  # after the quiz's four terms and the completion's three columns
_HISTORY_FROM = _STANDING_FROM + len(standing_columns(Quiz.id))


def quiz_panel(person: Person, course: Course, *, now: datetime, today: date) -> QuizPanel | None:
    if not course.quiz_slug:
        return None
    params = standing_params(person, course, now=now, today=today)
    rows = db.session.execute(
        _QUIZ_STANDING_COMPLETION_HISTORY, {**params, "slug": course.quiz_slug, "on": today}
    ).all()
    if not rows:
        return None
    first = rows[0]
    code, completed_on, valid_until = first[4:_STANDING_FROM]
    state = standing_of(first[_STANDING_FROM:_HISTORY_FROM], params)
    history = [
        PastAttempt(
            attempt_id,
            started_at,
            attempt_status(
                graded=score is not None, expired_at=expired_at, deadline_at=deadline_at, now=now
            ),
            score,
            passed,
        )
        for attempt_id, started_at, deadline_at, expired_at, score, passed in (
            row[_HISTORY_FROM:] for row in rows
        )
        if attempt_id is not None
    ]
    return QuizPanel(
        QuizTerms(*first[:4]),
        state.unread,
        state.attempts_today,
        state.open_attempt_id,
        CompletionInForce(code, completed_on, valid_until) if code is not None else None,
        history,
    )
