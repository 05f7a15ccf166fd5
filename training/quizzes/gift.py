"""Converting Moodle GIFT question banks into Khiên quiz files, with nothing changed silently.

Agencies already hold question banks exported from Moodle; converting one gives an author a
starting point instead of retyping it. Every question is either converted faithfully, converted
with each difference reported (a weight Khiên cannot keep, an image replaced by its alt text,
formatting a quiz cannot show), or left out with the reason; each report carries its line, and
`GiftResult.is_faithful` (the command's exit status) says whether anything at all was lost.
Notes tell an author what is worth knowing although nothing was lost (an ID taken from the
question's place in the file, which moves when the file changes).

The output is deliberately unfinished: the other language is left empty so that `content check`
keeps failing until a translator fills it, and `clauses` holds only what `[tag:…]` named.

gift_parse finds the structure as Moodle's importer does, gift_ids the IDs and clauses,
gift_text (with gift_html) turns each text's format into plain text, gift_scoring turns weights
into Khiên's scoring, gift_yaml writes the file, gift_report holds what is reported.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from training.quizzes.files import ID_PATTERN
from training.quizzes.gift_ids import (
    Parsed,
    check_category_count,
    check_category_placement,
    check_lone_id,
    clauses_from_tags,
    question_ids,
)
from training.quizzes.gift_parse import (
    Block,
    Piece,
    RawQuestion,
    Refused,
    blocks,
    read_question,
    restore,
)
from training.quizzes.gift_report import GiftProblem, Outcome, Report
from training.quizzes.gift_scoring import score_choices
from training.quizzes.gift_text import AUTHOR_BREAK, TEXT_FORMATS, sanitise, to_plain_text
from training.quizzes.gift_yaml import ImportedChoice, ImportedQuestion, QuizHeader, render_quiz
from training.quizzes.models import QuestionType
from training.sources.fields import LANGUAGES
from training.text import nfc

MIN_CHOICES = 2
MAX_CHOICES = 6

__all__ = ["GiftProblem", "GiftResult", "ImportedChoice", "ImportedQuestion", "Outcome"]


@dataclass
class GiftResult:
    yaml_text: str
    questions: list[ImportedQuestion]
    problems: list[GiftProblem]

    @property
    def converted(self) -> int:
        return len(self.questions)

    def count(self, outcome: Outcome) -> int:
        return sum(p.outcome == outcome for p in self.problems)

    @property
    def is_faithful(self) -> bool:
        """Every question converted and nothing in them lost or changed: notes aside, the
        quiz file means what the GIFT file meant."""
        return all(p.outcome == Outcome.NOTE for p in self.problems)


def convert_gift(
    text: str,
    *,
    slug: str,
    course: str,
    lang: str = "vi",
    pass_mark: int = 80,
    questions_per_attempt: int | None = None,
    clause_ids: Collection[str] = (),
) -> GiftResult:
    """The YAML is always produced, even when some questions were not converted: the author
    fixes or rewrites those by hand, and the problems say which ones and where. `clause_ids`
    are the directive's clauses: a `[tag:…]` naming one becomes one of the question's clauses."""
    _check_options(slug, lang, pass_mark, questions_per_attempt)
    report = Report()
    parsed: list[Parsed] = []
    categories: list[Piece] = []
    for block in blocks(_clean(text, report)):
        categories.extend(block.categories)
        check_category_placement(block, report)
        if not block.has_question:
            check_lone_id(block, report)
            continue
        try:
            parsed.append(Parsed(len(parsed) + 1, block, read_question(block)))
        except Refused as err:
            parsed.append(Parsed(len(parsed) + 1, block, None))
            report.add(err.line, err.message, Outcome.LEFT_OUT)
    check_category_count(categories, report)
    questions = []
    for item, (question_id, sub) in zip(parsed, question_ids(parsed, slug, report), strict=True):
        if question_id is None or item.raw is None:
            continue
        try:
            questions.append(_convert(item.block, item.raw, question_id, clause_ids, sub))
        except Refused as err:
            report.add(err.line, err.message, Outcome.LEFT_OUT)
        else:
            report.problems.extend(sub.problems)
    per_attempt = questions_per_attempt or max(1, len(questions) // 3)
    header = QuizHeader(slug, course, pass_mark, per_attempt)
    problems = sorted(report.problems, key=lambda p: p.line)
    return GiftResult(render_quiz(header, questions, lang), questions, problems)


def _check_options(slug: str, lang: str, pass_mark: int, questions_per_attempt: int | None) -> None:
    if not ID_PATTERN.match(slug):
        raise ValueError(f"slug {slug!r} must be lower-case letters, digits and hyphens")
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}, not {lang!r}")
    if not 1 <= pass_mark <= 100:
        raise ValueError(f"pass_mark must be between 1 and 100, not {pass_mark}")
    if questions_per_attempt is not None and questions_per_attempt < 1:
        raise ValueError(f"questions_per_attempt must be above 0, not {questions_per_attempt}")


def _clean(text: str, report: Report) -> str:
    text = text.removeprefix("\ufeff")
    clean, found = sanitise(text)
    if found:
        first = next(i for i, ch in enumerate(text) if 0xD800 <= ord(ch) <= 0xDFFF)
        report.add(
            text.count("\n", 0, first) + 1,
            f"characters that are not text ({', '.join(found)}) are replaced by U+FFFD",
            Outcome.CHANGED,
        )
    return nfc(clean)


# --- One question ----------------------------------------------------------------------------


def _convert(
    block: Block, raw: RawQuestion, question_id: str, clause_ids: Collection[str], sub: Report
) -> ImportedQuestion:
    fmt, text = _text(raw.text, "moodle", sub, answers_need_it=True)
    if not text:
        raise Refused(raw.line, "the question has no text once its markup is read")
    clauses = clauses_from_tags(block, clause_ids, sub)
    general = None if raw.general is None else _text(raw.general, fmt, sub)[1]
    if raw.truth is not None:
        explanation = _true_false_explanation(raw, fmt, general, sub)
        return ImportedQuestion(
            question_id,
            raw.line,
            QuestionType.TRUE_FALSE,
            text,
            (),
            raw.truth,
            explanation,
            clauses,
        )
    count = len(raw.answers)
    if not MIN_CHOICES <= count <= MAX_CHOICES:
        raise Refused(
            raw.line,
            f"multiple-choice question has {count} answer{'' if count == 1 else 's'}; "
            f"a quiz question has {MIN_CHOICES} to {MAX_CHOICES}",
        )
    scoring = score_choices(raw, f"question {question_id!r}")
    for message in scoring.changes:
        sub.add(raw.line, message, Outcome.CHANGED)
    for message in scoring.notes:
        sub.add(raw.line, message, Outcome.NOTE)
    for mark in raw.stray_marks:
        sub.add(
            mark.line,
            f"the '=' or '~' in {mark.text!r} starts a new answer, as in Moodle; if it is part "
            "of the answer's text, write it as \\= or \\~",
            Outcome.CHANGED,
        )
    choices = []
    for answer, correct in zip(raw.answers, scoring.correct, strict=True):
        choice = _text(answer.text, fmt, sub, answers_need_it=True)[1]
        if not choice:
            raise Refused(answer.text.line, "an answer has no text once its markup is read")
        feedback = "" if answer.feedback is None else _text(answer.feedback, fmt, sub)[1]
        choices.append(ImportedChoice(choice, correct, feedback))
    explanation = general or ""
    if general is None and scoring.type == QuestionType.SINGLE:
        choices, explanation = _explain_with_right_feedback(raw, choices, sub)
    return ImportedQuestion(
        question_id, raw.line, scoring.type, text, tuple(choices), None, explanation, clauses
    )


def _explain_with_right_feedback(
    raw: RawQuestion, choices: list[ImportedChoice], sub: Report
) -> tuple[list[ImportedChoice], str]:
    """Without general feedback (`####`) a question would have no explanation, which a quiz
    requires; the right answer's feedback explains it, and moves rather than being shown
    twice to whoever picked it."""
    right = next(i for i, c in enumerate(choices) if c.correct)
    if not choices[right].feedback:
        return choices, ""
    explanation = choices[right].feedback
    moved = [*choices]
    moved[right] = ImportedChoice(choices[right].text, True, "")
    sub.add(
        raw.answers[right].text.line,
        "the right answer's feedback becomes the explanation, shown to every learner: the "
        "question has no general feedback (####)",
        Outcome.NOTE,
    )
    return moved, explanation


def _true_false_explanation(raw: RawQuestion, fmt: str, general: str | None, sub: Report) -> str:
    """A true/false question has one explanation for everyone: the general feedback, else
    the feedback for a right response, else the one for a wrong response. Any other feedback
    that says something else cannot be kept, and is reported."""
    wrong = "" if raw.wrong_feedback is None else _text(raw.wrong_feedback, fmt, sub)[1]
    right = "" if raw.right_feedback is None else _text(raw.right_feedback, fmt, sub)[1]
    candidates = [("a wrong response", wrong, raw.wrong_feedback)]
    candidates.append(("a right response", right, raw.right_feedback))
    explanation = general if general is not None else (right or wrong)
    if general is None and not right and wrong:
        sub.add(
            raw.line,
            "the feedback for a wrong response becomes the explanation, shown to every learner",
            Outcome.NOTE,
        )
    for label, feedback, piece in candidates:
        if feedback and feedback != explanation and piece is not None:
            sub.add(
                piece.line,
                f"the feedback for {label} {_short(feedback)!r} is not kept: a true/false "
                "question has one explanation for everyone"
                + ("" if general is None else ", here the general feedback"),
                Outcome.CHANGED,
            )
    return explanation


def _text(
    piece: Piece, default: str, report: Report, *, answers_need_it: bool = False
) -> tuple[str, str]:
    """The text's format and its plain text. A `[format]` prefix applies to that text; answers
    and feedback without one inherit the question's, as in Moodle. What the format showed and
    the text cannot is reported at the text's line; in a question or an answer, something a
    learner needed to answer (an image without alt text) leaves the question out."""
    text, fmt = piece.text, default
    if text.startswith("["):
        name, closed, rest = text[1:].partition("]")
        if closed and name in TEXT_FORMATS:
            fmt, text = name, rest
    plain = to_plain_text(restore(text).strip(), fmt)
    for loss in plain.losses:
        if loss.hides_answer and answers_need_it:
            raise Refused(
                piece.line,
                f"{loss.message}; without it the question may be unanswerable, so it is left "
                "out until the text says what the learner needs",
            )
        report.add(piece.line, loss.message, Outcome.CHANGED)
    return fmt, nfc(plain.text.replace(AUTHOR_BREAK, "\n").strip())


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:59] + "…"
