"""Can a learner who never opened the course pass its quiz by reading the answers' surface?

A bank leaks when its keys share a look: the longest option, the hedged one, always "false",
always three ticks. This module measures those patterns (`bank_shape`, for `content check`'s
warnings) and plays test-wise strategies against the bank many times (`simulate`), drawing and
grading attempts exactly as the site does, so a test can hold every shipped bank to a ceiling.
Pure functions over the parsed files: no database, no Flask.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from training.quizzes.files import QuestionSource, QuizSource
from training.quizzes.grading import percent, points_for
from training.quizzes.models import QuestionType

# Limits of `content check`'s per-bank warnings (quizzes/README.md states them).
LONGEST_KEY_SHARE = 0.35
TRUE_FALSE_ONE_WAY_SHARE = 0.65
# The share of attempts any strategy may pass (tests/test_question_banks.py holds banks to it).
CUE_CEILING = 0.02
# A pattern needs enough questions to be one: two questions out of three prove nothing.
MIN_SINGLE, MIN_TRUE_FALSE, MIN_MULTIPLE = 5, 4, 3

# Words a test-wise reader takes as the mark of the "responsible" option, and absolute words
# they take as the mark of a wrong one.
_CAREFUL = re.compile(
    r"\b(báo|xác minh|kiểm tra|theo quy định|cán bộ phụ trách|hỏi|lãnh đạo|ngay|không bấm|"
    r"report|verify|check|ask|head of|at once|do not click)\b",
    re.IGNORECASE,
)
_ABSOLUTE = re.compile(
    r"\b(luôn|mọi|tất cả|không bao giờ|chỉ cần|hoàn toàn|chắc chắn|bất kỳ|"
    r"always|never|every|all|only need|completely|certainly|any)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class BankShape:
    """The patterns `content check` warns about, for one bank."""

    single: int
    longest_key: int  # single-choice questions whose key is strictly the longest option
    true_false: int
    true_answers: int
    multiple_right_counts: Counter[int]

    @property
    def longest_key_share(self) -> float:
        return self.longest_key / self.single if self.single else 0.0

    @property
    def true_false_one_way_share(self) -> float:
        if not self.true_false:
            return 0.0
        return max(self.true_answers, self.true_false - self.true_answers) / self.true_false


def _length(text: str) -> int:
    return len(text.strip())


def _key_is_longest(question: QuestionSource, lang: str) -> bool:
    lengths = [_length(c.texts.get(lang, "")) for c in question.choices]
    keyed = [i for i, c in enumerate(question.choices) if c.correct]
    if len(keyed) != 1:
        return False
    top = max(lengths)
    return lengths[keyed[0]] == top and lengths.count(top) == 1


def bank_shape(quiz: QuizSource, lang: str = "vi") -> BankShape:
    single = [q for q in quiz.questions if q.type == QuestionType.SINGLE]
    true_false = [q for q in quiz.questions if q.type == QuestionType.TRUE_FALSE]
    multiple = [q for q in quiz.questions if q.type == QuestionType.MULTIPLE]
    return BankShape(
        single=len(single),
        longest_key=sum(_key_is_longest(q, lang) for q in single),
        true_false=len(true_false),
        true_answers=sum(bool(q.answer) for q in true_false),
        multiple_right_counts=Counter(sum(c.correct for c in q.choices) for q in multiple),
    )


def shape_warnings(quiz: QuizSource, lang: str = "vi") -> list[str]:
    """One sentence per pattern a non-reader could exploit, empty when the bank is sound."""
    shape = bank_shape(quiz, lang)
    found: list[str] = []
    if shape.single >= MIN_SINGLE and shape.longest_key_share > LONGEST_KEY_SHARE:
        found.append(
            f"the keyed option is the longest in {shape.longest_key} of {shape.single} "
            f"single-choice questions (at most {LONGEST_KEY_SHARE:.0%}): shorten keys or "
            "lengthen distractors"
        )
    if (
        shape.true_false >= MIN_TRUE_FALSE
        and shape.true_false_one_way_share > TRUE_FALSE_ONE_WAY_SHARE
    ):
        found.append(
            f"{shape.true_answers} of {shape.true_false} true/false answers are true "
            f"(at most {TRUE_FALSE_ONE_WAY_SHARE:.0%} may go one way)"
        )
    counts = shape.multiple_right_counts
    if sum(counts.values()) >= MIN_MULTIPLE and len(counts) == 1:
        (only,) = counts
        found.append(
            f"every multiple-answer question has exactly {only} right answers: vary the count"
        )
    return found


# A strategy answers one question without knowing the course: it returns the indexes it
# ticks (for true/false: [0] for true, [1] for false).
Strategy = Callable[[QuestionSource, str], list[int]]


def _by_length(question: QuestionSource, lang: str, *, longest: bool) -> list[int]:
    lengths = [_length(c.texts.get(lang, "")) for c in question.choices]
    order = sorted(range(len(lengths)), key=lambda i: lengths[i], reverse=longest)
    if question.type == QuestionType.SINGLE:
        return order[:1]
    return sorted(order[: (len(order) + 1) // 2])  # the longer (or shorter) half


def _careful_score(text: str) -> int:
    return len(_CAREFUL.findall(text)) - 2 * len(_ABSOLUTE.findall(text))


def longest(question: QuestionSource, lang: str) -> list[int]:
    """Longest option; the longer half of a multiple-answer list; "false" on true/false."""
    if question.type == QuestionType.TRUE_FALSE:
        return [1]
    return _by_length(question, lang, longest=True)


def longest_true(question: QuestionSource, lang: str) -> list[int]:
    """As `longest`, but "true" on true/false."""
    if question.type == QuestionType.TRUE_FALSE:
        return [0]
    return _by_length(question, lang, longest=True)


def careful_wording(question: QuestionSource, lang: str) -> list[int]:
    """The option that sounds most responsible and least absolute; statements with absolute
    words are false."""
    if question.type == QuestionType.TRUE_FALSE:
        return [1] if _ABSOLUTE.search(question.texts.get(lang, "")) else [0]
    scores = [_careful_score(c.texts.get(lang, "")) for c in question.choices]
    if question.type == QuestionType.SINGLE:
        return [max(range(len(scores)), key=lambda i: (scores[i], -i))]
    ticked = [i for i, s in enumerate(scores) if s > 0]
    return ticked or [max(range(len(scores)), key=lambda i: scores[i])]


def file_position(position: int) -> Strategy:
    """Always the option at one place in the file (what leaks when a bank is printed or
    exported without shuffling); true/false "true" for even places, "false" for odd ones."""

    def pick(question: QuestionSource, lang: str) -> list[int]:
        if question.type == QuestionType.TRUE_FALSE:
            return [position % 2]
        return [min(position, len(question.choices) - 1)]

    pick.__name__ = f"file_position_{position}"
    return pick


STRATEGIES: tuple[Strategy, ...] = (
    longest,
    longest_true,
    careful_wording,
    *(file_position(p) for p in range(4)),
)


def _points(question: QuestionSource, ticked: Sequence[int], *, partial_credit: bool) -> float:
    """The site's own scoring; a true/false question offers "true" then "false", as an attempt
    does."""
    if question.type == QuestionType.TRUE_FALSE:
        choices = [{"correct": bool(question.answer)}, {"correct": not question.answer}]
    else:
        choices = [{"correct": c.correct} for c in question.choices]
    return points_for(question.type, {"choices": choices}, ticked, partial_credit=partial_credit)


def pass_rate(
    quiz: QuizSource, strategy: Strategy, *, attempts: int = 4000, lang: str = "vi", seed: int = 0
) -> float:
    """Share of simulated attempts the strategy passes: each attempt draws the bank's
    `questions_per_attempt` questions at random, as the site does, and is graded with the
    site's rounding."""
    rng = random.Random(f"{quiz.slug}:{strategy.__name__}:{seed}")  # noqa: S311 - a simulation
    draw = quiz.questions_per_attempt or len(quiz.questions)
    answers = {
        q.id: _points(q, strategy(q, lang), partial_credit=quiz.partial_credit)
        for q in quiz.questions
    }
    passed = 0
    for _ in range(attempts):
        chosen = rng.sample(quiz.questions, min(draw, len(quiz.questions)))
        if percent([answers[q.id] for q in chosen]) >= quiz.pass_mark:
            passed += 1
    return passed / attempts


def simulate(quiz: QuizSource, *, attempts: int = 4000, lang: str = "vi") -> dict[str, float]:
    """Every strategy's pass rate on this bank."""
    return {s.__name__: pass_rate(quiz, s, attempts=attempts, lang=lang) for s in STRATEGIES}
