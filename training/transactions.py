"""A request that wrote nothing ends its transaction with COMMIT rather than ROLLBACK.

To the database the two are the same when nothing was written. To psycopg they are not: it
forgets every prepared statement at each ROLLBACK. It prepares a query the fifth time a
connection runs it, and every page ran each of its queries once per request and then rolled
back, so on PostgreSQL each query of every page was parsed and planned afresh on every request
(the status of required courses alone took 0.4 ms to plan, more than to run). Ended with COMMIT,
a connection keeps what it prepared and PostgreSQL plans each page's statements once per
connection. On SQLite nothing changes: its driver opens no transaction for a read.

Anything else still rolls back as before: a request that failed, a session holding changes it
has not written, and a transaction that sent anything but a SELECT (a flush, an UPDATE, a
text statement other than a SELECT), which the session notes as it goes.

Prepared statements need a direct connection or a session-mode pooler; behind PgBouncer in
transaction mode, set psycopg's `prepare_threshold` to None.
"""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import TextClause, event
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, UOWTransaction

from training.extensions import db

_WROTE = "khien.wrote"
_TEXT_SELECT = re.compile(r"\s*select\b", re.IGNORECASE)


@event.listens_for(Session, "do_orm_execute")
def _note_statement(state: ORMExecuteState) -> None:
    statement = state.statement
    if state.is_select or (
        isinstance(statement, TextClause) and _TEXT_SELECT.match(statement.text)
    ):
        return
    state.session.info[_WROTE] = True


@event.listens_for(Session, "after_flush")
def _note_flush(session: Session, flush: UOWTransaction) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: SessionTransaction) -> None:
    """Only when the whole transaction ends: a savepoint rolled back undoes its own writes,
    not those made before it."""
    if transaction.parent is None:
        session.info.pop(_WROTE, None)


def end_read_only_transaction(exc: BaseException | None = None) -> None:
    """At the end of the app context, before the session is removed (and rolled back)."""
    if exc is not None or not db.session.registry.has():
        return
    session = db.session()
    if not session.in_transaction() or session.info.get(_WROTE):
        return
    if session.new or session.dirty or session.deleted:
        return
    session.commit()


def init_transactions(app: Flask) -> None:
    """After `db.init_app`: app-context teardowns run last registered first, so this runs
    before Flask-SQLAlchemy's, which removes the session."""
    app.teardown_appcontext(end_read_only_transaction)
