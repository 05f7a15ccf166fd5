"""What `content check` reports: one problem per line, as `path:line: message`.

Errors stop a course or quiz from loading (the site keeps serving the version it had); warnings
(a missing translation) let it load, with the other language shown and a visible notice, but
still make `content check` fail, so nothing ships half-translated unnoticed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class ContentProblem:
    path: Path
    line: int
    message: str
    severity: Severity = Severity.ERROR

    def render(self, root: Path | None = None) -> str:
        path = self.path
        if root is not None and path.is_relative_to(root):
            path = path.relative_to(root)
        prefix = "warning: " if self.severity == Severity.WARNING else ""
        return f"{path}:{self.line}: {prefix}{self.message}"


def has_errors(problems: list[ContentProblem]) -> bool:
    return any(p.severity == Severity.ERROR for p in problems)
