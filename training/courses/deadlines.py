"""Deadlines on the learner's course cards, and the order they put the cards in.

Which courses are open to a learner is for courses to say; which of them are required, and by
when, belongs to assignments, which imports courses and not the other way round. So the
assignments blueprint adds a deadline source to the app when it is registered (as quizzes add
their panel to the course page): SQL that the card query joins, so a learner's cards and their
deadlines come in one statement (`courses.services.courses_for`). The home page and "My
courses" then shelve the cards: what is to do first, by deadline (a priority course first:
only priority staff see one, D2); then what is done, the soonest to expire first; then what
is open to the learner without being required.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from flask.sansio.app import App
from sqlalchemy.sql.selectable import Subquery

from training.org.models import Person

if TYPE_CHECKING:
    from training.courses.services import CourseCard

EXTENSION = "khien.card_deadlines"


class Standing(enum.StrEnum):
    """What a card says of a required course (and its CSS modifier)."""

    DUE = "due"  # to do; the deadline is today or ahead
    OVERDUE = "overdue"
    EXPIRED = "expired"  # completed once, no longer valid: to take again
    EXPIRING = "expiring"  # completed; valid for less than a month more
    DONE = "done"

    @property
    def is_to_do(self) -> bool:
        return self in (Standing.DUE, Standing.OVERDUE, Standing.EXPIRED)


@dataclass(frozen=True)
class CardDeadline:
    standing: Standing
    due_on: date
    days_left: int  # until the deadline; negative when it has passed
    valid_until: date | None = None  # of the completion in force
    expired_on: date | None = None  # the last day the latest completion was valid

    @property
    def sort_day(self) -> date:
        """An expired course has been due again since its completion lapsed."""
        if self.standing == Standing.EXPIRED and self.expired_on is not None:
            return self.expired_on
        return self.due_on


@dataclass(frozen=True, eq=False)
class DeadlineSource:
    """A domain's deadlines as SQL: `facts` has a `course_id` column and the `columns` that
    `read` makes a deadline of (None: not required), for the person and day whose values
    `params` gives the bound parameters of `facts`. Joined to the card query rather than asked
    apart, they cost the home page and "My courses" no statement of their own."""

    facts: Subquery
    columns: tuple[str, ...]
    params: Callable[[Person, date], dict[str, Any]]
    read: Callable[[Sequence[Any], Person, date], CardDeadline | None]


def add_deadline_source(app: App, source: DeadlineSource) -> None:
    app.extensions.setdefault(EXTENSION, []).append(source)


def deadline_sources(app: App) -> tuple[DeadlineSource, ...]:
    return tuple(app.extensions.get(EXTENSION, ()))


@dataclass(frozen=True)
class Shelves:
    to_do: Sequence[CourseCard]
    done: Sequence[CourseCard]
    other: Sequence[CourseCard]  # open to the learner, not required

    @property
    def next(self) -> CourseCard | None:
        return self.to_do[0] if self.to_do else None

    @property
    def is_empty(self) -> bool:
        return not (self.to_do or self.done or self.other)


def shelve(cards: Sequence[CourseCard]) -> Shelves:
    """Cards keep the catalogue's order (`courses_for`) within the shelf of what is open."""
    to_do: list[tuple[CardDeadline, CourseCard]] = []
    done: list[tuple[CardDeadline, CourseCard]] = []
    other: list[CourseCard] = []
    for card in cards:
        if card.deadline is None:
            other.append(card)
        else:
            (to_do if card.deadline.standing.is_to_do else done).append((card.deadline, card))
    to_do.sort(
        key=lambda pair: (not pair[1].is_priority, pair[0].sort_day, pair[1].course.position)
    )
    done.sort(key=lambda pair: (pair[0].valid_until or pair[0].due_on, pair[1].course.position))
    return Shelves([card for _d, card in to_do], [card for _d, card in done], other)
