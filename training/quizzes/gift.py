"""Converting Moodle GIFT question banks into Khiên quiz files.

Agencies already hold question banks exported from Moodle; converting one gives an author a
starting point instead of retyping it. Only the question kinds Khiên can score are converted, and
every other question is reported with its line, so nothing disappears silently. The output is
deliberately unfinished: the other language is left empty so that `content check` keeps failing
until a translator fills it, and `clauses` is empty for the author to cite the directive.

The parsing follows Moodle's own importer (question/format/gift/format.php) wherever the format
is ambiguous, so a file means here what it meant in Moodle.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser

from training.quizzes.files import ID_PATTERN
from training.quizzes.models import QuestionType
from training.sources.fields import LANGUAGES
from training.text import nfc

MIN_CHOICES = 2
MAX_CHOICES = 6
TEXT_FORMATS = ("html", "markdown", "plain", "moodle")
TRUE_WORDS = ("T", "TRUE")
FALSE_WORDS = ("F", "FALSE")

# Escaped GIFT characters stand in as private-use characters while the structure is parsed, as
# Moodle's own placeholders do, so that `\{` or `\=` is never mistaken for syntax.
_ESCAPED = ":#={}~n"
_PLACEHOLDER = {ch: chr(0xE000 + ord(ch)) for ch in _ESCAPED}
_RESTORE = str.maketrans({p: ("\n" if ch == "n" else ch) for ch, p in _PLACEHOLDER.items()})
_ESCAPE = re.compile(r"\\([\\" + re.escape(_ESCAPED) + "])")
_LINE_BREAK = re.compile(r"[ \t]*\n[ \t]*")
_WEIGHT = re.compile(r"^%(-?[0-9]+(?:\.[0-9]*)?)%")

# Characters that must not appear raw in a YAML double-quoted scalar: controls, format and
# private-use characters, and the Unicode line and paragraph separators.
_YAML_NAMED = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\0": "\\0"}
_YAML_ESCAPED_CATEGORIES = ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")


@dataclass(frozen=True)
class GiftProblem:
    line: int
    message: str


@dataclass
class GiftResult:
    yaml_text: str
    converted: int
    problems: list[GiftProblem]


class _Unsupported(Exception):
    """A reason one question cannot be converted: it stops that question, never the file."""


@dataclass(frozen=True)
class _Block:
    line: int
    text: str


@dataclass(frozen=True)
class _Answer:
    right: bool
    weight: float | None
    text: str
    feedback: str


@dataclass(frozen=True)
class _Choice:
    text: str
    correct: bool


@dataclass(frozen=True)
class _Question:
    line: int
    title_id: str | None
    type: QuestionType
    text: str
    choices: tuple[_Choice, ...]
    answer: bool | None
    explanation: str


def convert_gift(
    text: str,
    *,
    slug: str,
    course: str,
    lang: str = "vi",
    pass_mark: int = 80,
    questions_per_attempt: int | None = None,
) -> GiftResult:
    """The YAML is always produced, even when some questions were not converted: the author
    fixes or rewrites those by hand, and the problems say which ones and where."""
    _check_options(slug, lang, pass_mark, questions_per_attempt)
    questions: list[_Question] = []
    problems: list[GiftProblem] = []
    for block in _blocks(nfc(text.removeprefix("\ufeff"))):
        try:
            questions.append(_read_question(block))
        except _Unsupported as err:
            problems.append(GiftProblem(block.line, str(err)))
    questions, duplicates = _drop_duplicate_titles(questions)
    problems.extend(duplicates)
    numbered = list(zip(_question_ids(questions, slug), questions, strict=True))
    per_attempt = questions_per_attempt or max(1, len(questions) // 3)
    yaml_text = _render_quiz(slug, course, pass_mark, per_attempt, numbered, lang)
    return GiftResult(yaml_text, len(questions), sorted(problems, key=lambda p: p.line))


def _check_options(slug: str, lang: str, pass_mark: int, questions_per_attempt: int | None) -> None:
    if not ID_PATTERN.match(slug):
        raise ValueError(f"slug {slug!r} must be lower-case letters, digits and hyphens")
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}, not {lang!r}")
    if not 1 <= pass_mark <= 100:
        raise ValueError(f"pass_mark must be between 1 and 100, not {pass_mark}")
    if questions_per_attempt is not None and questions_per_attempt < 1:
        raise ValueError(f"questions_per_attempt must be above 0, not {questions_per_attempt}")


# --- Splitting the file ------------------------------------------------------------------------


def _blocks(text: str) -> Iterator[_Block]:
    """Blank lines separate questions. Comment and category lines are skipped without ending a
    question, and a question's line is its first real line, where an author would look."""
    start = 0
    lines: list[str] = []
    for number, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        stripped = line.strip()
        if not stripped:
            if lines:
                yield _Block(start, "\n".join(lines))
            lines = []
        elif not stripped.startswith(("//", "$CATEGORY:")):
            if not lines:
                start = number
            lines.append(stripped)
    if lines:
        yield _Block(start, "\n".join(lines))


def _protect(text: str) -> str:
    return _ESCAPE.sub(lambda m: _PLACEHOLDER.get(m.group(1), m.group(1)), text)


# --- Reading one question ----------------------------------------------------------------------


def _read_question(block: _Block) -> _Question:
    title, text = _split_title(_protect(block.text))
    before, answers = _split_answer_block(text)
    answers, general = _split_general_feedback(answers)
    true_false = _is_true_false(answers)
    choices: tuple[_Choice, ...]
    fmt, question_text = _formatted(before, "moodle")
    if not question_text:
        raise _Unsupported("malformed question: it has no text before the answer block")
    title_id = title if title and ID_PATTERN.match(title) else None
    general_text = _formatted(general, fmt)[1]
    if true_false:
        answer, explanation = _true_false(answers, fmt)
        kind, choices = QuestionType.TRUE_FALSE, ()
    else:
        answer = None
        kind, choices, explanation = _choices(answers, fmt)
    return _Question(
        block.line, title_id, kind, question_text, choices, answer, general_text or explanation
    )


def _split_title(text: str) -> tuple[str | None, str]:
    if not text.startswith("::"):
        return None, text
    end = text.find("::", 2)
    if end < 0:
        raise _Unsupported("malformed question: the title has no closing '::'")
    return _finish(text[2:end]), text[end + 2 :].strip()


def _split_answer_block(text: str) -> tuple[str, str]:
    """The text before `{` and the inside of `{ … }`; anything else is reported, because the
    question text would otherwise silently lose part of what the author wrote."""
    start, end = text.find("{"), text.find("}")
    if start < 0 and end < 0:
        raise _Unsupported("description items (text with no answer block) are not supported")
    if start < 0 or 0 <= end < start:
        raise _Unsupported("malformed question: '}' has no opening '{'")
    if end < 0 or "{" in text[start + 1 : end]:
        raise _Unsupported("malformed question: '{' is never closed")
    rest = text[end + 1 :]
    if "{" in rest:
        raise _Unsupported("malformed question: more than one answer block")
    if "}" in rest:
        raise _Unsupported("malformed question: '}' has no opening '{'")
    if rest.strip():
        raise _Unsupported("missing-word questions (text after the answer block) are not supported")
    return text[:start], text[start + 1 : end].strip()


def _split_general_feedback(answers: str) -> tuple[str, str]:
    # Moodle takes the last `####`, so per-answer feedback may itself start with `#`.
    at = answers.rfind("####")
    if at < 0:
        return answers, ""
    return answers[:at].strip(), answers[at + 4 :]


def _is_true_false(answers: str) -> bool:
    """True/false or multiple choice; the other types are reported. Moodle's own order of
    tests, so a block is read as the type Moodle would import it as."""
    if not answers:
        raise _Unsupported("essay questions are not supported")
    if answers.startswith("#"):
        raise _Unsupported("numerical questions are not supported")
    if "~" in answers:
        return False
    if "=" in answers and "->" in answers:
        raise _Unsupported("matching questions are not supported")
    if answers.split("#", 1)[0].strip() in (*TRUE_WORDS, *FALSE_WORDS):
        return True
    if answers.startswith("="):
        raise _Unsupported("short-answer questions are not supported")
    raise _Unsupported(
        "malformed answer block: expected '=' and '~' answers, or T, TRUE, F or FALSE"
    )


def _true_false(answers: str, fmt: str) -> tuple[bool, str]:
    """In GIFT the first feedback is for the wrong response and the second for the right one.
    The right one is the explanation; failing that, the wrong one still explains the answer."""
    word, *feedback = answers.split("#", 2)
    wrong = _formatted(feedback[0], fmt)[1] if feedback else ""
    right = _formatted(feedback[1], fmt)[1] if len(feedback) > 1 else ""
    return word.strip() in TRUE_WORDS, right or wrong


def _choices(answers: str, fmt: str) -> tuple[QuestionType, tuple[_Choice, ...], str]:
    parsed = _parse_answers(answers, fmt)
    rights = sum(a.right for a in parsed)
    if rights and any(a.weight is not None for a in parsed):
        raise _Unsupported(
            "single-choice questions with partial-credit answers (~%n%) are not supported"
        )
    if rights > 1:
        raise _Unsupported(
            f"a multiple-choice question with {rights} right answers ('=') is not supported; "
            "mark the answers of a multiple-answer question with ~%n% weights"
        )
    if rights:
        kind, correct = QuestionType.SINGLE, [a.right for a in parsed]
    else:
        kind, correct = QuestionType.MULTIPLE, [(a.weight or 0) > 0 for a in parsed]
    if not any(correct):
        raise _Unsupported("multiple-choice question has no correct answer")
    if not MIN_CHOICES <= len(parsed) <= MAX_CHOICES:
        raise _Unsupported(
            f"multiple-choice question has {len(parsed)} answer{'' if len(parsed) == 1 else 's'}; "
            f"a quiz question has {MIN_CHOICES} to {MAX_CHOICES}"
        )
    choices = tuple(_Choice(a.text, ok) for a, ok in zip(parsed, correct, strict=True))
    explanation = " ".join(a.feedback for a, ok in zip(parsed, correct, strict=True) if ok)
    return kind, choices, explanation.strip()


def _parse_answers(answers: str, fmt: str) -> list[_Answer]:
    # As in Moodle: every `=` also starts an answer, and the weight is read after `~` only.
    head, *pieces = answers.replace("=", "~=").split("~")
    if head.strip():
        raise _Unsupported("malformed answer block: text before the first '=' or '~'")
    parsed = []
    for piece in pieces:
        piece = piece.strip()
        right = piece.startswith("=")
        weight = None
        if right:
            piece = piece[1:]
        elif match := _WEIGHT.match(piece):
            weight, piece = float(match.group(1)), piece[match.end() :]
        text, _, feedback = piece.partition("#")
        text = _formatted(text, fmt)[1]
        if not text:
            raise _Unsupported("malformed answer block: an answer has no text")
        parsed.append(_Answer(right, weight, text, _formatted(feedback, fmt)[1]))
    return parsed


# --- Text formats ------------------------------------------------------------------------------


def _formatted(text: str, default: str) -> tuple[str, str]:
    """The text's format and its plain text. A `[format]` prefix applies to that text; answers
    and feedback without one inherit the question's, as in Moodle."""
    text = text.strip()
    fmt = default
    if text.startswith("["):
        name, closed, rest = text[1:].partition("]")
        if closed and name in TEXT_FORMATS:
            fmt, text = name, rest
    plain = _html_to_text(text) if fmt == "html" else _LINE_BREAK.sub(" ", text)
    return fmt, _finish(plain)


def _finish(text: str) -> str:
    return nfc(text.translate(_RESTORE).strip())


class _TextOnly(HTMLParser):
    """`[html]` text was written for Moodle's editor, but a quiz shows plain text: keep what a
    reader saw, with block elements as line breaks and without scripts or styles."""

    BREAKS = frozenset(
        {"br", "p", "div", "li", "ul", "ol", "tr", "table", "blockquote", "pre", "hr"}
        | {"h1", "h2", "h3", "h4", "h5", "h6"}
    )
    HIDDEN = frozenset(("script", "style"))

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag in self.BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(re.sub(r"\s+", " ", data))


def _html_to_text(html: str) -> str:
    parser = _TextOnly()
    parser.feed(html)
    parser.close()
    lines = (re.sub(" +", " ", line).strip() for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)


# --- Question IDs ------------------------------------------------------------------------------


def _drop_duplicate_titles(
    questions: list[_Question],
) -> tuple[list[_Question], list[GiftProblem]]:
    """Question IDs never change once published, so a clash is reported, not renamed."""
    first_line: dict[str, int] = {}
    kept, problems = [], []
    for question in questions:
        if question.title_id is not None:
            if question.title_id in first_line:
                problems.append(
                    GiftProblem(
                        question.line,
                        f"duplicate question id {question.title_id!r} "
                        f"(also the title on line {first_line[question.title_id]})",
                    )
                )
                continue
            first_line[question.title_id] = question.line
        kept.append(question)
    return kept, problems


def _question_ids(questions: list[_Question], slug: str) -> list[str]:
    """A question without an ID-like title is numbered by its position, so the numbers follow
    the file; a number already taken by a title moves on to the next free one."""
    used = {q.title_id for q in questions if q.title_id is not None}
    ids = []
    for position, question in enumerate(questions, 1):
        if question.title_id is not None:
            ids.append(question.title_id)
            continue
        number = position
        while f"{slug}-{number:03d}" in used:
            number += 1
        used.add(f"{slug}-{number:03d}")
        ids.append(f"{slug}-{number:03d}")
    return ids


# --- Writing the quiz file ---------------------------------------------------------------------


def _render_quiz(
    slug: str,
    course: str,
    pass_mark: int,
    per_attempt: int,
    questions: list[tuple[str, _Question]],
    lang: str,
) -> str:
    """Written by hand rather than by yaml.dump, so that the file looks like the ones authors
    already edit (quizzes/README.md) and every text is quoted the same way."""
    lines = [
        f"slug: {_quote(slug)}",
        f"course: {_quote(course)}",
        f"pass_mark: {pass_mark}",
        f"questions_per_attempt: {per_attempt}",
    ]
    if any(q.type == QuestionType.MULTIPLE for _, q in questions):
        # Every multiple-answer question comes from ~%n% weights, which Moodle scores
        # partially; keep that behaviour.
        lines.append("partial_credit: true")
    lines.append("questions:" if questions else "questions: []")
    for question_id, question in questions:
        lines.extend(_render_question(question_id, question, lang))
    return "\n".join(lines) + "\n"


def _render_question(question_id: str, question: _Question, lang: str) -> list[str]:
    lines = [
        f"  - id: {_quote(question_id)}",
        f"    type: {_quote(question.type.value)}",
        "    clauses: []",
        "    text:",
        *_render_translated(question.text, lang, "      "),
    ]
    if question.type == QuestionType.TRUE_FALSE:
        lines.append(f"    answer: {_yaml_bool(bool(question.answer))}")
    else:
        lines.append("    choices:")
        for choice in question.choices:
            texts = _render_translated(choice.text, lang, "        ")
            texts[0] = "      - " + texts[0].lstrip()
            lines.extend(texts)
            if choice.correct:
                lines.append("        correct: true")
    lines.append("    explanation:")
    lines.extend(_render_translated(question.explanation, lang, "      "))
    return lines


def _render_translated(text: str, lang: str, indent: str) -> list[str]:
    """The other language is written empty, not left out, so a translator sees where to write
    and `content check` names it as missing."""
    return [f"{indent}{other}: {_quote(text if other == lang else '')}" for other in LANGUAGES]


def _yaml_bool(value: bool) -> str:
    return "true" if value else "false"


def _quote(text: str) -> str:
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
