"""Scoring one answer. Pure functions: the same frozen question and answer always give the
same points, which is what makes an attempt's grade reproducible."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from training.quizzes.models import QuestionType


def correct_indexes(payload: dict[str, Any]) -> set[int]:
    return {i for i, choice in enumerate(payload["choices"]) if choice["correct"]}


def points_for(
    kind: QuestionType, payload: dict[str, Any], selected: Sequence[int], *, partial_credit: bool
) -> float:
    """1 for right, 0 for wrong. A multiple-answer question is all or nothing unless the quiz
    allows partial credit; then each right choice ticked earns its share and each wrong
    choice ticked takes one share away, never below zero — ticking everything earns
    nothing."""
    right = correct_indexes(payload)
    chosen = set(selected)
    if kind != QuestionType.MULTIPLE or not partial_credit:
        return 1.0 if chosen == right else 0.0
    share = 1.0 / len(right)
    earned = share * len(chosen & right) - share * len(chosen - right)
    return max(0.0, round(earned, 4))


def percent(points: Sequence[float]) -> int:
    """Rounded down, so 79.9 % does not pass a mark of 80."""
    if not points:
        return 0
    return int(100 * sum(points) / len(points) + 1e-9)
