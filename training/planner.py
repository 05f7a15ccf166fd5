"""PostgreSQL planner settings for one report's statements, local to the transaction.

A report over half a million rows is planned with the server's defaults for small requests:
4 MB to sort or hash in, so its hash tables spill to disk. The few statements that read a whole
province ask for what they need here, measured in `bench/`; the settings are put back as soon
as the statements have run, and never outlive the transaction. SQLite has no such settings.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text

from training.extensions import db

SETTINGS = ("enable_hashagg", "enable_hashjoin", "work_mem")

# One statement reads the settings and changes them (left to right), one puts them back.
_SWAP = text(
    "SELECT "
    + ", ".join(f"current_setting('{name}')" for name in SETTINGS)
    + ", "
    + ", ".join(f"set_config('{name}', :{name}, true)" for name in SETTINGS)
)
_RESTORE = text("SELECT " + ", ".join(f"set_config('{name}', :{name}, true)" for name in SETTINGS))


@contextmanager
def planned(
    *, hash_agg: bool = True, hash_joins: bool = True, work_mem: str = "64MB"
) -> Iterator[None]:
    """Two statements on PostgreSQL (set, then restore), none on SQLite."""
    if db.session.get_bind().dialect.name != "postgresql":
        yield
        return
    wanted = {
        "enable_hashagg": "on" if hash_agg else "off",
        "enable_hashjoin": "on" if hash_joins else "off",
        "work_mem": work_mem,
    }
    before = db.session.execute(_SWAP, wanted).one()
    try:
        yield
    finally:
        db.session.execute(_RESTORE, dict(zip(SETTINGS, before[: len(SETTINGS)], strict=True)))
