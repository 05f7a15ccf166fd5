"""Database plumbing shared by every domain.

A constraint naming convention lets migrations drop constraints by name on both SQLite and
PostgreSQL. `UTCDateTime` keeps datetimes tz-aware: SQLite has no time zone type and would hand
back naive values that compare wrongly with `utcnow()`.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Date, DateTime, Enum, MetaData, event
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, InstrumentedAttribute
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class vn_day(FunctionElement[Any]):
    """SQL: the Vietnamese calendar day of a UTC timestamp column. A lesson read at 23:30 in
    Hà Nội is that day's, though UTC already says the next; Việt Nam keeps no summer time, so
    seven hours is exact on SQLite, which has no time zones."""

    type = Date()
    inherit_cache = True

    def __init__(self, column: ColumnElement[Any] | InstrumentedAttribute[Any]) -> None:
        super().__init__(column)


@compiles(vn_day)
def _vn_day_postgresql(element: vn_day, compiler: SQLCompiler, **kw: Any) -> str:
    return (
        f"CAST(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'Asia/Ho_Chi_Minh' AS DATE)"
    )


@compiles(vn_day, "sqlite")
def _vn_day_sqlite(element: vn_day, compiler: SQLCompiler, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, '+7 hours')"


def str_enum(enum_class: type[enum.Enum]) -> Enum:
    """Enums stored as their string values in a VARCHAR: readable in SQL, portable, and a new
    member needs no ALTER TYPE migration on PostgreSQL."""
    return Enum(
        enum_class,
        native_enum=False,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


@event.listens_for(Engine, "connect")
def _tune_sqlite(dbapi_connection: Any, connection_record: Any) -> None:
    """WAL lets readers work while a writer commits; the busy timeout makes a second writer wait
    instead of failing at once; SQLite enforces foreign keys only when asked."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
