"""The deadlines of the courses required of a learner, for the cards of their home page and of
"My courses" (`courses.deadlines`): one query, the same status statement as the officer's grid,
so the learner and their officer never read two different answers."""

from __future__ import annotations

from datetime import date

from training.assignments.status import PairStatus, Status, statuses_of
from training.courses.deadlines import CardDeadline, Standing
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


def card_deadlines(person: Person, today: date) -> dict[int, CardDeadline]:
    return {pair.course_id: card_deadline(pair) for pair in statuses_of(person.id, today)}
