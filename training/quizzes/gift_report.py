"""What the GIFT converters report: one line per question left out, per loss or change in a
converted one, and per thing an author should know; the outcome decides the exit status."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Outcome(StrEnum):
    LEFT_OUT = "not converted"  # the question is not in the quiz file
    CHANGED = "changed"  # it is, but something a Moodle learner saw or scored is not kept
    NOTE = "note"  # nothing is lost; an author should still know


@dataclass(frozen=True)
class GiftProblem:
    line: int
    message: str
    outcome: Outcome = Outcome.LEFT_OUT


@dataclass
class Report:
    problems: list[GiftProblem] = field(default_factory=list)

    def add(self, line: int, message: str, outcome: Outcome) -> None:
        self.problems.append(GiftProblem(line, message, outcome))
