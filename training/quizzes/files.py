"""Reading quiz banks (quizzes/<slug>.yml) and finding everything wrong with them.

The format is documented in quizzes/README.md; ICT officers write and exchange these files, so
every problem is reported with its line and a broken bank never replaces a working one.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from training.quizzes.models import QuestionType
from training.sources.fields import FieldChecker, as_mapping, lang_name
from training.sources.placeholders import names_in, problem_with
from training.sources.problems import ContentProblem, has_errors
from training.sources.yamlfile import LineDict, LineList, YamlError, load_yaml
from training.text import nfc

QUIZ_KEYS = (
    "slug",
    "course",
    "pass_mark",
    "questions_per_attempt",
    "time_limit_minutes",
    "max_attempts_per_day",
    "partial_credit",
    "questions",
)
QUESTION_KEYS = ("id", "type", "clauses", "text", "choices", "answer", "explanation")
CHOICE_KEYS = ("vi", "en", "correct", "feedback")
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass
class ChoiceSource:
    texts: dict[str, str]
    correct: bool
    # Why this choice is right or wrong, shown on the result page to whoever picked it.
    feedback: dict[str, str] = field(default_factory=dict)


@dataclass
class QuestionSource:
    id: str
    type: QuestionType
    clauses: list[str]
    texts: dict[str, str]
    choices: list[ChoiceSource]
    answer: bool | None
    explanations: dict[str, str]
    line: int

    def texts_in(self, lang: str) -> list[str]:
        """Everything a learner may read of this question in one language (empty where it is
        missing): what the wording checks, the settings' uses and the GIFT export go through."""
        found = [self.texts.get(lang, ""), self.explanations.get(lang, "")]
        for choice in self.choices:
            found.extend((choice.texts.get(lang, ""), choice.feedback.get(lang, "")))
        return found


@dataclass
class QuizSource:
    slug: str
    path: Path
    course: str | None = None
    pass_mark: int = 80
    questions_per_attempt: int = 0
    time_limit_minutes: int | None = None
    max_attempts_per_day: int | None = None
    partial_credit: bool = False
    questions: list[QuestionSource] = field(default_factory=list)
    problems: list[ContentProblem] = field(default_factory=list)

    @property
    def is_loadable(self) -> bool:
        return not has_errors(self.problems)


@dataclass(frozen=True)
class QuizFile:
    """A quiz file read and parsed once: the catalog peeks at the course of every quiz before
    it reads the courses, and reads every quiz whole after, and a bank is the largest file."""

    path: Path
    data: object = None  # the parsed YAML, when it parsed
    error: tuple[int, str] | None = None  # line and message, when it did not

    @classmethod
    def open(cls, path: Path) -> QuizFile:
        try:
            return cls(path, data=load_yaml(path.read_text(encoding="utf-8")))
        except YamlError as err:
            return cls(path, error=(err.line, err.message))
        except UnicodeDecodeError:
            return cls(path, error=(1, "not UTF-8 text"))


def peek_course(file: Path | QuizFile) -> str | None:
    """The course a quiz file names, read leniently: enough to cross-check courses first."""
    data = (file if isinstance(file, QuizFile) else QuizFile.open(file)).data
    return str(data.get("course")) if isinstance(data, LineDict) else None


def read_quiz(
    file: Path | QuizFile,
    *,
    clause_ids: Collection[str],
    course_slugs: Collection[str],
    seen_ids: dict[str, Path],
) -> QuizSource:
    """`seen_ids` carries question IDs across files: an ID is unique across all quizzes."""
    opened = file if isinstance(file, QuizFile) else QuizFile.open(file)
    path = opened.path
    quiz = QuizSource(slug=path.stem, path=path)
    check = FieldChecker(path)
    if opened.error is not None:
        check.error(*opened.error)
        quiz.problems = check.problems
        return quiz
    data = as_mapping(check, opened.data, "a quiz file")
    if data is None:
        quiz.problems = check.problems
        return quiz
    check.unknown_keys(data, QUIZ_KEYS)
    slug = check.text(data, "slug")
    if slug is not None and slug != path.stem:
        check.error(data.line_of("slug"), f"slug {slug!r} differs from the file name {path.stem!r}")
    quiz.course = check.text(data, "course")
    if quiz.course is not None and quiz.course not in course_slugs:
        check.error(data.line_of("course"), f"unknown course {quiz.course!r}")
    quiz.pass_mark = check.positive_int(data, "pass_mark", maximum=100) or 80
    quiz.questions_per_attempt = check.positive_int(data, "questions_per_attempt", maximum=200) or 0
    if "time_limit_minutes" in data:
        quiz.time_limit_minutes = check.positive_int(data, "time_limit_minutes", maximum=600)
    if "max_attempts_per_day" in data:
        quiz.max_attempts_per_day = check.positive_int(data, "max_attempts_per_day", maximum=100)
    partial = data.get("partial_credit", False)
    if not isinstance(partial, bool):
        check.error(data.line_of("partial_credit"), "'partial_credit' must be true or false")
    quiz.partial_credit = partial is True
    questions = data.get("questions")
    if not isinstance(questions, LineList) or not questions:
        check.error(data.line_of("questions"), "'questions' must be a non-empty list")
    else:
        for index, item in enumerate(questions):
            question = _read_question(check, item, questions.line_of(index), clause_ids, seen_ids)
            if question is not None:
                quiz.questions.append(question)
        if quiz.questions_per_attempt and len(questions) < quiz.questions_per_attempt:
            check.error(
                data.line_of("questions_per_attempt"),
                f"the pool holds {len(questions)} questions, fewer than the "
                f"{quiz.questions_per_attempt} drawn per attempt",
            )
    quiz.problems = check.problems
    return quiz


def _read_question(
    check: FieldChecker,
    item: object,
    line: int,
    clause_ids: Collection[str],
    seen_ids: dict[str, Path],
) -> QuestionSource | None:
    data = as_mapping(check, item, "a question")
    if data is None:
        return None
    check.unknown_keys(data, QUESTION_KEYS, " in a question")
    question_id = check.text(data, "id")
    if question_id is not None:
        if not ID_PATTERN.match(question_id):
            check.error(
                data.line_of("id"),
                f"question id {question_id!r} must be lower-case letters, digits and hyphens",
            )
        elif question_id in seen_ids:
            where = seen_ids[question_id]
            other = "this file" if where == check.path else where.name
            check.error(
                data.line_of("id"), f"duplicate question id {question_id!r} (also in {other})"
            )
        else:
            seen_ids[question_id] = check.path
    kind = check.choice(data, "type", [t.value for t in QuestionType])
    clauses = check.clause_ids(data, "clauses", clause_ids)
    texts = check.translated(data, "text")
    explanations = check.translated(data, "explanation")
    choices: list[ChoiceSource] = []
    answer: bool | None = None
    if kind == QuestionType.TRUE_FALSE:
        if "choices" in data:
            check.error(
                data.line_of("choices"), "a true_false question has 'answer', not 'choices'"
            )
        value = data.get("answer")
        if not isinstance(value, bool):
            check.error(data.line_of("answer"), "'answer' must be true or false")
        else:
            answer = value
    elif kind is not None:
        if "answer" in data:
            check.error(data.line_of("answer"), f"a {kind} question has 'choices', not 'answer'")
        choices = _read_choices(check, data, QuestionType(kind))
    _check_placeholders(check, data, texts, explanations, choices)
    if question_id is None or kind is None:
        return None
    return QuestionSource(
        question_id, QuestionType(kind), clauses, texts, choices, answer, explanations, line
    )


def _check_placeholders(
    check: FieldChecker,
    data: LineDict,
    texts: dict[str, str],
    explanations: dict[str, str],
    choices: list[ChoiceSource],
) -> None:
    """An error, as in lessons: a mistyped setting name would show its braces."""
    where = (
        [(data.line_of("text"), t) for t in texts.values()]
        + [(data.line_of("explanation"), t) for t in explanations.values()]
        + [(data.line_of("choices"), t) for c in choices for t in c.texts.values()]
        + [(data.line_of("choices"), t) for c in choices for t in c.feedback.values()]
    )
    for line, text in where:
        for _offset, inside in names_in(text):
            problem = problem_with(inside)
            if problem is not None:
                check.error(line, problem)


def _read_choices(check: FieldChecker, data: LineDict, kind: QuestionType) -> list[ChoiceSource]:
    items = data.get("choices")
    if not isinstance(items, LineList) or not 2 <= len(items) <= 6:
        check.error(data.line_of("choices"), "'choices' must list 2 to 6 choices")
        return []
    choices = []
    for index, item in enumerate(items):
        choice = as_mapping(check, item, "a choice")
        if choice is None:
            continue
        check.unknown_keys(choice, CHOICE_KEYS, " in a choice")
        correct = choice.get("correct", False)
        if not isinstance(correct, bool):
            check.error(choice.line_of("correct"), "'correct' must be true or false")
            correct = False
        texts = {}
        for lang in ("vi", "en"):
            text = choice.get(lang)
            if isinstance(text, str) and text.strip():
                texts[lang] = nfc(text.strip())
            else:
                check.warning(
                    choice.line_of(lang) if lang in choice else items.line_of(index),
                    f"choice {index + 1} has no {lang_name(lang)} text",
                )
        if not texts:
            check.error(items.line_of(index), f"choice {index + 1} has no text")
        feedback = check.translated(choice, "feedback") if "feedback" in choice else {}
        choices.append(ChoiceSource(texts, correct, feedback))
    right = sum(c.correct for c in choices)
    if kind == QuestionType.SINGLE and right != 1:
        check.error(
            data.line_of("choices"),
            f"a single-answer question needs exactly one correct choice, not {right}",
        )
    if kind == QuestionType.MULTIPLE and right == 0:
        check.error(
            data.line_of("choices"), "a multiple-answer question needs at least one correct choice"
        )
    return choices
