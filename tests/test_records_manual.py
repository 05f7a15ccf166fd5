"""Manual completions: only with a reason and evidence, marked manual everywhere, revocable but
never deleted, every record and revocation in an append-only log the ICT admin reads and
exports; an officer acts only for the learners of their own units."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from tests.records_support import (
    build_province,
    client_for,
    counts,
    dmy,
    pass_quiz,
    sample_course,
)
from training.clock import today_vn, utcnow
from training.courses.completions import valid_completion, valid_until_by_course
from training.courses.models import (
    Completion,
    CompletionAction,
    CompletionLog,
    CompletionMethod,
)
from training.courses.services import courses_for
from training.errors import NotAllowed, RuleViolation
from training.extensions import db
from training.org.models import Person
from training.records import manual

REASON = "Đã học lớp tập huấn của Sở trước khi có Khiên"
EVIDENCE = "QĐ 123/QĐ-STC"


@pytest.fixture
def org(content, sync, make_unit, make_user):
    assert sync().exit_code == 0
    return build_province(make_unit, make_user)


def _record(org, person=None, *, actor=None, days_ago: int = 10, reason: str = REASON):
    completion = manual.record_manual(
        person or org.learner,
        sample_course(),
        completed_on=today_vn() - timedelta(days=days_ago),
        reason=reason,
        evidence=EVIDENCE,
        actor=actor or org.officer,
        now=utcnow(),
        today=today_vn(),
    )
    db.session.commit()
    return completion


def _card_valid_until(org):
    cards = courses_for(db.session.get(Person, org.learner.id), today=today_vn())
    return next(card.valid_until for card in cards if card.course.slug == "sample")


def _form(**changes) -> dict[str, object]:
    return {
        "course_id": sample_course().id,
        "completed_on": dmy(today_vn() - timedelta(days=10)),
        "reason": REASON,
        "evidence": EVIDENCE,
        **changes,
    }


@pytest.mark.parametrize("reason", ["", "   ", "vì thế", "\u200b" * 12])
def test_a_manual_completion_without_a_reason_is_refused_and_changes_nothing(app, org, reason):
    officer = client_for(app, org.officer)
    response = officer.post(f"/records/people/{org.learner.id}", data=_form(reason=reason))
    assert response.status_code == 200  # the form again, with its message
    assert 'class="error"' in response.get_data(as_text=True)
    with pytest.raises(RuleViolation) as refused:
        _record(org, reason=reason)
    assert refused.value.field == "reason"
    db.session.rollback()
    result = app.test_cli_runner().invoke(
        args=[
            "records",
            "manual-add",
            org.learner.username,
            "sample",
            "--on",
            dmy(today_vn()),
            "--reason",
            reason,
            "--evidence",
            EVIDENCE,
        ]
    )
    assert result.exit_code == 1
    assert counts() == (0, 0)


def test_evidence_is_required_and_the_day_cannot_be_in_the_future(app, org):
    officer = client_for(app, org.officer)
    officer.post(f"/records/people/{org.learner.id}", data=_form(evidence=""))
    tomorrow = dmy(today_vn() + timedelta(days=1))
    officer.post(f"/records/people/{org.learner.id}", data=_form(completed_on=tomorrow))
    assert counts() == (0, 0)


def test_a_manual_completion_shows_as_manual_in_certificates_and_in_the_log(app, org):
    officer = client_for(app, org.officer)
    response = officer.post(f"/records/people/{org.learner.id}", data=_form())
    assert response.status_code == 302, response.get_data(as_text=True)
    completion = db.session.scalar(select(Completion))
    assert (completion.method, completion.reason, completion.evidence) == (
        CompletionMethod.MANUAL,
        REASON,
        EVIDENCE,
    )
    assert completion.recorded_by_id == org.officer.id
    assert completion.attempt_id is None
    day = completion.completed_on
    assert valid_completion(org.learner.id, sample_course().id, on=day) == completion
    # The person's own certificates say "manual".
    learner = client_for(app, org.learner)
    listed = learner.get("/certificates/").get_data(as_text=True)
    assert 'data-method="manual"' in listed
    assert "Recorded manually" in listed
    certificate = learner.get(f"/certificates/{completion.code}").get_data(as_text=True)
    assert "Recorded manually" in certificate
    # So do the officer's page of the person and the public verification.
    history = officer.get(f"/records/people/{org.learner.id}").get_data(as_text=True)
    assert f'data-completion="{completion.id}" data-method="manual" data-status="valid"' in history
    assert EVIDENCE in history
    verified = app.test_client().get(f"/verify/{completion.code}").get_data(as_text=True)
    assert 'data-method="manual"' in verified
    assert REASON not in verified  # the officer's reason is nobody else's business
    # And the log, which only the ICT admin reads.
    line = db.session.scalar(select(CompletionLog))
    assert (line.action, line.method, line.actor_id, line.person_id, line.reason) == (
        CompletionAction.RECORDED,
        CompletionMethod.MANUAL,
        org.officer.id,
        org.learner.id,
        REASON,
    )
    page = client_for(app, org.admin).get("/records/log").get_data(as_text=True)
    assert 'data-action="recorded" data-method="manual"' in page
    assert REASON in page
    assert org.officer.full_name in page


def test_revoking_stops_it_counting_and_verification_says_revoked(app, org):
    completion = _record(org)
    code, day = completion.code, completion.completed_on
    assert _card_valid_until(org) == completion.valid_until
    officer = client_for(app, org.officer)
    assert (
        officer.post(
            f"/records/completions/{completion.id}/revoke", data={"reason": "ngắn"}
        ).status_code
        == 200
    )  # too short a reason: refused
    assert db.session.get(Completion, completion.id).revoked_at is None
    response = officer.post(
        f"/records/completions/{completion.id}/revoke",
        data={"reason": "Ghi nhầm người: người học chưa dự lớp"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    revoked = db.session.get(Completion, completion.id)
    assert revoked is not None  # kept, never deleted
    assert revoked.revoked_by_id == org.officer.id
    assert valid_completion(org.learner.id, sample_course().id, on=day) is None
    assert valid_until_by_course(org.learner.id, on=day) == {}
    assert _card_valid_until(org) is None  # the course cards' IN_FORCE_UNTIL
    assert code not in client_for(app, org.learner).get("/certificates/").get_data(as_text=True)
    verified = app.test_client().get(f"/verify/{code}")
    assert verified.status_code == 200
    assert 'data-status="revoked"' in verified.get_data(as_text=True)
    actions = db.session.scalars(select(CompletionLog.action).order_by(CompletionLog.id)).all()
    assert actions == [CompletionAction.RECORDED, CompletionAction.REVOKED]
    with pytest.raises(RuleViolation):
        manual.revoke_completion(
            revoked, reason="Thu hồi lần thứ hai", actor=org.admin, now=utcnow()
        )
    db.session.rollback()
    # A revoked record no longer holds the day: the right one can be recorded.
    again = _record(org)
    assert again.id != completion.id
    assert valid_completion(org.learner.id, sample_course().id, on=day) == again


def test_a_quiz_pass_the_day_a_mistaken_record_was_revoked_still_counts(app, org):
    mistaken = _record(org, days_ago=0)
    manual.revoke_completion(
        mistaken, reason="Ghi nhầm ngày hoàn thành", actor=org.officer, now=utcnow()
    )
    db.session.commit()
    pass_quiz(client_for(app, org.learner))
    earned = valid_completion(org.learner.id, sample_course().id, on=today_vn())
    assert earned is not None
    assert earned.method == CompletionMethod.QUIZ


def test_a_quiz_pass_is_revoked_by_the_admin_only(app, org):
    pass_quiz(client_for(app, org.learner))
    completion = db.session.scalar(select(Completion))
    officer = client_for(app, org.officer)
    assert "Revoke…" not in officer.get(f"/records/people/{org.learner.id}").get_data(as_text=True)
    forged = officer.post(
        f"/records/completions/{completion.id}/revoke", data={"reason": "Nghi ngờ làm hộ bài"}
    )
    assert forged.status_code == 403
    admin = client_for(app, org.admin)
    done = admin.post(
        f"/records/completions/{completion.id}/revoke", data={"reason": "Nghi ngờ làm hộ bài"}
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Completion, completion.id).revoked_at is not None


def test_the_log_refuses_an_update(app, org):
    _record(org)
    for statement in (
        "UPDATE completion_log SET reason = 'sửa lại cho đẹp'",
        "UPDATE completion_log SET actor_id = NULL",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()
    assert db.session.scalar(select(CompletionLog.reason)) == REASON


def test_an_officer_acts_only_for_the_learners_of_their_units(app, org):
    officer = client_for(app, org.officer)
    # Another unit's learner: as missing.
    assert officer.get(f"/records/people/{org.outsider.id}").status_code == 404
    assert officer.post(f"/records/people/{org.outsider.id}", data=_form()).status_code == 404
    # A manager in the officer's own units: visible, but not theirs to record for.
    assert officer.post(f"/records/people/{org.sub_officer.id}", data=_form()).status_code == 403
    # Another unit's completion: as missing.
    theirs = _record(org, org.outsider, actor=org.admin)
    forged = officer.post(
        f"/records/completions/{theirs.id}/revoke", data={"reason": "Thu hồi trái phép đây"}
    )
    assert forged.status_code == 404
    db.session.expire_all()
    assert db.session.get(Completion, theirs.id).revoked_at is None
    assert counts() == (1, 1)
    # The log and its export are the ICT admin's.
    assert officer.get("/records/log").status_code == 403
    assert officer.get("/records/log.csv").status_code == 403
    with pytest.raises(NotAllowed):
        _record(org, org.sub_officer)
    db.session.rollback()
    # The console may, and so may the admin, for anyone.
    _record(org, org.sub_officer, actor=org.admin)
    assert counts() == (2, 2)


def test_the_log_exports_as_csv_for_excel(app, org):
    _record(org)
    _record(org, org.colleague, reason='=HYPERLINK("http://x") lý do đủ dài')
    response = client_for(app, org.admin).get("/records/log.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel reads the diacritics
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == [
        "Written at",
        "Action",
        "Method",
        "Completion ID",
        "Full name",
        "Employee ID",
        "Unit",
        "Course",
        "Completed on",
        "Reason",
        "Evidence",
        "By",
    ]
    assert len(rows) == 3
    by_name = {row[4]: row for row in rows[1:]}
    learner = by_name[org.learner.full_name]
    assert learner[1:3] == ["Recorded", "Recorded manually"]
    assert learner[5:8] == ["NV001", org.division.name, "Sample course"]
    assert learner[8] == dmy(today_vn() - timedelta(days=10))
    assert learner[9:12] == [REASON, EVIDENCE, org.officer.full_name]
    assert by_name[org.colleague.full_name][9].startswith("'=")  # never a live formula
    # Filters apply to the export as to the page.
    filtered = client_for(app, org.admin).get(f"/records/log.csv?unit_id={org.division.id}")
    assert len(list(csv.reader(io.StringIO(filtered.get_data().decode("utf-8-sig"))))) == 2
    page = client_for(app, org.admin).get(f"/records/log?method=external&since={dmy(today_vn())}")
    assert "0 lines" in page.get_data(as_text=True)


def test_the_commands_record_revoke_and_export(app, org, tmp_path):
    runner = app.test_cli_runner()
    added = runner.invoke(
        args=[
            "records",
            "manual-add",
            org.learner.username,
            "sample",
            "--on",
            dmy(today_vn() - timedelta(days=3)),
            "--reason",
            REASON,
            "--evidence",
            EVIDENCE,
            "--as",
            org.officer.username,
        ]
    )
    assert added.exit_code == 0, added.output
    completion_id = int(added.output.split()[0])
    outside = runner.invoke(
        args=[
            "records",
            "manual-revoke",
            str(completion_id),
            "--reason",
            "Không phải người của đơn vị",
            "--as",
            org.outsider.username,  # a learner keeps no records
        ]
    )
    assert outside.exit_code != 0
    revoked = runner.invoke(
        args=["records", "manual-revoke", str(completion_id), "--reason", "Ghi nhầm khoá học"]
    )
    assert revoked.exit_code == 0, revoked.output
    export = tmp_path / "log.csv"
    logged = runner.invoke(args=["records", "log", "--csv", str(export)])
    assert logged.exit_code == 0, logged.output
    rows = list(csv.reader(io.StringIO(export.read_bytes().decode("utf-8-sig"))))
    assert len(rows) == 3
    printed = runner.invoke(args=["records", "log", "--method", "manual"])
    assert "revoked" in printed.output
    assert "console" in printed.output  # the revocation had no person behind it
    db.session.expire_all()
    assert db.session.get(Completion, completion_id).revoked_by_id is None
