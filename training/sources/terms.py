"""One term per concept: the terms file (`courses/terms.yml`) and the search for its variants.

Thousands of readers meet the same idea in eight courses; five names for the official mailbox
read as five different things. The file lists the preferred term and the variants to flag, and
`content check` warns wherever a lesson or question uses one. Dates get the same treatment:
officials write dd/mm/yyyy, with two-digit days and months.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from training.sources.problems import ContentProblem, Severity
from training.sources.yamlfile import LineDict, LineList, YamlError, load_yaml

TERMS_FILE = "terms.yml"
TERM_KEYS = ("preferred", "lang", "variants", "allowed", "why")
# Text quoted word for word (“…”) is the source's wording, not ours.
_QUOTED = re.compile(r"“[^”]*”")
_LOOSE_DATE = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/(\d{4})(?![\d/])")


# Compared by identity: a list of terms is the cache key of its screen (`_screen`), and
# comparing each term field by field on every lookup cost a fifth of the check.
@dataclass(frozen=True, eq=False)
class Term:
    preferred: str
    lang: str
    written: tuple[str, ...]  # the variants as the file writes them
    allowed: tuple[str, ...]
    why: str

    @cached_property
    def variants(self) -> tuple[re.Pattern[str], ...]:
        """Each variant as a whole word in any case, longest first: the first that matches
        is the one a warning names."""
        return tuple(_pattern(v) for v in sorted(self.written, key=len, reverse=True))

    @cached_property
    def allowances(self) -> tuple[re.Pattern[str], ...]:
        """The allowed phrases, taken out of a line in the file's order before the variants
        are looked for."""
        return tuple(re.compile(re.escape(a), re.IGNORECASE) for a in self.allowed)


def _either(phrases: Iterable[str]) -> str:
    """Any of the phrases, longest first, as literal text."""
    return "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))


def _whole_words(phrases: Iterable[str]) -> str:
    return rf"(?<!\w)(?:{_either(phrases)})(?!\w)"


def _pattern(variant: str) -> re.Pattern[str]:
    return re.compile(_whole_words([variant]), re.IGNORECASE)


def load_terms(path: Path) -> tuple[list[Term], list[ContentProblem]]:
    """The terms, or the problems that keep the file from being used (no file: no terms).
    The same file gives the same `Term` objects for as long as it does not change, so the
    warnings remembered against them (`term_warnings`) outlive one check."""
    if not path.is_file():
        return [], []
    terms, problems = _terms_of(path, path.read_text(encoding="utf-8"))
    return list(terms), list(problems)


@lru_cache(maxsize=8)
def _terms_of(path: Path, text: str) -> tuple[tuple[Term, ...], tuple[ContentProblem, ...]]:
    try:
        data = load_yaml(text)
    except YamlError as err:
        return (), (ContentProblem(path, err.line, err.message),)
    entries = data.get("terms") if isinstance(data, LineDict) else None
    if not isinstance(entries, LineList):
        return (), (ContentProblem(path, 1, "the terms file needs a 'terms' list"),)
    terms: list[Term] = []
    problems: list[ContentProblem] = []
    for index, entry in enumerate(entries):
        line = entries.line_of(index)
        if not isinstance(entry, LineDict):
            problems.append(ContentProblem(path, line, "a term is a mapping"))
            continue
        unknown = sorted(set(entry) - set(TERM_KEYS))
        variants = entry.get("variants")
        allowed = entry.get("allowed", [])
        if unknown:
            problems.append(ContentProblem(path, line, f"unknown key {unknown[0]!r} in a term"))
        elif (
            not isinstance(entry.get("preferred"), str)
            or entry.get("lang") not in ("vi", "en")
            or not isinstance(variants, list)
            or not all(isinstance(v, str) and v for v in variants)
            or not isinstance(allowed, list)
        ):
            problems.append(
                ContentProblem(
                    path, line, "a term needs 'preferred', 'lang' (vi or en) and 'variants'"
                )
            )
        else:
            terms.append(
                Term(
                    preferred=entry["preferred"],
                    lang=entry["lang"],
                    written=tuple(variants),
                    allowed=tuple(str(a) for a in allowed),
                    why=str(entry.get("why", "")),
                )
            )
    return tuple(terms), tuple(problems)


Warnings = tuple[tuple[int, str], ...]
# Texts whose warnings are remembered per list of terms and language: the shipped curriculum has
# some 3,000; past this many the memory starts again rather than grow with every edit.
_REMEMBERED_TEXTS = 20_000


@dataclass(frozen=True, eq=False)
class _Screen:
    """The language's terms, one search for any of their variants (as a whole word, as the
    terms' own patterns look for it) or allowed phrases, matching case as they do, and the
    warnings of the texts checked against them so far. A line the search finds nothing in has
    no allowed phrase to take out, so no variant can match there either. Most lines are such
    lines, and one search instead of one per variant (some 35 of them) took the check of the
    shipped curriculum from 0.45 s to 0.11–0.17 s; remembering each text's warnings makes every
    later check, sync or visit of the content page pay only for the texts that changed."""

    terms: tuple[Term, ...]
    pattern: re.Pattern[str] | None
    seen: dict[str, Warnings] = field(default_factory=dict)


@lru_cache(maxsize=8)
def _screen(terms: tuple[Term, ...], lang: str) -> _Screen:
    mine = tuple(term for term in terms if term.lang == lang)
    variants = {v for term in mine for v in term.written}
    allowed = {a for term in mine for a in term.allowed if a}
    if not variants:
        return _Screen(mine, None)
    found = _whole_words(variants)
    return _Screen(
        mine, re.compile(f"{found}|{_either(allowed)}" if allowed else found, re.IGNORECASE)
    )


def term_warnings(text: str, lang: str, terms: list[Term]) -> Warnings:
    """(line offset, message) for every variant and every loosely written date in text."""
    screen = _screen(tuple(terms), lang)
    found = screen.seen.get(text)
    if found is None:
        if len(screen.seen) >= _REMEMBERED_TEXTS:
            screen.seen.clear()
        found = screen.seen[text] = tuple(_warnings(text, screen.terms, screen.pattern))
    return found


def _warnings(
    text: str, mine: tuple[Term, ...], screen: re.Pattern[str] | None
) -> Iterator[tuple[int, str]]:
    for offset, line in enumerate(text.splitlines()):
        plain = _QUOTED.sub("", line)
        suspects = mine if screen is not None and screen.search(plain) else ()
        for term in suspects:
            checked = plain
            for allowance in term.allowances:
                checked = allowance.sub("", checked)
            match = next((m for v in term.variants if (m := v.search(checked))), None)
            if match:  # one warning per term and line: the longest variant that matched
                why = f" ({term.why})" if term.why else ""
                yield offset, f"write {term.preferred!r}, not {match[0]!r}{why}"
        for match in _LOOSE_DATE.finditer(plain):
            day, month, year = match.groups()
            if len(day) < 2 or len(month) < 2:
                yield (
                    offset,
                    (
                        f"write the date {match[0]} as dd/mm/yyyy: "
                        f"{int(day):02d}/{int(month):02d}/{year}"
                    ),
                )


def warning(path: Path, line: int, message: str) -> ContentProblem:
    return ContentProblem(path, line, message, Severity.WARNING)
