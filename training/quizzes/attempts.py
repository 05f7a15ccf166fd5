"""The attempt lifecycle: start (draw and freeze), submit once, grade on the server, complete.

Rules that protect the grade: the correct answers never leave the server before submission; a
submit after the deadline or beyond the attempts allowed per day is refused; a person can only
reach their own attempts; and an attempt is graded at most once, which the database enforces
(one `AttemptResult` per attempt), not only a check in Python.
"""

from __future__ import annotations

import calendar
import random
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, bindparam, func, select
from sqlalchemy.orm import joinedload

from training.courses.models import Course, LessonRead
from training.courses.services import lessons_of
from training.errors import KhienError
from training.extensions import db
from training.org.models import Person
from training.quizzes.files import QuestionType
from training.quizzes.grading import percent, points_for
from training.quizzes.models import (
    Attempt,
    AttemptResult,
    AttemptStatus,
    Completion,
    FrozenQuestion,
    Question,
    Quiz,
)

# A submit that left the browser just before the deadline may arrive a little after it.
GRACE = timedelta(seconds=30)
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: codes are read aloud


class QuizRefused(KhienError):
    """The learner cannot start or submit now; the message says why."""


class AlreadySubmitted(QuizRefused):
    pass


def quiz_for(course: Course) -> Quiz | None:
    if not course.quiz_slug:
        return None
    return db.session.scalar(
        select(Quiz).where(Quiz.slug == course.quiz_slug, Quiz.active.is_(True))
    )


@lru_cache(maxsize=64)
def pool_of(content_hash: str) -> tuple[FrozenQuestion, ...]:
    """The question pool of a bank version, read once per process. Keyed by the file's hash,
    and everything in it comes from that file, so an entry cannot go stale."""
    rows = db.session.execute(
        select(Question.key, Question.type, Question.payload)
        .join(Quiz)
        .where(Quiz.content_hash == content_hash)
        .order_by(Question.position)
    ).all()
    return tuple(
        FrozenQuestion(position, key, kind, payload)
        for position, (key, kind, payload) in enumerate(rows, start=1)
    )


@dataclass(frozen=True)
class Standing:
    """Everything starting an attempt depends on, read in one query."""

    attempts_today: int
    open_attempt_id: int | None
    lessons_read: int
    lessons_total: int

    @property
    def unread(self) -> int:
        return self.lessons_total - self.lessons_read


def _is_open() -> ColumnElement[bool]:
    graded = select(AttemptResult.id).where(AttemptResult.attempt_id == Attempt.id).exists()
    return Attempt.expired_at.is_(None) & ~graded


def _standing_query() -> Select[tuple[int, int | None, int]]:
    mine = (Attempt.person_id == bindparam("person_id")) & (Attempt.quiz_id == bindparam("quiz_id"))
    return select(
        select(func.count(Attempt.id))
        .where(mine, Attempt.started_on == bindparam("today"))
        .scalar_subquery(),
        select(func.max(Attempt.id)).where(mine, _is_open()).scalar_subquery(),
        select(func.count(LessonRead.id))
        .where(
            LessonRead.person_id == bindparam("person_id"),
            LessonRead.course_id == bindparam("course_id"),
            LessonRead.lesson_key.in_(bindparam("keys", expanding=True)),
        )
        .scalar_subquery(),
    )


# Built once: starting an attempt and showing a course page both ask it.
_STANDING = _standing_query()


def standing(person: Person, course: Course, quiz: Quiz, today: date) -> Standing:
    keys = [entry.key for entry in lessons_of(course.current_hash)]
    row = db.session.execute(
        _STANDING,
        {
            "person_id": person.id,
            "quiz_id": quiz.id,
            "course_id": course.id,
            "today": today,
            "keys": keys,
        },
    ).one()
    return Standing(int(row[0] or 0), row[1], int(row[2] or 0), len(keys))


def open_attempt(
    person: Person, quiz: Quiz, now: datetime, attempt_id: int | None = None
) -> Attempt | None:
    """An attempt still running: starting again (a second tab, the back button) resumes it
    rather than spending another of the day's attempts. An overdue one is closed on the way."""
    query = select(Attempt).where(
        Attempt.person_id == person.id, Attempt.quiz_id == quiz.id, _is_open()
    )
    if attempt_id is not None:
        query = query.where(Attempt.id == attempt_id)
    for attempt in db.session.scalars(query):
        if not expire_if_overdue(attempt, now):
            return attempt
    return None


def start_attempt(
    person: Person,
    course: Course,
    quiz: Quiz,
    *,
    now: datetime,
    today: date,
    rng: random.Random | None = None,
) -> Attempt:
    """Resume the open attempt or start the day's next one.

    The checks below give the learner a clear message; the database decides under load. The new
    row claims the day's next sequence number and the person's open slot, both unique, so of
    simultaneous starts exactly one is inserted and the others fail with `IntegrityError`: the
    caller rolls back and calls again, which then resumes the winner's attempt.
    """
    state = standing(person, course, quiz, today)
    if state.open_attempt_id is not None:
        running = open_attempt(person, quiz, now)
        if running is not None:
            return running
    if state.unread:
        raise QuizRefused(_("Read every lesson of the course before taking its quiz."))
    if quiz.max_attempts_per_day and state.attempts_today >= quiz.max_attempts_per_day:
        raise QuizRefused(
            _(
                "You have used today's %(num)d attempts at this quiz. You can try again tomorrow.",
                num=quiz.max_attempts_per_day,
            )
        )
    pool = pool_of(quiz.content_hash)
    if len(pool) < quiz.questions_per_attempt:
        raise QuizRefused(_("This quiz is not ready yet. Please tell your unit's IT officer."))
    rng = rng or random.SystemRandom()
    drawn = rng.sample(pool, quiz.questions_per_attempt)
    attempt = Attempt(
        person_id=person.id,
        quiz_id=quiz.id,
        course_id=course.id,
        course_hash=course.current_hash,
        validity_months=course.validity_months,
        pass_mark=quiz.pass_mark,
        partial_credit=quiz.partial_credit,
        started_at=now,
        started_on=today,
        day_seq=state.attempts_today + 1,
        open_slot=True,
        deadline_at=now + timedelta(minutes=quiz.time_limit_minutes)
        if quiz.time_limit_minutes
        else None,
        items=[{"key": q.key, "type": q.type.value, "payload": _frozen(q, rng)} for q in drawn],
    )
    db.session.add(attempt)
    db.session.flush()
    return attempt


def _frozen(question: FrozenQuestion, rng: random.Random) -> dict[str, Any]:
    payload = dict(question.payload)
    if question.type == QuestionType.TRUE_FALSE:
        answer = bool(payload["answer"])
        payload["choices"] = [
            {"text": {"vi": "Đúng", "en": "True"}, "correct": answer},
            {"text": {"vi": "Sai", "en": "False"}, "correct": not answer},
        ]
    else:
        choices = list(payload["choices"])
        rng.shuffle(choices)
        payload["choices"] = choices
    return payload


_ATTEMPT_OF_PERSON = (
    select(Attempt)
    .options(joinedload(Attempt.result))
    .where(Attempt.id == bindparam("attempt_id"), Attempt.person_id == bindparam("person_id"))
)


def get_attempt_for(person: Person, attempt_id: int) -> Attempt | None:
    """Another person's attempt reads as missing."""
    return db.session.scalar(_ATTEMPT_OF_PERSON, {"attempt_id": attempt_id, "person_id": person.id})


def expire_if_overdue(attempt: Attempt, now: datetime) -> bool:
    """True when the attempt ran out of time (it is then closed, ungraded)."""
    if (
        attempt.status == AttemptStatus.OPEN
        and attempt.deadline_at is not None
        and (now > attempt.deadline_at + GRACE)
    ):
        attempt.expired_at = now
        attempt.open_slot = None
        return True
    return attempt.status == AttemptStatus.EXPIRED


@dataclass
class Outcome:
    result: AttemptResult
    completion: Completion | None


def submit_attempt(
    attempt: Attempt, answers: Mapping[int, Sequence[int]], *, now: datetime, today: date
) -> Outcome:
    """Grade once. Everything is written in one flush; if another submit of the same attempt
    got there first, a unique constraint fails it and the caller rolls back, so nothing of
    this request is kept."""
    if attempt.status == AttemptStatus.GRADED:
        raise AlreadySubmitted(_("This attempt has already been submitted."))
    if expire_if_overdue(attempt, now):
        raise QuizRefused(
            _("The time for this attempt ran out before it was submitted, so it was not graded.")
        )
    graded = []
    for question in attempt.questions:
        chosen = _valid_choices(question, answers.get(question.position, ()))
        points = points_for(
            question.type, question.payload, chosen, partial_credit=attempt.partial_credit
        )
        graded.append(
            FrozenQuestion(
                question.position, question.key, question.type, question.payload, chosen, points
            )
        )
    score = percent([q.points or 0.0 for q in graded])
    result = AttemptResult(
        attempt_id=attempt.id,
        score=score,
        passed=score >= attempt.pass_mark,
        graded_at=now,
        answers=[q.answer_json() for q in graded],
    )
    db.session.add(result)
    attempt.open_slot = None
    completion = None
    if result.passed and not _completed_on(attempt.person_id, attempt.course_id, today):
        completion = Completion(
            person_id=attempt.person_id,
            course_id=attempt.course_id,
            course_hash=attempt.course_hash,
            attempt_id=attempt.id,
            completed_on=today,
            valid_until=add_months(today, attempt.validity_months),
            code=new_code(),
        )
        db.session.add(completion)
    # One flush, one transaction: if another submit of this attempt was graded first, the
    # unique attempt_id of the result (and of the completion) fails it and nothing is kept.
    db.session.flush()
    return Outcome(result, completion)


def _completed_on(person_id: int, course_id: int, day: date) -> bool:
    """A second pass on the same day earns no second certificate (the database refuses one).
    No autoflush: the result is written with the completion, in the submit's one flush."""
    with db.session.no_autoflush:
        found = db.session.scalar(
            select(Completion.id).where(
                Completion.person_id == person_id,
                Completion.course_id == course_id,
                Completion.completed_on == day,
            )
        )
    return found is not None


def _valid_choices(question: FrozenQuestion, chosen: Sequence[int]) -> list[int]:
    """Only indexes that exist; a single-answer question keeps one at most."""
    count = len(question.payload["choices"])
    valid = sorted({i for i in chosen if 0 <= i < count})
    if question.type != QuestionType.MULTIPLE:
        valid = valid[:1]
    return valid


def add_months(day: date, months: int) -> date:
    """Calendar months; the 31st becomes the last day of a shorter month."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def new_code() -> str:
    """12 characters from 32 (60 bits): unguessable, and easy to read out and type."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def latest_results(person: Person, quiz: Quiz) -> list[tuple[Attempt, AttemptResult | None]]:
    rows = db.session.execute(
        select(Attempt, AttemptResult)
        .outerjoin(AttemptResult)
        .where(Attempt.person_id == person.id, Attempt.quiz_id == quiz.id)
        .order_by(Attempt.started_at.desc())
        .limit(10)
    ).all()
    return [(attempt, result) for attempt, result in rows]


def valid_completion(person: Person, course: Course, today: date) -> Completion | None:
    return db.session.scalar(
        select(Completion)
        .where(
            Completion.person_id == person.id,
            Completion.course_id == course.id,
            Completion.valid_until >= today,
        )
        .order_by(Completion.completed_on.desc())
        .limit(1)
    )


@dataclass
class QuizPanel:
    """What the course page says about its quiz for this person."""

    quiz: Quiz
    unread: int
    attempts_today: int
    running: Attempt | None
    completion: Completion | None
    history: list[tuple[Attempt, AttemptResult | None]]

    @property
    def attempts_left(self) -> int | None:
        if not self.quiz.max_attempts_per_day:
            return None
        return max(0, self.quiz.max_attempts_per_day - self.attempts_today)


def quiz_panel(person: Person, course: Course, *, now: datetime, today: date) -> QuizPanel | None:
    quiz = quiz_for(course)
    if quiz is None:
        return None
    state = standing(person, course, quiz, today)
    running = None
    if state.open_attempt_id is not None:
        running = open_attempt(person, quiz, now, state.open_attempt_id)
    return QuizPanel(
        quiz,
        state.unread,
        state.attempts_today,
        running,
        valid_completion(person, course, today),
        latest_results(person, quiz),
    )
