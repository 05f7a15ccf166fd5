"""The `count_queries` fixture: how many SQL statements a block of code sends to the database.

A page that issues one query per row (a lazy load in a template loop) is fast in a test with
one row and slow in a province with thousands, so the busy pages are guarded by asserting the
same count with 1 and with 20 rows. Modelled on Indico's `count_queries`: a listener on the
engine's `before_cursor_execute`, so it sees every statement the ORM, Core or a raw
`text()` sends, and nothing the driver does on its own (COMMIT, SQLite's connect PRAGMAs).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event

from training.extensions import db

WRITE_VERBS = {"INSERT", "UPDATE", "DELETE"}


@dataclass
class QueryLog:
    statements: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.statements)

    def writes(self) -> list[str]:
        """The statements that change rows: a page view must have none."""
        return [s for s in self.statements if s.split(None, 1)[0].upper() in WRITE_VERBS]

    def summary(self) -> str:
        """One short line per statement, for the assertion message when a count moves."""
        lines = (re.sub(r"\s+", " ", statement)[:140] for statement in self.statements)
        return "\n".join(f"{n:3d}. {line}" for n, line in enumerate(lines, start=1))


@pytest.fixture
def count_queries(app: Flask) -> Callable[[], AbstractContextManager[QueryLog]]:
    """`with count_queries() as log: client.get(...)`, then `len(log)`. The listener is removed
    when the block ends, even when it raises, so one test's statements never leak into
    another's count."""

    @contextmanager
    def _count() -> Iterator[QueryLog]:
        log = QueryLog()

        def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            log.statements.append(statement)

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            yield log
        finally:
            event.remove(engine, "before_cursor_execute", record)

    return _count
