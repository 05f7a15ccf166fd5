"""Checks over the whole catalogue that no single file can make: one term per concept, dates
as officials write them, and question banks whose keys do not give themselves away.

All are warnings: the course still loads (nothing a learner sees is broken), but `content
check` fails until they are fixed, so the curriculum does not drift back.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from training.courses.files import CourseSource
from training.quizzes.cues import shape_warnings
from training.quizzes.files import QuizSource
from training.sources.problems import ContentProblem
from training.sources.terms import TERMS_FILE, Term, load_terms, term_warnings, warning


def style_problems(
    courses_dir: Path, courses: Sequence[CourseSource], quizzes: Sequence[QuizSource]
) -> list[ContentProblem]:
    terms, problems = load_terms(courses_dir / TERMS_FILE)
    problems.extend(dict.fromkeys(_wording(courses, quizzes, terms)))  # once per line
    for quiz in quizzes:
        problems.extend(warning(quiz.path, 1, message) for message in shape_warnings(quiz))
    return problems


def _wording(
    courses: Sequence[CourseSource], quizzes: Sequence[QuizSource], terms: list[Term]
) -> Iterator[ContentProblem]:
    for course in courses:
        for lesson in course.lessons:
            for lang, body in lesson.bodies.items():
                path = lesson.paths[lang]
                title = lesson.titles.get(lang, "")
                for _offset, message in term_warnings(title, lang, terms):
                    yield warning(path, 2, message)
                for offset, message in term_warnings(body, lang, terms):
                    yield warning(path, lesson.body_lines[lang] + offset, message)
    for quiz in quizzes:
        for question in quiz.questions:
            for lang in ("vi", "en"):
                for text in question.texts_in(lang):
                    for _offset, message in term_warnings(text, lang, terms):
                        yield warning(quiz.path, question.line, f"{question.id}: {message}")
