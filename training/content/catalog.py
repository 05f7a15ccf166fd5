"""Everything on disk at once: the clause map, every course and every quiz, cross-checked.

`content check`, `content sync`, `init` and `content trace` all start here, so they agree on
what is broken.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app

from training.content.style import style_problems
from training.courses.files import CourseSource, read_course
from training.quizzes.files import QuizFile, QuizSource, peek_course, read_quiz
from training.sources.clauses import CLAUSE_FILE, Clause, load_clauses
from training.sources.problems import ContentProblem, Severity


@dataclass
class Catalog:
    courses_dir: Path
    quizzes_dir: Path
    clauses: dict[str, Clause] = field(default_factory=dict)
    courses: list[CourseSource] = field(default_factory=list)
    quizzes: list[QuizSource] = field(default_factory=list)
    problems: list[ContentProblem] = field(default_factory=list)  # beyond any one file

    def all_problems(self) -> list[ContentProblem]:
        found = list(self.problems)
        sources: list[CourseSource | QuizSource] = [*self.courses, *self.quizzes]
        for item in sources:
            found.extend(item.problems)
        return sorted(found, key=lambda p: (str(p.path), p.line, p.message))

    @property
    def root(self) -> Path:
        return self.courses_dir.parent


def content_dirs() -> tuple[Path, Path]:
    config = current_app.config
    return Path(config["COURSES_DIR"]), Path(config["QUIZZES_DIR"])


def read_catalog(courses_dir: Path, quizzes_dir: Path) -> Catalog:
    catalog = Catalog(courses_dir, quizzes_dir)
    clause_file = courses_dir / CLAUSE_FILE
    if not clause_file.is_file():
        catalog.problems.append(ContentProblem(clause_file, 1, "the clause map is missing"))
        return catalog
    catalog.clauses = load_clauses(clause_file)
    quiz_paths = sorted(quizzes_dir.glob("*.yml")) if quizzes_dir.is_dir() else []
    quiz_files = [QuizFile.open(path) for path in quiz_paths]
    quiz_courses = {file.path.stem: peek_course(file) or "" for file in quiz_files}
    course_dirs = sorted(
        p for p in courses_dir.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))
    )
    for path in course_dirs:
        catalog.courses.append(
            read_course(path, clause_ids=catalog.clauses, quiz_courses=quiz_courses)
        )
    seen_ids: dict[str, Path] = {}
    slugs = {course.slug for course in catalog.courses}
    for file in quiz_files:
        catalog.quizzes.append(
            read_quiz(file, clause_ids=catalog.clauses, course_slugs=slugs, seen_ids=seen_ids)
        )
    _flag_courses_with_broken_quizzes(catalog)
    catalog.problems.extend(style_problems(courses_dir, catalog.courses, catalog.quizzes))
    return catalog


def _flag_courses_with_broken_quizzes(catalog: Catalog) -> None:
    """A course whose quiz cannot load could never be completed, so it does not load either."""
    broken = {quiz.slug for quiz in catalog.quizzes if not quiz.is_loadable}
    for course in catalog.courses:
        if course.quiz in broken:
            course.problems.append(
                ContentProblem(
                    course.path / "course.yml",
                    1,
                    f"its quiz {course.quiz!r} has errors (see quizzes/{course.quiz}.yml)",
                    Severity.ERROR,
                )
            )
