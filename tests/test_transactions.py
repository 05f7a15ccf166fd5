"""A request that only read ends its transaction with COMMIT, so psycopg keeps the statements it
prepared; a write, a change not yet written or a failure still ends in ROLLBACK."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, event, select, text, update

from training.extensions import db
from training.org.models import Unit
from training.transactions import end_read_only_transaction


def _ending(action: Callable[[], object], exc: BaseException | None = None) -> str:
    """What the end of the app context did with the transaction `action` left open."""
    commits: list[Connection] = []

    def committed(connection: Connection) -> None:
        commits.append(connection)

    event.listen(db.engine, "commit", committed)
    try:
        action()
        end_read_only_transaction(exc)
    finally:
        event.remove(db.engine, "commit", committed)
    ending = (
        "commit" if commits else "left to roll back" if db.session().in_transaction() else "none"
    )
    db.session.rollback()
    return ending


def test_reads_end_in_commit(database, make_unit):
    make_unit("SNV")
    assert _ending(lambda: db.session.scalars(select(Unit)).all()) == "commit"
    assert _ending(lambda: db.session.execute(text("SELECT 1"))) == "commit"


def test_writes_changes_and_failures_are_left_to_roll_back(database, make_unit):
    unit_id = make_unit("SNV").id
    db.session.expire_all()
    rename = update(Unit).where(Unit.id == unit_id).values(name="Đổi tên")
    assert _ending(lambda: db.session.execute(rename)) == "left to roll back"
    assert _ending(lambda: db.session.execute(text("DELETE FROM units WHERE id = -1"))) == (
        "left to roll back"
    )

    def change_unflushed() -> None:
        db.session.get(Unit, unit_id).name = "Đổi tên"

    assert _ending(change_unflushed) == "left to roll back"

    def flush() -> None:
        change_unflushed()
        db.session.flush()

    assert _ending(flush) == "left to roll back"
    assert _ending(lambda: db.session.get(Unit, unit_id), RuntimeError()) == "left to roll back"
    assert db.session.get(Unit, unit_id).name != "Đổi tên"


def test_a_savepoint_rolled_back_does_not_hide_earlier_writes(database, make_unit):
    unit_id = make_unit("SNV").id

    def write_then_savepoint() -> None:
        db.session.execute(update(Unit).where(Unit.id == unit_id).values(name="Đổi tên"))
        savepoint = db.session.begin_nested()
        db.session.execute(select(Unit))
        savepoint.rollback()

    assert _ending(write_then_savepoint) == "left to roll back"


def test_a_committed_write_does_not_mark_the_reads_after_it(database, make_unit):
    unit_id = make_unit("SNV").id

    def write_commit_read() -> None:
        db.session.execute(update(Unit).where(Unit.id == unit_id).values(name="Đổi tên"))
        db.session.commit()
        db.session.get(Unit, unit_id)

    assert _ending(write_commit_read) == "commit"
