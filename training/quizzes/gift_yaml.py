"""Writing imported questions as a quiz file (quizzes/README.md), one language filled in.

Written by hand rather than by yaml.dump, so that the file looks like the ones authors already
edit and every text is quoted the same way. The other language is written empty, not left out,
so a translator sees where to write and `content check` names it as missing.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from training.quizzes.models import QuestionType
from training.sources.fields import LANGUAGES
from training.text import nfc

# Characters that must not appear raw in a YAML double-quoted scalar: controls, format and
# private-use characters, and the Unicode line and paragraph separators.
_YAML_NAMED = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\0": "\\0"}
_YAML_ESCAPED_CATEGORIES = ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")


@dataclass(frozen=True)
class ImportedChoice:
    text: str
    correct: bool
    feedback: str = ""


@dataclass(frozen=True)
class ImportedQuestion:
    id: str
    line: int  # in the GIFT file
    type: QuestionType
    text: str
    choices: tuple[ImportedChoice, ...]
    answer: bool | None
    explanation: str
    clauses: tuple[str, ...] = ()


@dataclass(frozen=True)
class QuizHeader:
    slug: str
    course: str
    pass_mark: int
    per_attempt: int


def render_quiz(header: QuizHeader, questions: list[ImportedQuestion], lang: str) -> str:
    lines = [
        f"slug: {quote(header.slug)}",
        f"course: {quote(header.course)}",
        f"pass_mark: {header.pass_mark}",
        f"questions_per_attempt: {header.per_attempt}",
    ]
    if any(q.type == QuestionType.MULTIPLE for q in questions):
        # Moodle scores every checkbox question partially; keep that behaviour.
        lines.append("partial_credit: true")
    lines.append("questions:" if questions else "questions: []")
    for question in questions:
        lines.extend(_render_question(question, lang))
    return "\n".join(lines) + "\n"


def _render_question(question: ImportedQuestion, lang: str) -> list[str]:
    clauses = ", ".join(quote(c) for c in question.clauses)
    lines = [
        f"  - id: {quote(question.id)}",
        f"    type: {quote(question.type.value)}",
        f"    clauses: [{clauses}]",
        "    text:",
        *_translated(question.text, lang, "      "),
    ]
    if question.type == QuestionType.TRUE_FALSE:
        lines.append(f"    answer: {'true' if question.answer else 'false'}")
    else:
        lines.append("    choices:")
        for choice in question.choices:
            texts = _translated(choice.text, lang, "        ")
            texts[0] = "      - " + texts[0].lstrip()
            lines.extend(texts)
            if choice.correct:
                lines.append("        correct: true")
            if choice.feedback:
                lines.append("        feedback:")
                lines.extend(_translated(choice.feedback, lang, "          "))
    lines.append("    explanation:")
    lines.extend(_translated(question.explanation, lang, "      "))
    return lines


def _translated(text: str, lang: str, indent: str) -> list[str]:
    return [f"{indent}{other}: {quote(text if other == lang else '')}" for other in LANGUAGES]


def quote(text: str) -> str:
    return '"' + "".join(_quote_char(ch) for ch in nfc(text)) + '"'


def _quote_char(ch: str) -> str:
    if ch in _YAML_NAMED:
        return _YAML_NAMED[ch]
    if unicodedata.category(ch) not in _YAML_ESCAPED_CATEGORIES:
        return ch
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"
