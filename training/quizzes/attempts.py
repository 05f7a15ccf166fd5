"""The attempt lifecycle: start (draw and freeze), submit once, grade on the server, complete.

Rules that protect the grade: the correct answers never leave the server before submission; a
submit after the deadline or beyond the attempts allowed per day is refused; a person can only
reach their own attempts; and an attempt is graded at most once, which the database enforces
(one `AttemptResult` per attempt), not only a check in Python.

Only starting and submitting write. An attempt past its deadline reads as expired everywhere
(`Attempt.status_at`, `_is_open`) without being written; the next start releases the slot it
still holds, and a late submit closes it.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import (
    ColumnElement,
    ColumnExpressionArgument,
    Select,
    bindparam,
    func,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from training.courses.completions import record_completion
from training.courses.models import Completion, Course, LessonRead
from training.courses.services import lessons_of
from training.errors import KhienError
from training.extensions import db
from training.memo import cache_found
from training.org.models import Person
from training.quizzes.grading import percent, points_for
from training.quizzes.models import (
    GRACE,
    Attempt,
    AttemptResult,
    AttemptStatus,
    FrozenQuestion,
    Question,
    QuestionType,
    Quiz,
)


class QuizRefused(KhienError):
    """The learner cannot start or submit now; the message says why."""


class AlreadySubmitted(QuizRefused):
    """Another submit of the attempt was graded first (a double click, a replayed form, two
    tabs); the caller rolls back, and that first grade stands."""


class StartedElsewhere(KhienError):
    """A simultaneous start of the same quiz by the same person got in first (two tabs, a
    double click, a script): the database let only one in. The caller rolls back and starts
    again, which then resumes that attempt."""


# Built once: the course page asks it on every view.
_QUIZ_BY_SLUG = select(Quiz).where(Quiz.slug == bindparam("slug"), Quiz.active.is_(True))


def quiz_for(course: Course) -> Quiz | None:
    if not course.quiz_slug:
        return None
    return db.session.scalar(_QUIZ_BY_SLUG, {"slug": course.quiz_slug})


@cache_found(maxsize=64)
def pool_of(content_hash: str) -> tuple[FrozenQuestion, ...]:
    """The question pool of a bank version, read once per process. Keyed by the file's hash,
    and everything in it comes from that file, so an entry cannot go stale; an empty pool (a
    bank not committed yet) is not kept."""
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
    held_slot_id: int | None  # the open one, or one past its deadline not yet released

    @property
    def unread(self) -> int:
        return self.lessons_total - self.lessons_read


def _is_open() -> ColumnElement[bool]:
    """`Attempt.status_at(now) == OPEN` in SQL, with `cutoff` bound to `now - GRACE`."""
    graded = select(AttemptResult.id).where(AttemptResult.attempt_id == Attempt.id).exists()
    in_time = Attempt.deadline_at.is_(None) | (Attempt.deadline_at >= bindparam("cutoff"))
    return Attempt.expired_at.is_(None) & ~graded & in_time


def standing_columns(quiz_id: ColumnExpressionArgument[int]) -> tuple[ColumnElement[Any], ...]:
    """What a `Standing` is read from, as columns over the quiz id given: selected alone when
    an attempt starts, next to the quiz itself on the course page (one statement for both).
    Bind what `standing_params` gives."""
    mine = (Attempt.person_id == bindparam("person_id")) & (Attempt.quiz_id == quiz_id)
    return (
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
        select(Attempt.id).where(mine, Attempt.open_slot.is_(True)).scalar_subquery(),
    )


def _standing_query() -> Select[int, int | None, int, int | None]:
    return select(*standing_columns(bindparam("quiz_id")))


# Built once: starting an attempt asks it.
_STANDING = _standing_query()


def standing_params(
    person: Person, course: Course, *, now: datetime, today: date
) -> dict[str, Any]:
    return {
        "person_id": person.id,
        "course_id": course.id,
        "today": today,
        "cutoff": now - GRACE,
        "keys": [entry.key for entry in lessons_of(course.current_hash)],
    }


def standing_of(values: Sequence[Any], params: Mapping[str, Any]) -> Standing:
    """The standing from the values of `standing_columns`, read with `params`."""
    return Standing(
        int(values[0] or 0), values[1], int(values[2] or 0), len(params["keys"]), values[3]
    )


def standing(person: Person, course: Course, quiz: Quiz, *, now: datetime, today: date) -> Standing:
    params = standing_params(person, course, now=now, today=today)
    row = db.session.execute(_STANDING, {**params, "quiz_id": quiz.id}).one()
    return standing_of(row, params)


def _release_overdue_slot(attempt_id: int, now: datetime) -> None:
    """Close an attempt that ran out of time while still holding the person's open slot, so
    the start that follows can take the slot. Nobody closed it when its time ran out (a page
    view never writes); the start is the first request that must."""
    db.session.execute(
        update(Attempt)
        .where(
            Attempt.id == attempt_id,
            Attempt.open_slot.is_(True),
            Attempt.deadline_at < now - GRACE,
        )
        .values(open_slot=None, expired_at=now)
        .execution_options(synchronize_session=False)
    )


def start_attempt(
    person: Person,
    course: Course,
    quiz: Quiz,
    *,
    now: datetime,
    today: date,
    rng: random.Random | None = None,
) -> Attempt:
    """Resume the open attempt (a second tab, the back button: no attempt of the day is spent)
    or start the day's next one.

    The checks below give the learner a clear message; the database decides under load. The new
    row claims the day's next sequence number and the person's open slot, both unique, so of
    simultaneous starts exactly one is inserted and the others raise `StartedElsewhere`: the
    caller rolls back and calls again, which then resumes the winner's attempt. Nothing is
    written before the checks pass, so a refused start leaves nothing to commit.
    """
    state = standing(person, course, quiz, now=now, today=today)
    if state.open_attempt_id is not None:
        running = db.session.get(Attempt, state.open_attempt_id)
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
    if state.held_slot_id is not None:  # not the open one: that was resumed above
        _release_overdue_slot(state.held_slot_id, now)
    # Worded before the flush: once a flush fails, the session cannot load the person's
    # language until the caller rolls back.
    lost = _("Another attempt was starting at the same moment. Try again.")
    db.session.add(attempt)
    try:
        db.session.flush()
    except IntegrityError as err:
        raise StartedElsewhere(lost) from err
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


@dataclass
class AttemptPage:
    """An attempt as its page shows it: the questions (with the result once graded), the
    course for the title and links, and the completion it earned, if any."""

    attempt: Attempt
    course: Course
    completion: Completion | None
    status: AttemptStatus


_ATTEMPT_PAGE = (
    select(Attempt, Course, Completion)
    .join(Course, Course.id == Attempt.course_id)
    .outerjoin(Completion, Completion.attempt_id == Attempt.id)
    .options(joinedload(Attempt.result))
    .where(Attempt.id == bindparam("attempt_id"), Attempt.person_id == bindparam("person_id"))
)


def attempt_page(person: Person, attempt_id: int, *, now: datetime) -> AttemptPage | None:
    """One query whatever the page shows; another person's attempt reads as missing."""
    row = db.session.execute(
        _ATTEMPT_PAGE, {"attempt_id": attempt_id, "person_id": person.id}
    ).first()
    if row is None:
        return None
    attempt, course, completion = row
    return AttemptPage(attempt, course, completion, attempt.status_at(now))


def expire_if_overdue(attempt: Attempt, now: datetime) -> bool:
    """True when the attempt ran out of time. One still open is closed here, ungraded: only a
    request that acts on the attempt (a submit) calls this; pages derive the same answer from
    the deadline without writing."""
    status = attempt.status_at(now)
    if status == AttemptStatus.EXPIRED and attempt.expired_at is None:
        attempt.expired_at = now
        attempt.open_slot = None
    return status == AttemptStatus.EXPIRED


@dataclass
class Outcome:
    result: AttemptResult
    completion_id: int | None  # None when failed, or passed again on a day already completed


def submit_attempt(
    attempt: Attempt, answers: Mapping[int, Sequence[int]], *, now: datetime, today: date
) -> Outcome:
    """Grade once. If another submit of the same attempt got there first, the unique attempt
    id of the result fails this one with `AlreadySubmitted`, and the caller rolls back, so
    nothing of this request is kept."""
    # Worded before any flush: once a flush fails, the session cannot load the person's
    # language until the caller rolls back.
    already = _("This attempt has already been submitted.")
    if attempt.status_at(now) == AttemptStatus.GRADED:
        raise AlreadySubmitted(already)
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
    completion_id = None
    try:
        db.session.flush()
        if result.passed:
            # The course's version and validity of the day the attempt started: a bank or
            # course edited since does not change what this attempt earns.
            completion_id = record_completion(
                person_id=attempt.person_id,
                course_id=attempt.course_id,
                course_hash=attempt.course_hash,
                validity_months=attempt.validity_months,
                completed_on=today,
                attempt_id=attempt.id,
            )
    except IntegrityError as err:
        raise AlreadySubmitted(already) from err
    return Outcome(result, completion_id)


def _valid_choices(question: FrozenQuestion, chosen: Sequence[int]) -> list[int]:
    """Only indexes that exist; a single-answer question keeps one at most."""
    count = len(question.payload["choices"])
    valid = sorted({i for i in chosen if 0 <= i < count})
    if question.type != QuestionType.MULTIPLE:
        valid = valid[:1]
    return valid
