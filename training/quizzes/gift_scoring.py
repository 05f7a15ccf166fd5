"""Moodle's answer weights, turned into what Khiên can score, and every difference named.

Moodle scores a multiple-choice question by the weights of the answers picked: a radio-button
question (one `=`) gives the weight of the one answer picked, a checkbox question (no `=`) adds
the weights of every answer ticked and keeps the sum between 0 and 100 %. Khiên knows three
rules (quizzes/README.md): a single-choice question is right or wrong; a multiple-answer
question under `partial_credit` gives each right answer ticked an equal share and takes one
share away for each wrong answer ticked. Where Moodle's weights say the same thing, the
question converts silently; where they cannot be said in Khiên, the difference is reported with
the question's ID, and where Moodle itself would refuse the question, so does this.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from training.quizzes.gift_parse import RawAnswer, RawQuestion, Refused, restore, stray_hint
from training.quizzes.gift_text import AUTHOR_BREAK
from training.quizzes.models import QuestionType

# Moodle writes a third as 33.33333 and sums with two decimals of a fraction, so weights are
# compared with this much slack (in percent).
TOLERANCE = 0.01
SUM_TOLERANCE = 0.5


@dataclass(frozen=True)
class Scoring:
    type: QuestionType
    correct: tuple[bool, ...]
    changes: tuple[str, ...] = ()  # what scores differently now: reported as a change
    notes: tuple[str, ...] = ()  # what a Moodle author should know, though nothing is lost


def score_choices(question: RawQuestion, name: str) -> Scoring:
    answers = question.answers
    for answer in answers:
        if answer.weight is not None and not -100 <= answer.weight <= 100:
            raise Refused(
                answer.text.line,
                f"the weight {answer.weight:g} % of {_label(answer)} is outside -100 % to 100 %",
            )
    if any(answer.right for answer in answers):
        return _radio_buttons(question, name)
    return _checkboxes(question, name)


def _radio_buttons(question: RawQuestion, name: str) -> Scoring:
    """One `=` makes Moodle show radio buttons: the answer picked scores its weight."""
    answers = question.answers
    full = [a for a in answers if a.right or _weight(a) == 100]
    if len(full) > 1:
        raise Refused(
            question.line,
            f"{len(full)} answers are fully right ('=' or ~%100%), but a single-choice question "
            "has exactly one; for a question with several right answers, give each right one "
            "its share (~%50% for two) and each wrong one a penalty (~%-50%)"
            + stray_hint(question, generic=True),
        )
    changes = []
    penalties = [a for a in answers if _weight(a) < 0]
    if penalties:
        changes.append(
            f"{name}: penalties are not kept: in Moodle picking {_weights(penalties)} scored "
            "below zero; in Khiên a wrong answer scores 0"
        )
    partial = [a for a in answers if 0 < _weight(a) < 100]
    if partial:
        changes.append(
            f"{name}: partial credit is not kept: in Moodle picking {_weights(partial)} earned "
            "part of the mark; in Khiên only the right answer ('=') scores"
        )
    correct = tuple(a.right or _weight(a) == 100 for a in answers)
    return Scoring(QuestionType.SINGLE, correct, tuple(changes))


def _checkboxes(question: RawQuestion, name: str) -> Scoring:
    """No `=` makes Moodle show checkboxes and add up the weights of what is ticked."""
    answers = question.answers
    right = [a for a in answers if _weight(a) > 0]
    if not right:
        raise Refused(
            question.line,
            "multiple-choice question has no correct answer: mark the right one with '=', or "
            "give the right ones of a multiple-answer question their share (~%50%)"
            + stray_hint(question),
        )
    total = sum(_weight(a) for a in right)
    if abs(total - 100) > SUM_TOLERANCE:
        raise Refused(
            question.line,
            f"the right answers' weights add up to {total:g} %, not 100 %; Moodle refuses "
            "such a question too",
        )
    share = 100 / len(right)
    wrong = [a for a in answers if _weight(a) <= 0]
    correct = tuple(_weight(a) > 0 for a in answers)
    if len(right) == 1 and all(_weight(a) == 0 for a in wrong):
        return Scoring(
            QuestionType.SINGLE,
            correct,
            notes=(
                f"{name}: converted to a single-choice question: only {_label(right[0])} "
                "carries weight (~%100%), and no wrong answer takes any away",
            ),
        )
    changes, notes = [], []
    if any(abs(_weight(a) - share) > TOLERANCE for a in right):
        changes.append(
            f"{name}: the weights {_weights(right)} become equal shares of {share:g} % each: "
            f"Khiên cannot weigh answers differently, so {_label(right[0])} ticked alone "
            f"scores {share:g} % instead of {_weight(right[0]):g} %"
        )
    if all(abs(_weight(a) + share) <= TOLERANCE for a in wrong):
        pass  # Moodle's penalties are exactly Khiên's: one share per wrong answer ticked
    elif all(_weight(a) == 0 for a in wrong):
        notes.append(
            f"{name}: wrong answers weigh 0 % in Moodle, so ticking every answer scored 100 % "
            f"there; Khiên takes one share ({share:g} %) away for each wrong answer ticked"
        )
    else:
        changes.append(
            f"{name}: penalties are not kept: Moodle took {_weights(wrong)} for the wrong "
            f"answers ticked; Khiên takes one share ({share:g} %) for each"
        )
    return Scoring(QuestionType.MULTIPLE, correct, tuple(changes), tuple(notes))


def _weight(answer: RawAnswer) -> float:
    if answer.right:
        return 100.0
    return answer.weight or 0.0


def _weights(answers: Sequence[RawAnswer]) -> str:
    return ", ".join(f"{_label(a)} ({_weight(a):g} %)" for a in answers)


def _label(answer: RawAnswer) -> str:
    """The answer as an author finds it in the file, without the tags Moodle's editor wraps
    around every answer (`<p>…</p>`)."""
    text = re.sub(r"<[^<>]*>", "", restore(answer.text.text)).replace(AUTHOR_BREAK, " ").strip()
    return repr(text if len(text) <= 40 else text[:39] + "…")
