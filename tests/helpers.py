"""What tests share besides fixtures: constants, signing a test client in, the sample content,
snapshots of slow-to-build database states.

Imported by test modules as `tests.helpers`; `conftest.py` holds only fixtures and hooks.
"""

from __future__ import annotations

import dataclasses
import shutil
import unicodedata
from collections.abc import Callable, Hashable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask, current_app
from flask.testing import FlaskClient
from sqlalchemy import Column, Table, func, inspect, select
from sqlalchemy import text as sql
from sqlalchemy.exc import NoInspectionAvailable
from sqlalchemy.orm import InstanceState

from training.extensions import db

PASSWORD = "mật-khẩu-thử-nghiệm"
TODAY = date(2026, 11, 25)

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_CONTENT = Path(__file__).resolve().parent / "fixtures" / "content"


def sign_in(client: FlaskClient, username: str, password: str = PASSWORD) -> None:
    response = client.post("/auth/login", data={"username": username, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)


def ready_for_the_sample_quiz(app: Flask, username: str) -> FlaskClient:
    """A signed-in client that has read every lesson of the sample course: its quiz opens."""
    client = app.test_client()
    sign_in(client, username)
    for key in ("01-intro", "02-email"):
        client.post(f"/courses/sample/lessons/{key}/read")
    return client


def copy_sample_content(dest: Path) -> Path:
    """The sample course and quiz, with the real clause map, in a folder a test may edit."""
    shutil.copytree(SAMPLE_CONTENT, dest)
    shutil.copy(ROOT / "courses" / "clauses.yml", dest / "courses" / "clauses.yml")
    return dest


_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")


def cp1258(text: str) -> bytes:
    """Text as Windows-1258 stores it, as Excel on a Vietnamese Windows saves "CSV": letters with
    their vowel marks (â, ơ, ư…) precomposed, tone marks as separate combining characters."""
    out = []
    for ch in text:
        try:
            out.append(ch.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", ch)
        vowel = unicodedata.normalize(
            "NFC", base + "".join(m for m in marks if m not in _TONE_MARKS)
        )
        out.append((vowel + "".join(m for m in marks if m in _TONE_MARKS)).encode("cp1258"))
    return b"".join(out)


Rows = dict[str, list[dict[str, Any]]]  # table name -> its rows, as column -> value
T = TypeVar("T")


class Snapshots:
    """Database states that are slow to build (the demo province, with the curriculum loaded)
    are built once per run, by the first test that asks, and put back for the next ones: every
    row of every table, kept in memory. Putting rows back works alike on SQLite and PostgreSQL,
    and into the very database the session app is connected to (copying a file or restoring a
    dump would have to go behind its pool). A build that fails keeps nothing."""

    def __init__(self) -> None:
        self._taken: dict[Hashable, Rows] = {}
        self._values: dict[Hashable, Any] = {}

    def use(self, key: Hashable, build: Callable[[], object]) -> None:
        """Into the database the `database` fixture just wiped: the state `build` makes, for a
        `key` naming everything it depends on besides the content folders the app reads."""
        self.keep(key, build)

    def keep(self, key: Hashable, build: Callable[[], T]) -> T:
        """`use`, for a fixture that hands its test the rows it made (a dataclass, dict, list
        or tuple of them): after the first test the rows are put back and the same structure
        is handed out with each row read afresh by its primary key. `build` must start from
        an empty database and name every row it makes (an unnamed person would take the
        username the factory gives the test's own first one)."""
        config = current_app.config
        key = (key, config["COURSES_DIR"], config["QUIZZES_DIR"])
        rows = self._taken.get(key)
        if rows is None:
            value = build()
            db.session.commit()
            self._taken[key] = _all_rows()
            self._values[key] = _by_identity(value)
            return value
        _put_back(rows)
        return _read_afresh(self._values[key])  # type: ignore[no-any-return]


@dataclasses.dataclass(frozen=True)
class _Row:
    cls: type
    identity: tuple[Any, ...]


@dataclasses.dataclass(frozen=True)
class _Fields:
    cls: type
    values: dict[str, Any]


def _by_identity(value: Any) -> Any:
    """The value with every mapped object replaced by its class and primary key."""
    try:
        state = inspect(value)
    except NoInspectionAvailable:
        state = None
    if isinstance(state, InstanceState):
        if state.identity is None:
            raise ValueError(f"{value!r} was never written: no test could read it back")
        return _Row(type(value), state.identity)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = dataclasses.fields(value)
        return _Fields(type(value), {f.name: _by_identity(getattr(value, f.name)) for f in fields})
    if isinstance(value, dict):
        return {k: _by_identity(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_by_identity(v) for v in value)
    return value


def _read_afresh(value: Any) -> Any:
    if isinstance(value, _Row):
        return db.session.get(value.cls, value.identity)
    if isinstance(value, _Fields):
        return value.cls(**{k: _read_afresh(v) for k, v in value.values.items()})
    if isinstance(value, dict):
        return {k: _read_afresh(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_read_afresh(v) for v in value)
    return value


def _all_rows() -> Rows:
    return {
        table.name: [
            dict(row)
            for row in db.session.execute(
                select(table).order_by(*table.primary_key.columns)
            ).mappings()
        ]
        for table in db.metadata.sorted_tables
    }


def _put_back(rows: Rows) -> None:
    for table in db.metadata.sorted_tables:
        if rows[table.name]:
            db.session.execute(table.insert(), _parents_first(table, rows[table.name]))
    if db.engine.dialect.name == "postgresql":
        for table in db.metadata.sorted_tables:
            for column in table.primary_key.columns:
                _advance_sequence(table, column)
    db.session.commit()


def _parents_first(table: Table, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Foreign keys are checked row by row: a unit must be in before the units under it, or
    merged into it, and a unit can end up under one made after it (a province merger)."""
    links = [
        (fk.parent.name, fk.column.name) for fk in table.foreign_keys if fk.column.table is table
    ]
    if not links:
        return rows
    by_value = {target: {row[target]: row for row in rows} for _, target in links}
    ordered: list[dict[str, Any]] = []
    placed: set[int] = set()

    def place(row: dict[str, Any]) -> None:
        if id(row) in placed:
            return
        placed.add(id(row))
        for source, target in links:
            parent = by_value[target].get(row[source])
            if parent is not None:
                place(parent)
        ordered.append(row)

    for row in rows:
        place(row)
    return ordered


def _advance_sequence(table: Table, column: Column[Any]) -> None:
    """Rows came back with their ids, behind the sequence's back; it must never hand one out
    again. It only moves forward, as it does between tests that wipe the tables."""
    sequence = db.session.scalar(
        sql("SELECT pg_get_serial_sequence(:table, :column)"),
        {"table": table.name, "column": column.name},
    )
    top = db.session.scalar(select(func.max(column))) if sequence else None
    if top is not None:
        db.session.execute(
            sql(
                "SELECT setval(CAST(:sequence AS regclass), "
                "GREATEST(nextval(CAST(:sequence AS regclass)), :top))"
            ),
            {"sequence": sequence, "top": top},
        )
