"""Organisation: dated unit placements, backfilled from the tree and its events.

A unit's parent and name become dated rows (valid_to exclusive, as for memberships), so the
tree of a past day can be asked for. Existing databases get their history rebuilt from what
they hold: each unit's creation (its CREATED event, else its creation time), the parent it had
before its first move (the first MOVED event's old value, else today's parent) and its first
name (the CREATED event's value), then every RENAMED, MOVED, MERGED and RETIRED event in the
order they were recorded. Events name units by code, which never changes.

Older data could record a change dated before the unit's own creation (nothing refused it): such
a change is taken to hold from the start of the row it changes, and a row that would begin and
end on one day is left out, so no row runs backwards or has no length. The open row of a unit
still active always ends up with today's parent and name, so the history of today is today's
tree.

Revision ID: 8a617b8cecb6
Revises: 6bd17b715b9e
Create Date: 2026-12-02 08:33:32.688683

"""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8a617b8cecb6'
down_revision = '6bd17b715b9e'
branch_labels = None
depends_on = None


def upgrade() -> None:
    placements = op.create_table('unit_placements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.CheckConstraint('valid_to IS NULL OR valid_to >= valid_from', name=op.f('ck_unit_placements_dates')),
    sa.ForeignKeyConstraint(['parent_id'], ['units.id'], name=op.f('fk_unit_placements_parent_id_units')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_unit_placements_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_placements')),
    sa.UniqueConstraint('unit_id', 'valid_from', name='uq_unit_placements_unit_from')
    )
    with op.batch_alter_table('unit_placements', schema=None) as batch_op:
        batch_op.create_index('ix_unit_placements_parent_dates', ['parent_id', 'valid_from', 'valid_to'], unique=False)
        batch_op.create_index('uq_unit_placements_open', ['unit_id'], unique=True, sqlite_where=sa.text('valid_to IS NULL'), postgresql_where=sa.text('valid_to IS NULL'))

    rows = _rebuild(op.get_bind())
    if rows:
        op.bulk_insert(placements, rows)


def downgrade() -> None:
    with op.batch_alter_table('unit_placements', schema=None) as batch_op:
        batch_op.drop_index('uq_unit_placements_open', sqlite_where=sa.text('valid_to IS NULL'), postgresql_where=sa.text('valid_to IS NULL'))
        batch_op.drop_index('ix_unit_placements_parent_dates')

    op.drop_table('unit_placements')


# The tables as this revision knows them, typed so that SQLite's dates come back as dates.
units = sa.table(
    'units',
    sa.column('id', sa.Integer),
    sa.column('code', sa.String),
    sa.column('name', sa.String),
    sa.column('parent_id', sa.Integer),
    sa.column('retired_on', sa.Date),
    sa.column('created_at', sa.DateTime),
)
unit_events = sa.table(
    'unit_events',
    sa.column('id', sa.Integer),
    sa.column('unit_id', sa.Integer),
    sa.column('kind', sa.String),
    sa.column('effective_on', sa.Date),
    sa.column('old_value', sa.String),
    sa.column('new_value', sa.String),
)
TREE_EVENTS = ('created', 'renamed', 'moved', 'merged', 'retired')


class _Row:
    # Not a dataclass: Alembic loads this file without registering it as a module, which
    # dataclasses need to resolve string annotations.
    def __init__(self, parent_id: int | None, name: str, valid_from: date) -> None:
        self.parent_id, self.name = parent_id, name
        self.valid_from: date = valid_from
        self.valid_to: date | None = None


class _History:
    """One unit's rows, built change by change with the rules `org/units.py` follows."""

    def __init__(self, parent_id: int | None, name: str, start: date) -> None:
        self.rows = [_Row(parent_id, name, start)]
        self.closed = False

    def change(self, day: date, *, parent_id: int | None, name: str) -> None:
        current = self.rows[-1]
        if (current.parent_id, current.name) == (parent_id, name):
            return
        day = max(day, current.valid_from)
        if day > current.valid_from:
            current.valid_to = day
            self.rows.append(_Row(parent_id, name, day))
            return
        current.parent_id, current.name = parent_id, name  # the same day: rewritten in place
        if len(self.rows) > 1:
            before = self.rows[-2]
            if before.valid_to == day and (before.parent_id, before.name) == (parent_id, name):
                self.rows.pop()
                before.valid_to = None

    def close(self, day: date) -> None:
        current = self.rows[-1]
        day = max(day, current.valid_from)
        if day > current.valid_from:
            current.valid_to = day
        else:
            self.rows.pop()  # it would never have held for a whole day
        self.closed = True


def _rebuild(connection: sa.Connection) -> list[dict[str, object]]:
    all_units = connection.execute(sa.select(units).order_by(units.c.id)).all()
    events = defaultdict(list)
    for event in connection.execute(
        sa.select(unit_events)
        .where(unit_events.c.kind.in_(TREE_EVENTS))
        .order_by(unit_events.c.id)
    ):
        events[event.unit_id].append(event)
    id_of = {unit.code: unit.id for unit in all_units}
    rows: list[dict[str, object]] = []
    for unit in all_units:
        history = _history_of(unit, events[unit.id], id_of)
        rows += [
            {'unit_id': unit.id, 'parent_id': r.parent_id, 'name': r.name,
             'valid_from': r.valid_from, 'valid_to': r.valid_to}
            for r in history.rows
        ]
    return rows


def _history_of(unit: sa.Row, events: list[sa.Row], id_of: dict[str, int]) -> _History:
    created = next((e for e in events if e.kind == 'created'), None)
    first_move = next((e for e in events if e.kind == 'moved'), None)
    first_rename = next((e for e in events if e.kind == 'renamed'), None)
    start = created.effective_on if created is not None else unit.created_at.date()
    parent_id = unit.parent_id
    if first_move is not None:
        parent_id = id_of.get(first_move.old_value) if first_move.old_value else None
    if created is not None and created.new_value:
        name = created.new_value
    elif first_rename is not None and first_rename.old_value:
        name = first_rename.old_value
    else:
        name = unit.name
    history = _History(parent_id, name, start)
    for event in events:
        if history.closed:
            break
        current = history.rows[-1]
        if event.kind == 'renamed' and event.new_value:
            history.change(event.effective_on, parent_id=current.parent_id, name=event.new_value)
        elif event.kind == 'moved':
            moved_to = id_of.get(event.new_value, current.parent_id) if event.new_value else None
            history.change(event.effective_on, parent_id=moved_to, name=current.name)
        elif event.kind in ('merged', 'retired'):
            history.close(event.effective_on)
    if not history.closed and unit.retired_on is not None:
        history.close(unit.retired_on)
    if not history.closed:
        open_row = history.rows[-1]
        open_row.parent_id, open_row.name = unit.parent_id, unit.name
    return history
