"""Question IDs, clauses and categories of an imported GIFT file.

Question IDs never change once published (results refer to them), so an ID is taken from what
the author wrote, Moodle's ID number `// [id:…]` or a title that is an ID, and a clash is
reported, not renamed. Any other question is numbered by its place among the file's questions,
and that is said: the number moves when a question is added above it.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from training.quizzes.files import ID_PATTERN
from training.quizzes.gift_parse import Block, Piece, RawQuestion, id_and_tags
from training.quizzes.gift_report import Outcome, Report
from training.text import fold


@dataclass(frozen=True)
class Parsed:
    position: int  # among the file's questions, so that fixing one does not renumber others
    block: Block
    raw: RawQuestion | None  # None when its structure was refused


def check_category_placement(block: Block, report: Report) -> None:
    for category in block.categories:
        if block.has_question and category.line < block.line:
            report.add(
                category.line,
                f"a blank line is missing after '$CATEGORY: {category.text}': Moodle reads the "
                "question below as part of the category's name",
                Outcome.NOTE,
            )


def check_category_count(categories: list[Piece], report: Report) -> None:
    """A Khiên quiz is one bank: the questions of every category land in it together."""
    seen: list[str] = []
    for category in categories:
        if category.text in seen:
            continue
        seen.append(category.text)
        if len(seen) > 1:
            report.add(
                category.line,
                f"the category {category.text!r} is not kept: the questions of every category "
                "go into this one quiz",
                Outcome.NOTE,
            )


def check_lone_id(block: Block, report: Report) -> None:
    found, _tags = id_and_tags(block)
    if found is not None:
        report.add(
            found.line,
            f"[id:{found.text}] belongs to no question: a blank line separates its comment "
            "from the question below, so Moodle ignores it too",
            Outcome.NOTE,
        )


def question_ids(
    parsed: list[Parsed], slug: str, report: Report
) -> list[tuple[str | None, Report]]:
    """Question IDs never change once published, so an ID is taken from `[id:…]` (Moodle's
    ID number) or from a title that is one; a clash is reported, not renamed. Any other
    question is numbered by its place among the file's questions, and that is said, because
    the number moves when a question is added above it."""
    reports = [Report() for _ in parsed]
    explicit = [
        None if item.raw is None else _explicit_id(item.block, item.raw, sub)
        for item, sub in zip(parsed, reports, strict=True)
    ]
    first_line: dict[str, int] = {}
    ids: list[str | None] = [None] * len(parsed)
    for index, (item, found) in enumerate(zip(parsed, explicit, strict=True)):
        if found is None or item.raw is None:
            continue
        if found in first_line:
            report.add(
                item.raw.line,
                f"duplicate question id {found!r} (also the ID of the question on line "
                f"{first_line[found]})",
                Outcome.LEFT_OUT,
            )
            continue
        first_line[found] = item.raw.line
        ids[index] = found
    used = set(first_line)
    for index, (item, found) in enumerate(zip(parsed, explicit, strict=True)):
        if found is not None or item.raw is None:
            continue
        number = item.position
        while f"{slug}-{number:03d}" in used:
            number += 1
        numbered = f"{slug}-{number:03d}"
        used.add(numbered)
        ids[index] = numbered
        title = f", and its title {item.raw.title!r} is not an ID" if item.raw.title else ""
        reports[index].add(
            item.raw.line,
            f"no [id:…]{title}: numbered {numbered!r} by its place in the file; write "
            f"'// [id:{numbered}]' on the line above the question, so that a revised bank "
            "keeps the ID",
            Outcome.NOTE,
        )
    return list(zip(ids, reports, strict=True))


def _explicit_id(block: Block, raw: RawQuestion, report: Report) -> str | None:
    found, _tags = id_and_tags(block)
    if found is not None:
        if ID_PATTERN.match(found.text):
            if raw.title and raw.title != found.text:
                report.add(
                    raw.line,
                    f"the title {raw.title!r} is not kept: the question's ID is its "
                    f"[id:{found.text}], and a Khiên question has no other name",
                    Outcome.NOTE,
                )
            return found.text
        report.add(
            found.line,
            f"[id:{found.text}] is not kept: a question ID is lower-case letters, digits and "
            f"hyphens, e.g. {_suggest_id(found.text)!r}",
            Outcome.CHANGED,
        )
    if raw.title and ID_PATTERN.match(raw.title):
        return raw.title
    return None


def _suggest_id(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-") or "q-1"


def clauses_from_tags(block: Block, clause_ids: Collection[str], report: Report) -> tuple[str, ...]:
    _found, tags = id_and_tags(block)
    kept = []
    for tag in tags:
        if tag.text in clause_ids:
            if tag.text not in kept:
                kept.append(tag.text)
        else:
            report.add(
                tag.line,
                f"[tag:{tag.text}] is not kept: only a tag naming a clause of the directive "
                "(e.g. [tag:D3.2]) becomes one of the question's clauses",
                Outcome.NOTE,
            )
    return tuple(kept)
