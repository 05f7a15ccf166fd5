"""The directive's clause map, the vocabulary every lesson and question cites."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from training.sources.yamlfile import load_yaml

# The directive's clause map, beside the courses that cite it.
CLAUSE_FILE = "clauses.yml"


@dataclass(frozen=True)
class Clause:
    id: str
    vi: str
    en: str
    required: bool

    def text(self, lang: str) -> str:
        return self.en if lang == "en" else self.vi


@cache
def _load(path: Path, mtime: float) -> dict[str, Clause]:
    data = load_yaml(path.read_text(encoding="utf-8"))
    return {
        str(key): Clause(
            str(key), str(value["vi"]), str(value["en"]), bool(value.get("required", False))
        )
        for key, value in data.items()
    }


def load_clauses(path: Path) -> dict[str, Clause]:
    """In the directive's order (the file's order); cached per file version."""
    return _load(path, path.stat().st_mtime)
