"""`flask --app app report …` as the ICT department scripts it: targets, headcounts, frozen
snapshots, and an officer's view through `--for`; bad input exits non-zero and writes nothing."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tests.assignment_world import assign, complete
from training.clock import today_vn, utcnow
from training.extensions import db
from training.reports.models import CoverageTarget, Snapshot, TargetGroup


def _run(app, *args: str):
    return app.test_cli_runner().invoke(args=["report", *args])


def _world(office, make_user):
    today = today_vn()
    learner = make_user(unit=office.division, username="hoc.vien", today=today)
    assign(office.basics, on=today, due_days=30)
    complete(learner, office.basics, today)
    return learner


def test_targets_are_set_replaced_and_withdrawn(app, office, make_user) -> None:
    result = _run(app, "target", "--group", "everyone", "--percent", "92,5", "--by", "31/12/2026")
    assert result.exit_code == 0, result.output
    assert "everyone: 92.5% by 31/12/2026" in result.output
    assert (
        _run(
            app, "target", "--group", "everyone", "--percent", "95", "--by", "30/06/2027"
        ).exit_code
        == 0
    )
    rows = db.session.scalars(select(CoverageTarget).order_by(CoverageTarget.id)).all()
    # replaced, not edited: the first is kept, withdrawn
    assert [(float(t.percent), t.withdrawn_at is None) for t in rows] == [
        (92.5, False),
        (95.0, True),
    ]
    bad = _run(app, "target", "--group", "priority", "--percent", "120", "--by", "31/12/2026")
    assert bad.exit_code != 0
    assert db.session.scalar(select(func.count()).select_from(CoverageTarget)) == 2
    assert _run(app, "target", "--group", "everyone", "--withdraw").exit_code == 0
    db.session.expire_all()
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(CoverageTarget)
            .where(CoverageTarget.withdrawn_at.is_(None))
        )
        == 0
    )


def test_a_headcount_is_recorded_and_a_bad_one_refused(app, office) -> None:
    assert _run(app, "headcount", "SNV", "48").exit_code == 0
    db.session.expire_all()
    assert office.agency.official_headcount == 48
    assert _run(app, "headcount", "SNV", "bốn mươi").exit_code != 0
    assert _run(app, "headcount", "NOPE", "4").exit_code != 0
    db.session.expire_all()
    assert office.agency.official_headcount == 48
    assert _run(app, "headcount", "SNV", "none").exit_code == 0
    db.session.expire_all()
    assert office.agency.official_headcount is None


def test_a_snapshot_is_frozen_listed_and_written_by_checksum(
    app, office, make_user, tmp_path
) -> None:
    _world(office, make_user)
    day = today_vn().strftime("%d/%m/%Y")
    result = _run(app, "freeze", "--as-of", day, "--title", "Kiểm tra năm")
    assert result.exit_code == 0, result.output
    snapshot = db.session.scalar(select(Snapshot))
    assert snapshot.checksum in result.output
    assert snapshot.checksum in _run(app, "snapshots").output
    out = tmp_path / "unit.csv"
    assert (
        _run(
            app, "snapshot", str(snapshot.id), "--format", "csv", "--by", "unit", "--out", str(out)
        ).exit_code
        == 0
    )
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8-sig"))))
    assert {row["unit_code"] for row in rows} >= {"SNV", "SNV-TC"}
    assert (
        _run(app, "snapshot", str(snapshot.id), "--format", "csv", "--out", str(out)).exit_code != 0
    )
    future = (today_vn() + timedelta(days=2)).strftime("%d/%m/%Y")
    assert _run(app, "freeze", "--as-of", future, "--title", "x").exit_code != 0
    assert db.session.scalar(select(func.count()).select_from(Snapshot)) == 1


def test_for_an_officer_the_report_is_their_subtree_only(app, office, make_user, tmp_path) -> None:
    _world(office, make_user)
    out = tmp_path / "units.json"
    result = _run(
        app,
        "coverage",
        "--by",
        "unit",
        "--format",
        "json",
        "--out",
        str(out),
        "--for",
        office.officer.username,
    )
    assert result.exit_code == 0, result.output
    codes = {row["unit_code"] for row in json.loads(out.read_text("utf-8"))}
    assert codes == {"SNV", "SNV-VP", "SNV-TC"}
    people = tmp_path / "people.csv"
    assert (
        _run(
            app,
            "coverage",
            "--by",
            "people",
            "--format",
            "csv",
            "--out",
            str(people),
            "--for",
            office.officer.username,
        ).exit_code
        == 0
    )
    assert "nguoi.ngoai" not in people.read_text("utf-8-sig")
    assert "Lê Văn Ngoại" not in people.read_text("utf-8-sig")
    refused = _run(
        app,
        "coverage",
        "--by",
        "unit",
        "--format",
        "csv",
        "--out",
        str(tmp_path / "x.csv"),
        "--for",
        office.officer.username,
        "--unit",
        "STC",
    )
    assert refused.exit_code != 0
    assert not (tmp_path / "x.csv").exists()


def test_the_database_keeps_one_target_in_force_per_group(app, office) -> None:
    """Two administrators replacing a target at the same moment: the index refuses the second
    row in force, however the check before it went."""
    assert (
        _run(
            app, "target", "--group", "priority", "--percent", "100", "--by", "30/06/2027"
        ).exit_code
        == 0
    )
    db.session.add(
        CoverageTarget(
            group_name=TargetGroup.PRIORITY, percent=90, due_on=today_vn(), set_at=utcnow()
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(CoverageTarget)
            .where(CoverageTarget.withdrawn_at.is_(None))
        )
        == 1
    )
