"""Writing a Khiên quiz bank as GIFT, for agencies that train on Moodle too.

The file is one language of the bank, in the GIFT dialect Moodle's own exporter writes: a
`$CATEGORY` named after the quiz, each question titled by its ID and carrying it as Moodle's
ID number (`// [id:…]`) with its clauses as tags, texts as `[html]` with every GIFT character
escaped, per-choice feedback after `#` and the explanation as general feedback (`####`). The
texts are written so that `import-gift` reads back exactly what was exported, whitespace and
all: a space that HTML would swallow is written `&#32;`, a line break `<br>`.

What Moodle cannot take as it is (all-or-nothing scoring, `{{province.NAME}}` placeholders that
only Khiên fills in) is still written, and reported with the bank's line, so the command's exit
status says whether the Moodle bank means exactly what the Khiên bank means.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from training.quizzes.files import ID_PATTERN, ChoiceSource, QuestionSource, QuizSource
from training.quizzes.gift_report import GiftProblem, Outcome
from training.quizzes.models import QuestionType
from training.sources.fields import lang_name
from training.sources.placeholders import fill, names_in

_GIFT_SPECIAL = {ch: "\\" + ch for ch in "\\~=#{}:"}
_HTML_SPECIAL = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\n": "<br>", "\t": "&#9;"}
_HTML_SPECIAL |= {"\r": "&#13;", "\f": "&#12;", "\xa0": "&#160;"}
# Moodle reads a weight (`%50%`) or a format (`[html]`) at the start of an answer or feedback.
_LEADING = {"%": "&#37;", "[": "&#91;"}


@dataclass
class GiftExport:
    text: str
    exported: int
    problems: list[GiftProblem]

    @property
    def is_faithful(self) -> bool:
        return all(p.outcome == Outcome.NOTE for p in self.problems)


def export_gift(quiz: QuizSource, lang: str) -> GiftExport:
    """Reads what `read_quiz` could read, problems or not: the command refuses a bank with
    errors, while a test may export any bank, and a question that lacks a text in `lang` is
    left out and reported rather than written half-empty."""
    problems = _quiz_problems(quiz)
    lines = [
        f"// Khiên quiz bank {quiz.slug!r} (course {quiz.course!r}), in {lang_name(lang)}.",
        "// Moodle: Question bank > Import > GIFT. Khiên: flask --app app quizzes import-gift.",
        f"$CATEGORY: $course$/top/{quiz.slug}",
        "",
    ]
    exported = 0
    seen: set[str] = set()
    for question in quiz.questions:
        reason = _invalid(question, seen) or _missing_text(question, lang)
        seen.add(question.id)
        if reason:
            problems.append(
                GiftProblem(question.line, f"question {question.id!r} is not exported: {reason}")
            )
            continue
        problems.extend(_question_problems(question, lang))
        lines.extend(_question(question, lang))
        lines.append("")
        exported += 1
    return GiftExport("\n".join(lines), exported, sorted(problems, key=lambda p: p.line))


def _quiz_problems(quiz: QuizSource) -> list[GiftProblem]:
    problems = []
    settings = f"pass mark {quiz.pass_mark} %, {quiz.questions_per_attempt} questions drawn"
    if quiz.time_limit_minutes:
        settings += f", {quiz.time_limit_minutes} minutes"
    if quiz.max_attempts_per_day:
        settings += f", {quiz.max_attempts_per_day} attempts a day"
    problems.append(
        GiftProblem(
            1,
            f"the quiz's settings ({settings}) are not part of a question bank: set them on "
            "the Moodle quiz",
            Outcome.NOTE,
        )
    )
    has_multiple = any(q.type == QuestionType.MULTIPLE for q in quiz.questions)
    if has_multiple and not quiz.partial_credit:
        problems.append(
            GiftProblem(
                1,
                "this quiz scores multiple-answer questions all or nothing (partial_credit: "
                "false), which Moodle cannot: there each right answer ticked earns its share and "
                "each wrong one takes a share away",
                Outcome.CHANGED,
            )
        )
    return problems


def _invalid(question: QuestionSource, seen: set[str]) -> str:
    """What `content check` refuses and the importer would refuse too: written anyway, the
    question could not come back as it went."""
    if not ID_PATTERN.match(question.id) or question.id in seen:
        return "its ID is invalid or taken (see `flask --app app content check`)"
    right = sum(choice.correct for choice in question.choices)
    if question.type == QuestionType.TRUE_FALSE:
        return "" if question.answer is not None else "it has no answer"
    if not 2 <= len(question.choices) <= 6:
        return "a question has 2 to 6 choices"
    if question.type == QuestionType.SINGLE and right != 1:
        return "a single-choice question has exactly one correct choice"
    return "" if right else "it has no correct choice"


def _missing_text(question: QuestionSource, lang: str) -> str:
    missing = ""
    if not question.texts.get(lang):
        missing = "its text"
    elif not question.explanations.get(lang):
        missing = "its explanation"
    for number, choice in enumerate(question.choices, 1):
        if not missing and not choice.texts.get(lang):
            missing = f"choice {number}"
    if missing:
        return f"{missing} has no {lang_name(lang)} text"
    if any(_has_surrogate(text) for text in question.texts_in(lang)):
        return "it holds characters that are not text (lone surrogates)"
    return ""


def _has_surrogate(text: str) -> bool:
    return any(0xD800 <= ord(ch) <= 0xDFFF for ch in text)


def _question_problems(question: QuestionSource, lang: str) -> list[GiftProblem]:
    problems = []
    for number, choice in enumerate(question.choices, 1):
        if choice.feedback and not choice.feedback.get(lang):
            problems.append(
                GiftProblem(
                    question.line,
                    f"question {question.id!r}: the feedback of choice {number} has no "
                    f"{lang_name(lang)} text and is not exported",
                    Outcome.CHANGED,
                )
            )
    placeholders = sorted(
        {
            f"{{{{{inside}}}}}"
            for text in question.texts_in(lang)
            for _line, inside in names_in(text)
        }
    )
    if placeholders:
        problems.append(
            GiftProblem(
                question.line,
                f"question {question.id!r}: Moodle shows {', '.join(placeholders)} as written, "
                "because only Khiên fills in the province's settings: replace it in Moodle "
                "with the province's value",
                Outcome.CHANGED,
            )
        )
    return problems


# --- Writing one question ----------------------------------------------------------------------


def _question(question: QuestionSource, lang: str) -> list[str]:
    tags = "".join(f" [tag:{clause}]" for clause in question.clauses)
    head = f"::{question.id}::[html]{gift_html(question.texts[lang])}"
    explanation = "####" + gift_html(question.explanations[lang])
    if question.type == QuestionType.TRUE_FALSE:
        word = "TRUE" if question.answer else "FALSE"
        return [f"// [id:{question.id}]{tags}", f"{head}{{{word}{explanation}}}"]
    lines = [f"// [id:{question.id}]{tags}", head + "{"]
    right = sum(choice.correct for choice in question.choices)
    for choice in question.choices:
        lines.append("\t" + _mark(choice, question.type, right) + _choice(choice, lang))
    lines.extend(("\t" + explanation, "}"))
    return lines


def _mark(choice: ChoiceSource, kind: QuestionType, right: int) -> str:
    """Single choice is `=` for the key. A multiple-answer question gives each right answer
    its equal share and each wrong one the same share off, which is exactly how Khiên scores
    it under partial credit, so that Moodle and Khiên agree on every combination ticked."""
    if kind == QuestionType.SINGLE:
        return "=" if choice.correct else "~"
    share = f"{100 / max(1, right):.5f}".rstrip("0").rstrip(".")
    return f"~%{share}%" if choice.correct else f"~%-{share}%"


def _choice(choice: ChoiceSource, lang: str) -> str:
    text = gift_html(choice.texts[lang])
    feedback = choice.feedback.get(lang)
    return f"{text}#{gift_html(feedback)}" if feedback else text


def gift_html(text: str) -> str:
    """A plain text as GIFT `[html]` that shows it and reads back as exactly it: markup
    characters escaped, significant whitespace spelt out, GIFT's characters backslashed."""
    html = "".join(_html_char(text, index) for index in range(len(text)))
    if text[:1] in _LEADING:
        html = _LEADING[text[0]] + html[1:]
    return "".join(_GIFT_SPECIAL.get(ch, ch) for ch in html)


def _html_char(text: str, index: int) -> str:
    """A space stays a space only after a visible character and before more of the line;
    anywhere else HTML would collapse or drop it, so it is spelt out."""
    ch = text[index]
    if ch != " ":
        return _HTML_SPECIAL.get(ch, ch)
    before = text[index - 1] if index else "\n"
    after = text[index + 1] if index + 1 < len(text) else "\n"
    return "&#32;" if before.isspace() or after == "\n" else " "


def with_province(quiz: QuizSource, value_of: Callable[[str], str]) -> QuizSource:
    """The bank with every `{{province.NAME}}` written out, for a Moodle site that cannot fill
    them in: what the learner reads on Khiên, frozen at the time of export."""

    def texts(found: dict[str, str]) -> dict[str, str]:
        return {lang: fill(text, value_of) for lang, text in found.items()}

    questions = [
        replace(
            question,
            texts=texts(question.texts),
            explanations=texts(question.explanations),
            choices=[
                replace(c, texts=texts(c.texts), feedback=texts(c.feedback))
                for c in question.choices
            ],
        )
        for question in quiz.questions
    ]
    return replace(quiz, questions=questions)
