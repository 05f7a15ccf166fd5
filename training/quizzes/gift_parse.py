"""The structure of a GIFT file, read as Moodle's importer reads it (question/format/gift).

Wherever the format is ambiguous this follows Moodle, so that a file means here what it meant
there: blank lines (as PHP's `trim` sees them) separate questions, comment lines inside a
question carry its `[id:…]` and `[tag:…]`, every `=` in an answer block starts a right answer,
`####` (the last one) starts the general feedback. Where Moodle would import something broken
(text before the first answer, an unclosed brace) the question is refused with the line and the
likely cause instead. Nothing here knows text formats or scoring; it only finds the pieces and
where they were written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from training.quizzes.gift_text import AUTHOR_BREAK

# Escaped GIFT characters stand in as surrogates while the structure is parsed, as Moodle's own
# placeholders do, so that `\{` or `\=` is never mistaken for syntax. No decoded text holds a
# surrogate (the importer replaces any), so a placeholder cannot collide with the author's text.
_ESCAPED = ":#={}~"
_PLACEHOLDER = {ch: chr(0xDC00 + ord(ch)) for ch in _ESCAPED} | {"n": AUTHOR_BREAK}
_RESTORE = str.maketrans({chr(0xDC00 + ord(ch)): ch for ch in _ESCAPED})
_ESCAPE = re.compile(r"\\([\\:#={}~n])")
# Moodle's own test for a weight, so that `~%abc%` is an answer's text there and here.
_WEIGHT = re.compile(r"^%-*([0-9]{1,2})\.?([0-9]*)%")
_ID = re.compile(r"\[id:((?:\\\]|[^\]\x00-\x1f\x7f])+)\]")
_TAG = re.compile(r"\[tag:((?:\\\]|[^\]<>`\x00-\x1f\x7f])+)\]")
_CHARACTER_REFERENCE_TAIL = re.compile(r"^(?:x[0-9a-fA-F]+|[0-9]+);")
# PHP's trim(): a line of no-break spaces is not blank to Moodle, so it is not blank here.
PHP_SPACE = " \t\n\r\0\x0b"
TRUE_WORDS = ("T", "TRUE")
FALSE_WORDS = ("F", "FALSE")
CATEGORY = "$CATEGORY:"


class Refused(Exception):
    """Why one question cannot be converted, and where: it stops that question, never the
    file."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Piece:
    """A stretch of a question, escapes still protected, and the line it starts on."""

    text: str
    line: int


@dataclass(frozen=True)
class Block:
    """One question's lines. Comment and category lines are blanked rather than removed, so
    that counting newlines still finds the line of any offset."""

    first_line: int
    text: str
    comments: tuple[Piece, ...]
    categories: tuple[Piece, ...]

    def line_at(self, offset: int) -> int:
        return self.first_line + self.text.count("\n", 0, max(0, offset))

    def piece(self, start: int, end: int) -> Piece:
        """The stripped text between two offsets, with the line its first character is on."""
        raw = self.text[start:end]
        lead = len(raw) - len(raw.lstrip())
        return Piece(raw.strip(), self.line_at(start + lead))

    @property
    def line(self) -> int:
        """Where an author would look: the question's first written line."""
        stripped = self.text.lstrip()
        return self.line_at(len(self.text) - len(stripped))

    @property
    def has_question(self) -> bool:
        return bool(self.text.strip())


@dataclass(frozen=True)
class RawAnswer:
    right: bool
    weight: float | None  # percent, only for `~%n%`
    text: Piece
    feedback: Piece | None


@dataclass(frozen=True)
class RawQuestion:
    line: int
    title: str | None
    text: Piece
    answers: tuple[RawAnswer, ...]  # multiple choice
    truth: bool | None  # true/false
    wrong_feedback: Piece | None  # true/false: shown in Moodle to a wrong response
    right_feedback: Piece | None
    general: Piece | None
    stray_marks: tuple[Piece, ...]  # `=` or `~` glued to a word: likely meant as text


def restore(text: str) -> str:
    """Escapes back to their characters, but for `\\n`, which stays AUTHOR_BREAK for the text
    reader to write in the text's own format."""
    return text.translate(_RESTORE)


def blocks(text: str) -> Iterator[Block]:
    kept: list[str] = []
    comments: list[Piece] = []
    categories: list[Piece] = []
    start = 1
    for number, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        stripped = line.strip(PHP_SPACE)
        if not stripped:
            if kept:
                yield Block(start, "\n".join(kept), tuple(comments), tuple(categories))
            start, kept, comments, categories = number + 1, [], [], []
        elif stripped.startswith("//"):
            comments.append(Piece(stripped, number))
            kept.append("")
        elif stripped.startswith(CATEGORY):
            categories.append(Piece(stripped[len(CATEGORY) :].strip(), number))
            kept.append("")
        else:
            kept.append(_ESCAPE.sub(_protect_match, stripped))
    if kept:
        yield Block(start, "\n".join(kept), tuple(comments), tuple(categories))


def _protect_match(match: re.Match[str]) -> str:
    return "\\" if match.group(1) == "\\" else _PLACEHOLDER[match.group(1)]


def id_and_tags(block: Block) -> tuple[Piece | None, list[Piece]]:
    """Moodle's `// [id:…] [tag:…]` comments: the first ID counts, every tag does."""
    found_id: Piece | None = None
    tags: list[Piece] = []
    for comment in block.comments:
        match = _ID.search(comment.text)
        if match and found_id is None:
            found_id = Piece(match.group(1).replace("\\]", "]").strip(), comment.line)
        tags.extend(
            Piece(m.group(1).replace("\\]", "]").strip(), comment.line)
            for m in _TAG.finditer(comment.text)
        )
    return found_id, tags


# --- One question -------------------------------------------------------------------------------


def read_question(block: Block) -> RawQuestion:
    text = block.text
    body = len(text) - len(text.lstrip())
    title = None
    if text.startswith("::", body):
        end = text.find("::", body + 2)
        if end < 0:
            raise Refused(block.line, "malformed question: the title has no closing '::'")
        title = restore(text[body + 2 : end]).replace(AUTHOR_BREAK, "\n").strip()
        body = end + 2
    opening, closing = _answer_block(block, body)
    general_at = text.rfind("####", opening, closing)
    answers_end = closing if general_at < 0 else general_at
    general = None if general_at < 0 else block.piece(general_at + 4, closing)
    answers = block.piece(opening + 1, answers_end)
    question = RawQuestion(
        line=block.line,
        title=title,
        text=block.piece(body, opening),
        answers=(),
        truth=None,
        wrong_feedback=None,
        right_feedback=None,
        general=general,
        stray_marks=tuple(_stray_marks(block, opening + 1, answers_end)),
    )
    if not question.text.text:
        raise Refused(block.line, "malformed question: it has no text before the answer block")
    if _is_true_false(answers, block.line):
        return _true_false(question, block, opening + 1, answers_end)
    return _with_answers(question, block, opening + 1, answers_end)


def _answer_block(block: Block, body: int) -> tuple[int, int]:
    """Where `{` and `}` are. Anything after `}` is reported: the question text would
    otherwise lose part of what the author wrote, and it is most often the next question."""
    text = block.text
    opening, closing = text.find("{", body), text.find("}", body)
    if opening < 0 and closing < 0:
        raise Refused(block.line, "description items (text with no answer block) are not supported")
    if opening < 0 or 0 <= closing < opening:
        raise Refused(block.line_at(closing), "malformed question: '}' has no opening '{'")
    inner = text.find("{", opening + 1)
    if closing < 0 or 0 <= inner < closing:
        where = "" if inner < 0 else _next_question_hint(block, opening, inner)
        raise Refused(block.line_at(opening), f"malformed question: '{{' is never closed{where}")
    rest = text[closing + 1 :]
    next_at = closing + 1 + len(rest) - len(rest.lstrip())
    if "{" in rest:
        raise Refused(
            block.line,
            "malformed question: more than one answer block"
            + _next_question_hint(block, closing, next_at),
        )
    if "}" in rest:
        at = text.find("}", closing + 1)
        raise Refused(block.line_at(at), "malformed question: '}' has no opening '{'")
    if rest.strip():
        if block.line_at(next_at) > block.line_at(closing):
            raise Refused(
                block.line,
                f"text after the answer block, on line {block.line_at(next_at)}: if it is "
                "another question, a blank line is missing before it; missing-word questions "
                "(text after the answer block) are not supported",
            )
        raise Refused(
            block.line, "missing-word questions (text after the answer block) are not supported"
        )
    return opening, closing


def _next_question_hint(block: Block, before: int, at: int) -> str:
    line = block.line_at(at)
    if line <= block.line_at(before):
        return ""
    return (
        f" (another one starts on line {line}: is a blank line missing between two questions, "
        "or a line of no-break spaces, which GIFT does not count as blank?)"
    )


def _stray_marks(block: Block, start: int, end: int) -> Iterator[Piece]:
    """`=` or `~` right after a letter or digit: Moodle starts a new answer there too, but an
    author who wrote `1+1=2` or `TCP~UDP` meant it as text and forgot the backslash."""
    for match in re.finditer(r"\w[=~]", block.text[start:end]):
        at = start + match.start() + 1
        line_start = block.text.rfind("\n", 0, at) + 1
        line_end = block.text.find("\n", at)
        line = block.text[line_start : len(block.text) if line_end < 0 else line_end]
        word = re.search(r"\S*$", line[: at - line_start])
        tail = re.match(r"\S*", line[at - line_start + 1 :])
        snippet = (word.group(0) if word else "") + block.text[at] + (tail.group(0) if tail else "")
        yield Piece(restore(snippet).replace(AUTHOR_BREAK, " "), block.line_at(at))


def _is_true_false(answers: Piece, line: int) -> bool:
    """Moodle's own order of tests, so a block is read as the type Moodle would import."""
    text = answers.text
    if not text:
        raise Refused(line, "essay questions are not supported")
    if text.startswith("#"):
        raise Refused(line, "numerical questions are not supported")
    if "~" in text:
        return False
    if "=" in text and "->" in text:
        raise Refused(line, "matching questions are not supported")
    if text.split("#", 1)[0].strip() in (*TRUE_WORDS, *FALSE_WORDS):
        return True
    if text.startswith("="):
        raise Refused(line, "short-answer questions are not supported")
    raise Refused(
        line, "malformed answer block: expected '=' and '~' answers, or T, TRUE, F or FALSE"
    )


def _true_false(question: RawQuestion, block: Block, start: int, end: int) -> RawQuestion:
    """In GIFT the first feedback is for a wrong response and the second (which may itself
    hold a `#`) for a right one."""
    hashes = [start + m.start() for m in re.finditer("#", block.text[start:end])][:2]
    word = block.text[start : hashes[0] if hashes else end].strip()
    ends = [*hashes[1:], end][: len(hashes)]
    feedback = [block.piece(at + 1, following) for at, following in zip(hashes, ends, strict=True)]
    return replace(
        question,
        truth=word in TRUE_WORDS,
        wrong_feedback=feedback[0] if feedback else None,
        right_feedback=feedback[1] if len(feedback) > 1 else None,
    )


def _with_answers(question: RawQuestion, block: Block, start: int, end: int) -> RawQuestion:
    """As in Moodle, every `=` and every `~` starts an answer; a weight is read after `~`."""
    marks = [start + m.start() for m in re.finditer("[=~]", block.text[start:end])]
    if block.text[start : marks[0]].strip():
        raise Refused(
            block.line_at(start),
            "malformed answer block: text before the first '=' or '~' (every answer starts "
            "with '=' for the right one or '~' for a wrong one)",
        )
    answers = []
    for at, following in zip(marks, [*marks[1:], end], strict=True):
        answers.append(_answer(block, at, following, question))
    return replace(question, answers=tuple(answers))


def _answer(block: Block, at: int, end: int, question: RawQuestion) -> RawAnswer:
    right = block.text[at] == "="
    text_start = at + 1
    weight = None
    if not right:
        raw = block.text[text_start:end].lstrip()
        match = _WEIGHT.match(raw)
        if match:
            percent = raw[1 : raw.index("%", 1)]
            weight = _weight(percent, block.line_at(at))
            text_start = end - len(raw) + match.end()
    hash_at = block.text.find("#", text_start, end)
    text_end = end if hash_at < 0 else hash_at
    text = block.piece(text_start, text_end)
    feedback = None if hash_at < 0 else block.piece(hash_at + 1, end)
    if not text.text:
        raise Refused(
            block.line_at(at),
            "malformed answer block: an answer has no text" + stray_hint(question),
        )
    if feedback is not None:
        _check_reference(feedback, text)
    return RawAnswer(right, weight, text, feedback)


def _weight(percent: str, line: int) -> float:
    try:
        return float(percent)
    except ValueError:
        raise Refused(
            line, f"malformed weight '%{percent}%': write it as ~%50% or ~%-25%"
        ) from None


def _check_reference(feedback: Piece, text: Piece) -> None:
    """`&#39;` in an answer ends the answer at its `#`, in Moodle too; the tail of a character
    reference at the start of the feedback gives it away."""
    if text.text.endswith("&") and _CHARACTER_REFERENCE_TAIL.match(feedback.text):
        reference = feedback.text.split(";")[0]
        raise Refused(
            text.line,
            f"an answer's '#' starts its feedback, so '&#{reference};' was cut in two: write "
            "the character itself, or escape the '#' as &\\#…;",
        )


def stray_hint(question: RawQuestion, *, generic: bool = False) -> str:
    """The likely cause to add to a refusal: a glued `=` or `~` in the answer block, or, where
    an `=` too many is the likely cause anyway, the general reminder."""
    if question.stray_marks:
        first = question.stray_marks[0]
        return (
            f"; is the '{first.text}' on line {first.line} meant as text? "
            "Then write its '=' or '~' as \\= or \\~"
        )
    if generic:
        return "; if an '=' is part of an answer's text, write it as \\="
    return ""
