"""Field checks shared by course and quiz files: each finds problems and reports their line."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

from training.sources.problems import ContentProblem, Severity
from training.sources.yamlfile import LineDict, LineList
from training.text import nfc

LANGUAGES = ("vi", "en")


class FieldChecker:
    """Collects problems for one file while its fields are read."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[ContentProblem] = []

    def error(self, line: int, message: str) -> None:
        self.problems.append(ContentProblem(self.path, line, message))

    def warning(self, line: int, message: str) -> None:
        self.problems.append(ContentProblem(self.path, line, message, Severity.WARNING))

    def unknown_keys(self, data: LineDict, allowed: Collection[str], where: str = "") -> None:
        for key in data:
            if key not in allowed:
                self.error(data.line_of(key), f"unknown key {key!r}{where}")

    def text(self, data: LineDict, key: str, *, required: bool = True) -> str | None:
        value = data.get(key)
        if value is None:
            if required:
                self.error(data.line, f"missing {key!r}")
            return None
        if not isinstance(value, str) or not value.strip():
            self.error(data.line_of(key), f"{key!r} must be non-empty text")
            return None
        return nfc(value.strip())

    def translated(self, data: LineDict, key: str) -> dict[str, str]:
        """A {vi: …, en: …} field. A missing language is a warning: the other one is shown
        with a notice, and `content check` still fails until a translator fills it."""
        value = data.get(key)
        line = data.line_of(key)
        if value is None:
            self.error(data.line, f"missing {key!r}")
            return {}
        if not isinstance(value, LineDict):
            self.error(line, f"{key!r} must have a 'vi' and an 'en' text")
            return {}
        self.unknown_keys(value, LANGUAGES, f" in {key!r}")
        texts = {}
        for lang in LANGUAGES:
            text = value.get(lang)
            if isinstance(text, str) and text.strip():
                texts[lang] = nfc(text.strip())
            else:
                self.warning(
                    value.line_of(lang) if lang in value else line,
                    f"{key!r} has no {lang_name(lang)} text",
                )
        if not texts:
            self.error(line, f"{key!r} has no text in any language")
        return texts

    def positive_int(
        self, data: LineDict, key: str, *, default: int | None = None, maximum: int | None = None
    ) -> int | None:
        value = data.get(key, default)
        if value is None:
            self.error(data.line, f"missing {key!r}")
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or value < 1
            or (maximum is not None and value > maximum)
        ):
            limit = f" between 1 and {maximum}" if maximum else " above 0"
            self.error(data.line_of(key), f"{key!r} must be a whole number{limit}")
            return None
        return value

    def choice(self, data: LineDict, key: str, options: Iterable[str]) -> str | None:
        value = data.get(key)
        options = list(options)
        if value not in options:
            self.error(
                data.line_of(key) if key in data else data.line,
                f"{key!r} must be one of: {', '.join(options)}",
            )
            return None
        return str(value)

    def clause_ids(
        self, data: LineDict, key: str, known: Collection[str], *, required: bool = True
    ) -> list[str]:
        value = data.get(key)
        if value is None:
            if required:
                self.error(data.line, f"missing {key!r} (the directive clauses it teaches)")
            return []
        if not isinstance(value, LineList):
            self.error(data.line_of(key), f"{key!r} must be a list of clause IDs")
            return []
        ids = []
        for index, item in enumerate(value):
            clause = nfc(str(item))
            if clause not in known:
                self.error(value.line_of(index), f"unknown clause ID {clause!r}")
            else:
                ids.append(clause)
        return ids


def lang_name(lang: str) -> str:
    return {"vi": "Vietnamese", "en": "English"}[lang]


def as_mapping(checker: FieldChecker, data: Any, what: str) -> LineDict | None:
    if not isinstance(data, LineDict):
        checker.error(getattr(data, "line", 1), f"{what} must be a mapping of keys to values")
        return None
    return data
