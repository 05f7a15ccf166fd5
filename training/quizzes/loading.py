"""Loading quiz banks from disk (`content sync`, `init`): like courses, only banks without
errors load, and a broken bank keeps the pool loaded before."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, select

from training.extensions import db
from training.quizzes.files import QuestionSource, QuizSource
from training.quizzes.models import Question, Quiz


@dataclass
class QuizSyncReport:
    loaded: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    hidden: list[str] = field(default_factory=list)


def sync_quizzes(sources: Sequence[QuizSource], *, now: datetime) -> QuizSyncReport:
    report = QuizSyncReport()
    existing = {quiz.slug: quiz for quiz in db.session.scalars(select(Quiz))}
    for source in sources:
        if not source.is_loadable:
            report.refused.append(source.slug)
            continue
        digest = hashlib.sha256(source.path.read_bytes()).hexdigest()
        quiz = existing.get(source.slug)
        if quiz is not None and quiz.content_hash == digest and quiz.active:
            report.unchanged.append(source.slug)
            continue
        if quiz is None:
            quiz = Quiz(slug=source.slug)
            db.session.add(quiz)
        _apply(quiz, source, digest, now)
        db.session.flush()
        _replace_pool(quiz, source)
        report.loaded.append(source.slug)
    on_disk = {source.slug for source in sources}
    for slug, quiz in existing.items():
        if slug not in on_disk and quiz.active:
            quiz.active = False
            report.hidden.append(slug)
    return report


def _apply(quiz: Quiz, source: QuizSource, digest: str, now: datetime) -> None:
    quiz.course_slug = source.course or ""
    quiz.pass_mark = source.pass_mark
    quiz.questions_per_attempt = source.questions_per_attempt
    quiz.time_limit_minutes = source.time_limit_minutes
    quiz.max_attempts_per_day = source.max_attempts_per_day
    quiz.partial_credit = source.partial_credit
    quiz.content_hash = digest
    quiz.active = True
    quiz.updated_at = now


def _replace_pool(quiz: Quiz, source: QuizSource) -> None:
    """Attempts hold their own copies of their questions, so the pool can simply be replaced."""
    db.session.execute(delete(Question).where(Question.quiz_id == quiz.id))
    for position, question in enumerate(source.questions, start=1):
        db.session.add(
            Question(
                quiz_id=quiz.id,
                key=question.id,
                position=position,
                type=question.type,
                clauses=" ".join(question.clauses),
                payload=question_payload(question),
            )
        )


def question_payload(question: QuestionSource) -> dict[str, object]:
    return {
        "text": question.texts,
        "choices": [
            {"text": choice.texts, "correct": choice.correct}
            | ({"feedback": choice.feedback} if choice.feedback else {})
            for choice in question.choices
        ],
        "answer": question.answer,
        "explanation": question.explanations,
    }
