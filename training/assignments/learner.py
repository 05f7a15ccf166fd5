"""The deadlines of the courses required of a learner, for the cards of their home page and of
"My courses" (`courses.deadlines`): the same status statement as the officer's grid, so the
learner and their officer never read two different answers, joined to the card query."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from training.assignments.status import (
    PairStatus,
    Status,
    one_person_params,
    one_person_statement,
    status_of,
)
from training.courses.deadlines import CardDeadline, DeadlineSource, Standing
from training.org.models import Person

STANDINGS = {
    Status.OVERDUE: Standing.OVERDUE,
    Status.EXPIRED: Standing.EXPIRED,
    Status.NOT_STARTED: Standing.DUE,
    Status.IN_PROGRESS: Standing.DUE,
    Status.EXPIRING: Standing.EXPIRING,
    Status.COMPLETED: Standing.DONE,
}


def card_deadline(pair: PairStatus) -> CardDeadline:
    return CardDeadline(
        STANDINGS[pair.status],
        pair.due_on,
        (pair.due_on - pair.day).days,
        pair.valid_until,
        pair.last_until if pair.status == Status.EXPIRED else None,
    )


def _params(person: Person, today: date) -> dict[str, Any]:
    return one_person_params(person.id, today)


def _read(facts: Sequence[Any], person: Person, today: date) -> CardDeadline | None:
    course_id, due_on, valid_until, last_until, status = facts
    if status is None:  # not required of the person
        return None
    return card_deadline(
        PairStatus(person.id, course_id, due_on, valid_until, last_until, status_of(status), today)
    )


def card_deadlines() -> DeadlineSource:
    """Built once, when the blueprint is registered: the person's pairs and their status."""
    facts = one_person_statement().subquery("card_deadlines")
    columns = ("course_id", "due_on", "valid_until", "last_until", "status")
    return DeadlineSource(facts, columns, _params, _read)
