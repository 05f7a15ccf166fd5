"""What the organisation services changed in the current transaction, and who follows it.

Some data is derived from the organisation: within org, whether a unit lies in a key
department's subtree (`Unit.in_key_subtree`); above it, the requirements that assignments put on
the people of a unit, an audience or a key department. All of it must follow every change the
org services make, in the same transaction, without the org layer knowing who derives what. So
each service notes here what it changed, on the session; just before the commit, org brings its
own derived column up to date, then hands the note to each follower registered with
`follow_changes`, in order. A rolled-back transaction drops the note with everything else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import event, exists, update
from sqlalchemy.orm import Session, aliased

from training.extensions import db
from training.org.models import Unit

_KEY = "khien.org_changes"


@dataclass
class Changes:
    """People whose unit, flags or activity changed, or the whole tree (`tree`): a moved,
    merged or retired unit or a key-department flag changes the targets of many people at once.
    `today` is the day the changes take effect (the latest, if several were noted)."""

    today: date
    people: set[int] = field(default_factory=set)
    tree: bool = False


Follower = Callable[[Changes], None]
_followers: list[Follower] = []


def follow_changes(follower: Follower) -> Follower:
    """Register a function called with the changes before each commit that has some."""
    if follower not in _followers:
        _followers.append(follower)
    return follower


def _changes(today: date) -> Changes:
    changes: Changes | None = db.session.info.get(_KEY)
    if changes is None:
        changes = db.session.info[_KEY] = Changes(today)
    changes.today = max(changes.today, today)
    return changes


def note_people(person_ids: Iterable[int], *, today: date) -> None:
    _changes(today).people.update(person_ids)


def note_tree(*, today: date) -> None:
    _changes(today).tree = True


def refresh_key_subtrees(session: Session) -> None:
    """One UPDATE over the tree: a unit is in a key subtree when it or any ancestor is a key
    department (paths hold digits and slashes only, so the prefix test needs no escaping)."""
    key = aliased(Unit)
    session.execute(
        update(Unit).values(
            in_key_subtree=exists().where(
                key.is_key_department.is_(True), Unit.path.startswith(key.path)
            )
        ),
        execution_options={"synchronize_session": False},
    )


@event.listens_for(Session, "before_commit")
def _derive_before_commit(session: Session) -> None:
    session.flush()
    changes: Changes | None = session.info.pop(_KEY, None)
    if changes is None:
        return
    if changes.tree:
        refresh_key_subtrees(session)
        session.expire_all()
    for follower in _followers:
        follower(changes)


@event.listens_for(Session, "after_rollback")
def _forget_on_rollback(session: Session) -> None:
    session.info.pop(_KEY, None)
