"""Text hygiene for Vietnamese input.

The same name typed on two keyboards can arrive in two Unicode forms (precomposed "ễ" or "e" plus
combining marks); stored unnormalised they would not compare equal, so every text field is
normalised to NFC on the way in. Search keys drop the diacritics so "nguyen van" finds
"Nguyễn Văn" on SQLite as well as PostgreSQL.
"""

from __future__ import annotations

import unicodedata


def nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def nfc_strip(value: object) -> object:
    """WTForms filter: NFC-normalise and trim strings, pass anything else through."""
    if isinstance(value, str):
        return nfc(value).strip()
    return value


def fold(value: str) -> str:
    """Lower-case, diacritic-free form used for search; "đ" has no decomposition, so map it."""
    decomposed = unicodedata.normalize("NFD", value.casefold().replace("đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# Control characters (Cc), format characters such as zero-width spaces and bidi overrides (Cf),
# surrogates, private-use and unassigned code points: none belongs in a name shown to others.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})


def has_invisible_characters(value: str) -> bool:
    """True when text would not read as what it is: it holds a control, invisible or
    direction-changing character (U+202E turns "gnp.exe" into "exe.png"), or nothing visible
    at all. Ordinary spaces inside are fine."""
    if not value.strip():
        return True
    return any(unicodedata.category(ch) in _INVISIBLE_CATEGORIES for ch in value)
