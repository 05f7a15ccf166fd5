"""`{{province.NAME}}` in lessons and questions: what only the province can say.

Where to report an incident, which body issues signing devices, the name and address of the
document system: these differ by province and change with reorganisations, so the course files
name them and the site fills them in from the settings the ICT admin keeps (`org.province`).
This module is the syntax and the list of names; it knows nothing of the values, so `content
check` can refuse an unknown name without a database.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

# The names a course may use, in the order the settings page lists them.
NAMES: tuple[str, ...] = (
    "name",
    "incident_body",
    "incident_phone",
    "incident_email",
    "incident_form",
    "security_body",
    "signature_body",
    "document_system",
    "document_system_url",
    "mail_system",
    "mail_domain",
    "ict_department",
)

PREFIX = "{{province."
# Anything between double braces is meant as a placeholder: a typo must be caught, not shown.
_BRACES = re.compile(r"\{\{\s*(.*?)\s*\}\}")
_NAME = re.compile(r"province\.([a-z0-9_]+)")


def names_in(text: str) -> Iterator[tuple[int, str]]:
    """(line offset, what is between the braces) for every placeholder-like mark in text."""
    for number, line in enumerate(text.splitlines()):
        for match in _BRACES.finditer(line):
            yield number, match[1]


def problem_with(inside: str) -> str | None:
    """Why a `{{…}}` mark is not a placeholder the site can fill, or None when it is."""
    match = _NAME.fullmatch(inside)
    if match is None:
        return f"{{{{{inside}}}}} is not a placeholder: write {{{{province.NAME}}}}"
    if match[1] not in NAMES:
        return f"unknown province setting {match[1]!r}: known names are {', '.join(NAMES)}"
    return None


def used_names(text: str) -> set[str]:
    """The valid names a text uses (for "where is this setting used")."""
    found = set()
    for _line, inside in names_in(text):
        match = _NAME.fullmatch(inside)
        if match and match[1] in NAMES:
            found.add(match[1])
    return found


def fill(text: str, value_of: Callable[[str], str]) -> str:
    """Each `{{province.NAME}}` replaced by `value_of(NAME)`; text without one comes back as it
    is, so a page whose lesson names no setting does no work."""
    if "{{" not in text:
        return text

    def replace(match: re.Match[str]) -> str:
        name = _NAME.fullmatch(match[1])
        if name is None or name[1] not in NAMES:
            return match[0]
        return value_of(name[1])

    return _BRACES.sub(replace, text)
