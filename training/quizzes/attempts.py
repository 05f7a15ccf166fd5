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
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from training.courses.models import Course, LessonRead
from training.courses.services import lessons_of
from training.errors import KhienError
from training.extensions import db
from training.org.models import Person
from training.quizzes.files import QuestionType
from training.quizzes.grading import percent, points_for
from training.quizzes.models import (
    Attempt,
    AttemptQuestion,
    AttemptResult,
    AttemptStatus,
    Completion,
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


def unread_lessons(person: Person, course: Course) -> list[str]:
    read = set(
        db.session.scalars(
            select(LessonRead.lesson_key).where(
                LessonRead.person_id == person.id, LessonRead.course_id == course.id
            )
        )
    )
    return [entry.key for entry in lessons_of(course.current_hash) if entry.key not in read]


def attempts_on(person: Person, quiz: Quiz, day: date) -> int:
    return (
        db.session.scalar(
            select(func.count(Attempt.id)).where(
                Attempt.person_id == person.id,
                Attempt.quiz_id == quiz.id,
                Attempt.started_on == day,
            )
        )
        or 0
    )


def open_attempt(person: Person, quiz: Quiz, now: datetime) -> Attempt | None:
    """An attempt still running: starting again (a second tab, the back button) resumes it
    rather than spending another of the day's attempts."""
    for attempt in db.session.scalars(
        select(Attempt).where(
            Attempt.person_id == person.id,
            Attempt.quiz_id == quiz.id,
            Attempt.status == AttemptStatus.OPEN,
        )
    ):
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
    running = open_attempt(person, quiz, now)
    if running is not None:
        return running
    if unread_lessons(person, course):
        raise QuizRefused(_("Read every lesson of the course before taking its quiz."))
    if quiz.max_attempts_per_day and attempts_on(person, quiz, today) >= quiz.max_attempts_per_day:
        raise QuizRefused(
            _(
                "You have used today's %(num)d attempts at this quiz. You can try again tomorrow.",
                num=quiz.max_attempts_per_day,
            )
        )
    pool = db.session.scalars(
        select(Question).where(Question.quiz_id == quiz.id).order_by(Question.position)
    ).all()
    if len(pool) < quiz.questions_per_attempt:
        raise QuizRefused(_("This quiz is not ready yet. Please tell your unit's IT officer."))
    rng = rng or random.SystemRandom()
    drawn = rng.sample(list(pool), quiz.questions_per_attempt)
    attempt = Attempt(
        person_id=person.id,
        quiz_id=quiz.id,
        course_id=course.id,
        course_hash=course.current_hash,
        pass_mark=quiz.pass_mark,
        partial_credit=quiz.partial_credit,
        started_at=now,
        started_on=today,
        deadline_at=now + timedelta(minutes=quiz.time_limit_minutes)
        if quiz.time_limit_minutes
        else None,
        status=AttemptStatus.OPEN,
    )
    db.session.add(attempt)
    for position, question in enumerate(drawn, start=1):
        attempt.questions.append(
            AttemptQuestion(
                position=position,
                key=question.key,
                type=question.type,
                payload=_frozen(question, rng),
            )
        )
    db.session.flush()
    return attempt


def _frozen(question: Question, rng: random.Random) -> dict[str, Any]:
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


def get_attempt_for(person: Person, attempt_id: int) -> Attempt | None:
    """Another person's attempt reads as missing."""
    return db.session.scalar(
        select(Attempt)
        .options(selectinload(Attempt.questions), selectinload(Attempt.result))
        .where(Attempt.id == attempt_id, Attempt.person_id == person.id)
    )


def expire_if_overdue(attempt: Attempt, now: datetime) -> bool:
    """True when the attempt ran out of time (it is then closed, ungraded)."""
    if (
        attempt.status == AttemptStatus.OPEN
        and attempt.deadline_at is not None
        and (now > attempt.deadline_at + GRACE)
    ):
        attempt.status = AttemptStatus.EXPIRED
        return True
    return attempt.status == AttemptStatus.EXPIRED


@dataclass
class Outcome:
    result: AttemptResult
    completion: Completion | None


def submit_attempt(
    attempt: Attempt, answers: Mapping[int, Sequence[int]], *, now: datetime, today: date
) -> Outcome:
    """Grade once. The result row is the first thing written: if another submit of the same
    attempt got there first, the unique constraint fails the flush and the caller rolls back;
    nothing else of this request is written."""
    if attempt.status == AttemptStatus.GRADED:
        raise AlreadySubmitted(_("This attempt has already been submitted."))
    if expire_if_overdue(attempt, now):
        raise QuizRefused(
            _("The time for this attempt ran out before it was submitted, so it was not graded.")
        )
    graded = []
    for question in attempt.questions:
        chosen = _valid_choices(question, answers.get(question.position, ()))
        graded.append(
            (
                question,
                chosen,
                points_for(
                    question.type, question.payload, chosen, partial_credit=attempt.partial_credit
                ),
            )
        )
    score = percent([points for _question, _chosen, points in graded])
    result = AttemptResult(
        attempt_id=attempt.id, score=score, passed=score >= attempt.pass_mark, graded_at=now
    )
    db.session.add(result)
    db.session.flush()  # the only pending write: the unique attempt_id decides who grades
    for question, chosen, points in graded:
        question.selected = chosen
        question.points = points
    attempt.status = AttemptStatus.GRADED
    completion = _complete(attempt, today) if result.passed else None
    db.session.flush()
    return Outcome(result, completion)


def _valid_choices(question: AttemptQuestion, chosen: Sequence[int]) -> list[int]:
    """Only indexes that exist; a single-answer question keeps one at most."""
    count = len(question.payload["choices"])
    valid = sorted({i for i in chosen if 0 <= i < count})
    if question.type != QuestionType.MULTIPLE:
        valid = valid[:1]
    return valid


def _complete(attempt: Attempt, today: date) -> Completion:
    course = db.session.get_one(Course, attempt.course_id)  # the foreign key guarantees it
    completion = Completion(
        person_id=attempt.person_id,
        course_id=course.id,
        course_hash=attempt.course_hash,
        attempt_id=attempt.id,
        completed_on=today,
        valid_until=add_months(today, course.validity_months),
        code=new_code(),
    )
    db.session.add(completion)
    return completion


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
    return QuizPanel(
        quiz,
        len(unread_lessons(person, course)),
        attempts_on(person, quiz, today),
        open_attempt(person, quiz, now),
        valid_completion(person, course, today),
        latest_results(person, quiz),
    )
