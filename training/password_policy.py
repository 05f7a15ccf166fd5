"""Which passwords Khiên accepts, following NIST SP 800-63B-4 section 3.1.1.2.

A password is the only factor here, so it needs at least 15 characters, and at least 64 must be
allowed (we allow 256). Length is counted in Unicode code points after NFC normalisation, so
"ữ" typed precomposed or as "u" plus two combining marks counts once. Any character is allowed:
spaces, Vietnamese letters, emoji. There are deliberately NO composition rules ("one upper-case
letter, one digit, one symbol"): the standard forbids them. Instead a new password is compared
against a blocklist of "commonly used, expected, or compromised" passwords, and the person is told
why it was refused. The blocklist has three parts, each with its own message:

1. Common and breached passwords: Django's list of about 20,000 (see data/README.md), compared
   case-insensitively, with and without Vietnamese diacritics ("pässwörd" and "password" alike).
   People meet a length rule by decorating a listed word, so the check also looks at the core of
   the password:
   - the *letter core* (leading and trailing digits, symbols and spaces removed: "2024password12!"
     gives "password") and the *alphanumeric core* (only symbols and spaces removed: "123456!!!"
     gives "123456", "password1!!!" gives "password1");
   - each of these also without inner spaces, dots, dashes and underscores ("i love you 2024"
     gives "iloveyou") and reduced to its repeating unit ("passwordpassword1" gives "password").
   Only a core of at least 4 characters counts. The list also holds "a" and "123"; without that
   floor the core "x" of a random "9@3!x#8273!@991" would be refused. Decorations are not judged:
   digits a person adds to a word are nearly always a year, a birthday or a phone number, so
   "monkey0912345678" is refused as readily as "password12345678!". A password manager's random
   output never reduces to a listed word, so it is unaffected.
2. Context words: the username, its parts split on ".", "_" and "-", the words of the full name
   (folded, so with or without diacritics) and the site name "khien". The password is refused when
   its letters, once digits, symbols and spaces are dropped, are nothing but those words in any
   order or number: "khang.le12345678", "nguyenvanan12345", "An1990 Nguyễn!".
3. Predictable patterns: runs of 3 or more repeated, alphabetical, numerical (9 is followed by 0)
   or keyboard characters (rows "qwertyuiopasdfgh...", columns "1qaz2wsx...", "1q2w3e..."), in
   either direction, and any stretch that repeats a unit shorter than 15 characters at least
   twice ("abcabc", "ha ha ha "). The password is refused when at most 3 of its characters lie
   outside such runs: "aaaaaaaaaaaaaaa", "123456789012345", "qwertyuiopasdfgh", "god123456789012".

Input longer than MAX_LENGTH gets only the too-long message: it is refused whatever else is true,
and the pattern checks need not run on whatever size a client cares to send.

The functions are pure (no database). Messages are translated with Flask-Babel's `gettext`, so
call them inside an app or request context to get the reader's language.
"""

from __future__ import annotations

import gzip
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from importlib import resources
from itertools import pairwise
from typing import Literal

from flask_babel import gettext

from training.text import fold

MIN_LENGTH = 15
MAX_LENGTH = 256

SITE_WORDS = ("khien",)
BLOCKLIST_RESOURCE = "data/common-passwords.txt.gz"

# A core shorter than this is not looked up: the list holds very short entries ("a", "123").
_MIN_CORE = 4
# A password is "predictable" when at most this many characters fall outside predictable runs.
_MAX_FREE = 3
_MIN_RUN = 3

# Sequences people walk along, lower-case (passwords are case-folded before the check). Each is
# also walked backwards. Digits wrap around: "1234567890" is a single run.
_DIGITS = "0123456789"
_SEQUENCES = (
    "abcdefghijklmnopqrstuvwxyz",
    "qwertyuiopasdfghjklzxcvbnm",  # keyboard rows, left to right, top to bottom
    "1234567890-=",
    "!@#$%^&*()_+",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/",  # keyboard columns
    "qazwsxedcrfvtgbyhnujmik,ol.p;/",
    "1q2w3e4r5t6y7u8i9o0p",
    "q1w2e3r4t5y6u7i8o9p0",
)
_SEPARATORS = re.compile(r"[\s._\-]+")
_NAME_SPLIT = re.compile(r"[\W_]+")

Verdict = Literal["listed", "variant"]


def _successor_maps() -> tuple[dict[str, str], ...]:
    maps: list[dict[str, str]] = []
    for sequence in (_DIGITS + _DIGITS[0], *_SEQUENCES):
        for walk in (sequence, sequence[::-1]):
            maps.append(dict(pairwise(walk)))
    return tuple(maps)


_SUCCESSORS = _successor_maps()


@cache
def blocklist() -> frozenset[str]:
    """The common and breached passwords, case-folded; read from the package once per process."""
    resource = resources.files("training").joinpath(BLOCKLIST_RESOURCE)
    text = gzip.decompress(resource.read_bytes()).decode("utf-8")
    return frozenset(entry for line in text.splitlines() if (entry := line.strip().casefold()))


def password_problems(
    password: str, *, username: str | None = None, full_name: str | None = None
) -> list[str]:
    """Every reason, as a translated sentence, why `password` may not be chosen by the person
    with this username and full name; an empty list when it is acceptable."""
    password = unicodedata.normalize("NFC", password)
    length = len(password)
    if length > MAX_LENGTH:
        return [gettext("A password can have at most %(num)d characters.", num=MAX_LENGTH)]
    problems: list[str] = []
    if length < MIN_LENGTH:
        problems.append(gettext("A password needs at least %(num)d characters.", num=MIN_LENGTH))
    if not password:
        return problems
    verdict = blocklist_verdict(password)
    if verdict == "listed":
        problems.append(
            gettext(
                "This password is on a list of common and leaked passwords, which attackers "
                "try first."
            )
        )
    elif verdict == "variant":
        problems.append(
            gettext(
                "This password is a common or leaked password with only digits, symbols, "
                "spaces or repetition added; attackers try such variants first."
            )
        )
    if is_context_only(password, username=username, full_name=full_name):
        problems.append(
            gettext(
                "This password is made only of your username, your name or the site's name, "
                "perhaps with digits or symbols, so others can guess it."
            )
        )
    if is_predictable(password):
        problems.append(
            gettext(
                "This password is mostly repeated, sequential or keyboard-row characters such as "
                '"aaaa", "1234" or "qwerty", which are easy to guess.'
            )
        )
    return problems


# --- 1. The list of common and breached passwords -------------------------------------------


def blocklist_verdict(password: str) -> Verdict | None:
    """ "listed" when the password itself is on the blocklist, "variant" when its core is (see
    the module docstring), None otherwise."""
    words = blocklist()
    forms = {password.casefold(), fold(password)}
    if not forms.isdisjoint(words):
        return "listed"
    for form in forms:
        for core in _cores(form):
            if len(core) >= _MIN_CORE and core in words:
                return "variant"
    return None


def _cores(form: str) -> Iterator[str]:
    for core in (form, _strip(form, str.isalpha), _strip(form, str.isalnum)):
        for variant in (core, _SEPARATORS.sub("", core)):
            yield variant
            yield _repeating_unit(variant)


def _strip(text: str, keep: Callable[[str], bool]) -> str:
    """`text` without the leading and trailing characters for which `keep` is false."""
    start, end = 0, len(text)
    while start < end and not keep(text[start]):
        start += 1
    while end > start and not keep(text[end - 1]):
        end -= 1
    return text[start:end]


def _repeating_unit(text: str) -> str:
    """The shortest string that `text` repeats a whole number of times: "abab" gives "ab"."""
    size = len(text)
    for period in range(1, size // 2 + 1):
        if size % period == 0 and text == text[:period] * (size // period):
            return text[:period]
    return text


# --- 2. Context words -------------------------------------------------------------------------


def context_words(*, username: str | None, full_name: str | None) -> frozenset[str]:
    """The words a guesser who knows the account would try, folded to plain lower-case letters."""
    pieces: list[str] = list(SITE_WORDS)
    if username:
        pieces.append(username)
        pieces.extend(re.split(r"[._\-]+", username))
    if full_name:
        pieces.extend(_NAME_SPLIT.split(unicodedata.normalize("NFC", full_name)))
    return frozenset(word for piece in pieces if (word := _letters(piece)))


def is_context_only(
    password: str, *, username: str | None = None, full_name: str | None = None
) -> bool:
    """True when the password's letters are nothing but context words, in any order or number."""
    letters = _letters(password)
    return bool(letters) and _segments(
        letters, context_words(username=username, full_name=full_name)
    )


def _letters(text: str) -> str:
    return "".join(ch for ch in fold(text) if ch.isalpha())


def _segments(text: str, words: Iterable[str]) -> bool:
    """Whether `text` is a concatenation of `words` (each usable any number of times)."""
    vocabulary = {word for word in words if word}
    reachable = [True] + [False] * len(text)
    for end in range(1, len(text) + 1):
        reachable[end] = any(
            reachable[end - len(word)] and text.endswith(word, 0, end)
            for word in vocabulary
            if len(word) <= end
        )
    return reachable[-1]


# --- 3. Repeated and sequential characters ------------------------------------------------------


def is_predictable(password: str) -> bool:
    """True when at most 3 characters of the password lie outside repeated or sequential runs
    (and the runs are the larger part)."""
    text = password.casefold()
    covered = _covered(text)
    inside = sum(covered)
    outside = len(text) - inside
    return inside >= _MIN_RUN and outside <= _MAX_FREE and outside < inside


def _covered(text: str) -> list[bool]:
    """For each character, whether it is part of a predictable run."""
    size = len(text)
    covered = [False] * size

    def mark(start: int, end: int) -> None:
        covered[start:end] = [True] * (end - start)

    for successor in _SUCCESSORS:
        start = 0
        for index in range(1, size + 1):
            if index < size and successor.get(text[index - 1]) == text[index]:
                continue
            if index - start >= _MIN_RUN:
                mark(start, index)
            start = index
    # Stretches repeating a unit of `period` characters at least twice: text[i] == text[i + period]
    # holds along the whole stretch but for its last unit.
    for period in range(1, min(MIN_LENGTH - 1, size // 2) + 1):
        start = 0
        for index in range(size - period + 1):
            if index < size - period and text[index] == text[index + period]:
                continue
            stretch = index - start + period
            if stretch >= max(2 * period, _MIN_RUN):
                mark(start, start + stretch)
            start = index + 1
    return covered
