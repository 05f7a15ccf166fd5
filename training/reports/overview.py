"""The figures a summary shows at the top of a page, a workbook or a snapshot."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime


def pct(done: int, required: int) -> float | None:
    """coverage_pct: one decimal, rounded half up, None (an empty cell) where nothing was
    required."""
    return None if required == 0 else math.floor(1000 * done / required + 0.5) / 10


@dataclass(frozen=True)
class Overview:
    """One scope (the province, or one unit with its sub-units) on one day."""

    as_of: date
    scope_code: str | None  # None: the whole province
    scope_name: str
    generated_at: datetime
    staff: int
    priority_staff: int
    required: int
    completed: int
    in_progress: int
    not_started: int
    overdue: int
    staff_fully_trained: int
    priority_required: int
    priority_completed: int
    units_below_target: int = 0
    checksum: str | None = None  # a frozen snapshot's SHA-256

    @property
    def coverage_pct(self) -> float | None:
        return pct(self.completed, self.required)

    @property
    def priority_coverage_pct(self) -> float | None:
        return pct(self.priority_completed, self.priority_required)
