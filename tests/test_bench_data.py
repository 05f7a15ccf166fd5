"""The benchmark province (`bench-data`): the shape asked for, the same for a seed, rows the
app's own rules would have written, and nothing at all written into a database with real people.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.helpers import TODAY
from training.assignments.models import Requirement
from training.assignments.requirements import refresh
from training.assignments.status import Status, status_statement
from training.courses.models import Completion, Course
from training.extensions import db
from training.org.changes import refresh_key_subtrees
from training.org.history import names_on, tree_on
from training.org.models import (
    Membership,
    Person,
    PersonFlag,
    PersonFlagPeriod,
    Unit,
    UnitEvent,
    UnitEventKind,
)
from training.org.priority import priority_now
from training.reports import bench_data
from training.reports.bench_cli import bench_data_command

SIZE = {"staff": 300, "units": 30, "courses": 3, "seed": 1}


@pytest.fixture
def province(database: object) -> bench_data.Summary:
    summary = bench_data.generate(**SIZE, today=TODAY)
    db.session.commit()
    return summary


def _count(model: Any) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def _all_counts() -> dict[str, int]:
    return {table.name: _count(table) for table in db.metadata.sorted_tables}


def _fingerprint() -> tuple[list[Any], ...]:
    """Everything that matters, by natural keys: ids depend on what the database held before."""
    codes = {row.id: row.code for row in db.session.execute(select(Unit.id, Unit.code))}
    units = [
        (u.code, u.name, u.kind, codes.get(u.parent_id), u.is_key_department, u.retired_on)
        for u in db.session.scalars(select(Unit).order_by(Unit.code))
    ]
    people = db.session.execute(
        select(Person.username, Person.full_name, Unit.code, Person.active)
        .join(Unit, Unit.id == Person.unit_id)
        .order_by(Person.username)
    ).all()
    required = db.session.execute(
        select(
            Person.username,
            Course.slug,
            Requirement.starts_on,
            Requirement.due_on,
            Requirement.ended_on,
        )
        .join(Person, Person.id == Requirement.person_id)
        .join(Course, Course.id == Requirement.course_id)
        .order_by(Person.username, Course.slug, Requirement.starts_on)
    ).all()
    completed = db.session.execute(
        select(Person.username, Course.slug, Completion.completed_on, Completion.method)
        .join(Person, Person.id == Completion.person_id)
        .join(Course, Course.id == Completion.course_id)
        .order_by(Person.username, Course.slug, Completion.completed_on)
    ).all()
    return units, list(people), list(required), list(completed)


def test_small_province_has_the_shape_asked_for(province):
    assert (province.people, province.units, province.courses) == (300, 30, 3)
    assert _count(Person) == 300
    assert _count(Unit) == 30
    assert _count(Requirement) == province.requirements > 600  # two all-staff courses, one D2
    assert _count(Completion) == province.completions > 0
    assert province.retired_units == 1
    assert all(p.username.startswith("bench.") for p in db.session.scalars(select(Person)))
    assert max(u.depth for u in db.session.scalars(select(Unit))) == 4  # five levels
    # One open membership each, in the person's unit; some moved once.
    open_rows = db.session.execute(
        select(Membership.person_id, Membership.unit_id).where(Membership.valid_to.is_(None))
    ).all()
    assert dict(open_rows) == dict(db.session.execute(select(Person.id, Person.unit_id)).all())
    assert len(open_rows) == 300
    assert province.memberships > 300


def test_same_seed_makes_the_same_province(province):
    first = _fingerprint()
    bench_data.remove_bench_data()
    assert _count(Person) == _count(Unit) == _count(Course) == 0
    bench_data.generate(**SIZE, today=TODAY)
    assert _fingerprint() == first
    bench_data.remove_bench_data()
    bench_data.generate(**{**SIZE, "seed": 2}, today=TODAY)
    assert _fingerprint() != first


def test_history_has_a_merger_moves_and_renames(province):
    merged = db.session.scalars(select(Unit).where(Unit.retired_on.is_not(None))).one()
    assert merged.merged_into is not None
    before = tree_on(merged.retired_on - timedelta(days=1))
    now = tree_on(TODAY)
    assert merged.id in before
    assert merged.id not in now
    followers = [u for u in before.children(merged.id)]
    assert followers
    assert all(now.by_id[u.id].parent_id == merged.merged_into_id for u in followers)
    moves = db.session.scalars(
        select(UnitEvent).where(UnitEvent.kind == UnitEventKind.MOVED, UnitEvent.note.is_(None))
    ).all()
    assert len(moves) >= 2
    for move in moves:
        then = tree_on(move.effective_on - timedelta(days=1)).by_id[move.unit_id]
        assert then.parent_id != now.by_id[move.unit_id].parent_id
    renamed = db.session.scalars(
        select(UnitEvent).where(UnitEvent.kind == UnitEventKind.RENAMED)
    ).first()
    assert renamed is not None
    day_before = renamed.effective_on - timedelta(days=1)
    assert names_on(day_before, [renamed.unit_id])[renamed.unit_id] == renamed.old_value
    assert names_on(TODAY, [renamed.unit_id])[renamed.unit_id] == renamed.new_value


def test_priority_staff_are_five_to_ten_per_cent(province):
    active = select(Person.id).where(Person.active.is_(True))
    priority = db.session.scalar(
        select(func.count()).select_from(active.where(priority_now()).subquery())
    )
    total = db.session.scalar(select(func.count()).select_from(active.subquery()))
    assert priority == province.priority_staff
    assert 0.05 <= priority / total <= 0.10


def test_statuses_span_the_range(province):
    statuses = Counter(row.status for row in db.session.execute(status_statement(TODAY)))
    for status in Status:
        assert statuses[status] > 0, status
    assert statuses[Status.OVERDUE] > 10
    assert statuses[Status.EXPIRED] > 10


def test_rows_are_what_the_services_would_have_kept(province):
    def requirements() -> list[Any]:
        return db.session.execute(
            select(
                Requirement.assignment_id,
                Requirement.person_id,
                Requirement.starts_on,
                Requirement.due_on,
                Requirement.ended_on,
            ).order_by(Requirement.id)
        ).all()

    def key_subtrees() -> list[Any]:
        return db.session.execute(select(Unit.id, Unit.in_key_subtree).order_by(Unit.id)).all()

    before, keys = requirements(), key_subtrees()
    refresh(TODAY)  # what the next reorganisation would run: nothing to open or close
    refresh_key_subtrees(db.session)
    assert requirements() == before
    assert key_subtrees() == keys
    gone = db.session.scalars(select(Person.id).where(Person.active.is_(False))).all()
    left = db.session.scalars(
        select(PersonFlagPeriod.person_id).where(
            PersonFlagPeriod.flag == PersonFlag.INACTIVE, PersonFlagPeriod.valid_to.is_(None)
        )
    ).all()
    assert sorted(gone) == sorted(left)
    still_open = select(Requirement.id).where(
        Requirement.person_id.in_(gone), Requirement.ended_on.is_(None)
    )
    assert db.session.scalar(select(func.count()).select_from(still_open.subquery())) == 0
    codes = db.session.scalars(select(Completion.code)).all()
    assert len(set(codes)) == len(codes)


def test_refuses_a_database_with_a_real_person(app, make_user):
    make_user(username="an.nv")
    before = _all_counts()
    reason = bench_data.refuse_reason()
    assert reason is not None
    assert "real staff" in reason
    result = app.test_cli_runner().invoke(
        bench_data_command, ["--staff", "50", "--units", "15", "--courses", "1"]
    )
    assert result.exit_code == 1
    assert "real staff" in result.output
    with pytest.raises(bench_data.KhienError):
        bench_data.generate(**SIZE, today=TODAY)
    db.session.rollback()
    assert _all_counts() == before


def test_refuses_a_unit_it_did_not_make(make_unit):
    make_unit("SNV")
    reason = bench_data.refuse_reason()
    assert reason is not None
    assert "SNV" in reason


def test_refuses_production(app, database, monkeypatch):
    monkeypatch.setitem(app.config, "KHIEN_ENV", "production")
    assert "production" in (bench_data.refuse_reason() or "")


def test_command_makes_the_province_again_only_when_asked(app, database):
    runner = app.test_cli_runner()
    args = ["--staff", "60", "--units", "15", "--courses", "2", "--today", "25/11/2026"]
    made = runner.invoke(bench_data_command, args)
    assert made.exit_code == 0, made.output
    assert "People: 60" in made.output
    again = runner.invoke(bench_data_command, args)
    assert again.exit_code == 1
    assert "--replace" in again.output
    replaced = runner.invoke(bench_data_command, [*args, "--replace"])
    assert replaced.exit_code == 0, replaced.output
    assert "Removed" in replaced.output
    db.session.expire_all()
    assert _count(Person) == 60
    assert _count(Unit) == 15
