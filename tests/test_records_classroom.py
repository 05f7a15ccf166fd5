"""Classroom sessions (tập huấn): their attendees count as trained, in person — at once when
attendance alone completes the course, otherwise once they pass the quiz on the site — and an
officer records sessions and attendees only in their own units."""

from __future__ import annotations

import base64
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.records_support import (
    build_province,
    client_for,
    counts,
    csv_file,
    dmy,
    pass_quiz,
    sample_course,
    xlsx_file,
)
from training.clock import today_vn, utcnow
from training.courses.completions import add_months, valid_completion
from training.courses.models import (
    Attendance,
    ClassroomSession,
    Completion,
    CompletionAction,
    CompletionLog,
    CompletionMethod,
)
from training.errors import ImportRejected, NotAllowed, RuleViolation
from training.extensions import db
from training.records import classroom
from training.records.imports import DEFAULT_LIMITS


@pytest.fixture
def org(content, sync, make_unit, make_user):
    assert sync().exit_code == 0
    return build_province(make_unit, make_user)


def _session(org, *, days_ago: int = 2, attendance_completes: bool = False) -> ClassroomSession:
    session = classroom.create_session(
        classroom.SessionData(
            course=sample_course(),
            unit=org.agency,
            held_on=today_vn() - timedelta(days=days_ago),
            place="Hội trường Sở",
            trainer="Nguyễn Văn Giảng",
            attendance_completes=attendance_completes,
        ),
        actor=org.officer,
        now=utcnow(),
        today=today_vn(),
    )
    db.session.commit()
    return session


def _payload(html: str) -> str:
    match = re.search(r'name="confirm-payload"[^>]*value="([^"]*)"', html)
    assert match, html
    return match.group(1)


def test_attendance_alone_completes_the_course_in_person(app, org):
    officer = client_for(app, org.officer)
    held_on = today_vn() - timedelta(days=3)
    response = officer.post(
        "/records/sessions/new",
        data={
            "course_id": sample_course().id,
            "unit_id": org.agency.id,
            "held_on": dmy(held_on),
            "place": "Hội trường  Sở ",
            "trainer": "Nguyễn Văn Giảng",
            "attendance_completes": "y",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    session = db.session.scalar(select(ClassroomSession))
    assert (session.place, session.held_on, session.attendance_completes) == (
        "Hội trường Sở",
        held_on,
        True,
    )
    checklist = officer.get(f"/records/sessions/{session.id}/attendees").get_data(as_text=True)
    assert org.learner.full_name in checklist
    assert org.colleague.full_name in checklist
    assert org.sub_officer.full_name not in checklist  # another manager: not the officer's
    assert org.outsider.full_name not in checklist
    added = officer.post(
        f"/records/sessions/{session.id}/attendees",
        data={"person_ids": [org.learner.id, org.colleague.id]},
    )
    assert added.status_code == 302
    completion = valid_completion(org.learner.id, sample_course().id, on=held_on)
    assert completion is not None
    assert (completion.method, completion.classroom_id, completion.completed_on) == (
        CompletionMethod.IN_PERSON,
        session.id,
        held_on,
    )
    assert completion.valid_until == add_months(held_on, 12)
    assert completion.attempt_id is None
    logged = db.session.scalars(select(CompletionLog)).all()
    assert {(line.person_id, line.action, line.method) for line in logged} == {
        (org.learner.id, CompletionAction.RECORDED, CompletionMethod.IN_PERSON),
        (org.colleague.id, CompletionAction.RECORDED, CompletionMethod.IN_PERSON),
    }
    assert all(line.actor_id == org.officer.id for line in logged)
    page = officer.get(f"/records/sessions/{session.id}").get_data(as_text=True)
    assert page.count('data-outcome="in_person"') == 2
    # The learner's own certificate says how it was earned.
    certificates = client_for(app, org.learner).get("/certificates/").get_data(as_text=True)
    assert 'data-method="in_person"' in certificates
    assert "In person" in certificates
    # Adding the same people again changes nothing.
    officer.post(f"/records/sessions/{session.id}/attendees", data={"person_ids": [org.learner.id]})
    assert counts() == (2, 2)
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 2


def test_a_quiz_passed_after_the_session_is_in_person(app, org):
    session = _session(org)
    classroom.add_attendees(session, [org.learner], actor=org.officer, now=utcnow())
    db.session.commit()
    assert valid_completion(org.learner.id, sample_course().id, on=today_vn()) is None
    page = client_for(app, org.officer).get(f"/records/sessions/{session.id}")
    assert 'data-outcome="pending"' in page.get_data(as_text=True)

    pass_quiz(client_for(app, org.learner))
    completion = valid_completion(org.learner.id, sample_course().id, on=today_vn())
    assert completion.method == CompletionMethod.IN_PERSON
    assert completion.classroom_id == session.id
    assert completion.attempt_id is not None  # the quiz is still its evidence
    page = client_for(app, org.officer).get(f"/records/sessions/{session.id}")
    assert 'data-outcome="in_person"' in page.get_data(as_text=True)
    # Nobody typed it in: an automatic completion is not a line of the log.
    assert counts() == (1, 0)


def test_a_pass_without_attendance_or_long_after_the_session_stays_a_quiz(app, org):
    stale = _session(org, days_ago=400)  # more than the course's 12 months ago
    classroom.add_attendees(stale, [org.learner], actor=org.officer, now=utcnow())
    db.session.commit()
    pass_quiz(client_for(app, org.learner))
    pass_quiz(client_for(app, org.colleague))  # attended nothing
    methods = dict(db.session.execute(select(Completion.person_id, Completion.method)).all())
    assert methods == {
        org.learner.id: CompletionMethod.QUIZ,
        org.colleague.id: CompletionMethod.QUIZ,
    }


def test_attendance_recorded_after_the_pass_marks_it_in_person(app, org):
    pass_quiz(client_for(app, org.learner))
    assert db.session.scalar(select(Completion.method)) == CompletionMethod.QUIZ
    session = _session(org, days_ago=5)
    result = classroom.add_attendees(session, [org.learner], actor=org.officer, now=utcnow())
    db.session.commit()
    assert result.completions == 1
    completion = db.session.scalar(select(Completion))
    assert (completion.method, completion.classroom_id) == (CompletionMethod.IN_PERSON, session.id)


def test_an_attendance_import_is_previewed_then_written_all_or_nothing(app, org):
    session = _session(org)
    officer = client_for(app, org.officer)
    url = f"/records/sessions/{session.id}/import"
    bad = csv_file([["STT", "Mã nhân viên"], ["1", "NV001"], ["2", "NV404"], ["3", "NV900"]])
    preview = officer.post(
        url,
        data={"upload-file": (io.BytesIO(bad), "diem-danh.csv")},
        content_type="multipart/form-data",
    )
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert '<tr data-line="3"><td>3</td><td>Mã nhân viên</td>' in html  # unknown ID
    assert '<tr data-line="4"><td>4</td><td>Mã nhân viên</td>' in html  # another unit's
    assert "NV404" in html
    assert "confirm-payload" not in html  # nothing to confirm
    # A forged confirmation of the same file is checked again, and refused.
    refused = officer.post(
        url,
        data={"confirm-payload": base64.b64encode(bad).decode(), "confirm-filename": "x.csv"},
    )
    assert refused.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 0

    good = csv_file([["Employee ID"], ["NV001"], ["NV002"]], delimiter=";")
    preview = officer.post(
        url,
        data={"upload-file": (io.BytesIO(good), "diem-danh.csv")},
        content_type="multipart/form-data",
    )
    html = preview.get_data(as_text=True)
    assert "2 to add, 0 already listed" in html
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 0  # a preview
    done = officer.post(
        url, data={"confirm-payload": _payload(html), "confirm-filename": "diem-danh.csv"}
    )
    assert done.status_code == 302
    attendees = set(db.session.scalars(select(Attendance.person_id)).all())
    assert attendees == {org.learner.id, org.colleague.id}
    # The same attendance as a workbook: already listed, nothing new.
    again = classroom.import_attendance(
        session,
        xlsx_file([["Mã nhân viên"], ["NV001"], ["NV002"]]),
        filename="diem-danh.xlsx",
        actor=org.officer,
        now=utcnow(),
        limits=DEFAULT_LIMITS,
    )
    assert (len(again.added), len(again.already)) == (0, 2)


def test_the_attendance_checklist_searches_within_scope(app, org):
    session = _session(org)
    officer = client_for(app, org.officer)
    html = officer.get(f"/records/sessions/{session.id}/attendees?q=hanh").get_data(as_text=True)
    assert org.learner.full_name in html
    assert org.colleague.full_name not in html
    html = officer.get(f"/records/sessions/{session.id}/attendees?q=ngoai").get_data(as_text=True)
    assert org.outsider.full_name not in html


def test_an_officer_records_nothing_outside_their_units(app, org):
    officer = client_for(app, org.officer)
    course_id = sample_course().id
    forged_unit = officer.post(
        "/records/sessions/new",
        data={
            "course_id": course_id,
            "unit_id": org.other.id,  # not offered, sent anyway
            "held_on": dmy(today_vn()),
            "place": "Phòng họp",
            "trainer": "Ai đó",
        },
    )
    assert forged_unit.status_code == 404
    assert db.session.scalar(select(func.count()).select_from(ClassroomSession)) == 0

    theirs = classroom.create_session(
        classroom.SessionData(
            sample_course(), org.other, today_vn(), "Sở Xây dựng", "Người khác", True
        ),
        actor=org.admin,
        now=utcnow(),
        today=today_vn(),
    )
    mine = _session(org, attendance_completes=True)
    assert officer.get(f"/records/sessions/{theirs.id}").status_code == 404
    assert officer.get(f"/records/sessions/{theirs.id}/attendees").status_code == 404
    assert (
        officer.post(
            f"/records/sessions/{theirs.id}/attendees", data={"person_ids": [org.learner.id]}
        ).status_code
        == 404
    )
    # Forged people on the officer's own session: another unit's learner, another manager.
    for forged in (org.outsider, org.sub_officer):
        response = officer.post(
            f"/records/sessions/{mine.id}/attendees",
            data={"person_ids": [org.learner.id, forged.id]},
        )
        assert response.status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 0
    assert counts() == (0, 0)
    listed = officer.get("/records/sessions").get_data(as_text=True)
    assert f"/records/sessions/{mine.id}" in listed
    assert f"/records/sessions/{theirs.id}" not in listed
    # The services refuse on their own too, whatever a page forgot.
    with pytest.raises(NotAllowed):
        classroom.add_attendees(mine, [org.outsider], actor=org.officer, now=utcnow())
    db.session.rollback()
    with pytest.raises(NotAllowed):
        classroom.create_session(
            classroom.SessionData(sample_course(), org.other, today_vn(), "x", "y"),
            actor=org.officer,
            now=utcnow(),
            today=today_vn(),
        )
    db.session.rollback()
    # A learner keeps no records at all.
    assert client_for(app, org.learner).get("/records/sessions").status_code == 403


def test_a_session_is_recorded_once_held(app, org):
    with pytest.raises(RuleViolation) as refused:
        classroom.create_session(
            classroom.SessionData(
                sample_course(), org.agency, today_vn() + timedelta(days=1), "Hội trường", "A"
            ),
            actor=org.officer,
            now=utcnow(),
            today=today_vn(),
        )
    assert refused.value.field == "held_on"


def test_the_commands_record_a_session_and_import_its_attendance(app, org, tmp_path):
    runner = app.test_cli_runner()
    held_on = today_vn() - timedelta(days=1)
    result = runner.invoke(
        args=[
            "records",
            "session-add",
            "sample",
            "SO-A",
            "--on",
            dmy(held_on),
            "--place",
            "Hội trường",
            "--trainer",
            "Nguyễn Văn Giảng",
            "--attendance-completes",
            "--as",
            "cntt.a",
        ]
    )
    assert result.exit_code == 0, result.output
    session_id = int(result.output.strip())
    sheet = tmp_path / "diem-danh.csv"
    sheet.write_bytes(csv_file([["Mã nhân viên"], ["NV001"], ["NV900"]]))
    refused = runner.invoke(args=["records", "attendance-import", str(session_id), str(sheet)])
    assert refused.exit_code == 1  # row 3 works in another unit than the session's
    assert "3" in refused.output
    assert "Mã nhân viên" in refused.output
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 0
    sheet.write_bytes(csv_file([["Mã nhân viên"], ["NV001"], ["NV002"]]))
    dry = runner.invoke(
        args=["records", "attendance-import", str(session_id), str(sheet), "--dry-run"]
    )
    assert dry.exit_code == 0, dry.output
    assert "+ NV001" in dry.output
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 0
    done = runner.invoke(
        args=["records", "attendance-import", str(session_id), str(sheet), "--as", "cntt.a"]
    )
    assert done.exit_code == 0, done.output
    db.session.expire_all()
    assert valid_completion(org.colleague.id, sample_course().id, on=held_on).method == (
        CompletionMethod.IN_PERSON
    )
    with pytest.raises(ImportRejected):
        classroom.import_attendance(
            db.session.get(ClassroomSession, session_id),
            csv_file([["Mã nhân viên"], ["NV900"]]),
            filename="x.csv",
            actor=org.officer,
            now=utcnow(),
            limits=DEFAULT_LIMITS,
        )


def test_every_records_page_opens_for_those_it_serves(app, org):
    session = _session(org)
    classroom.add_attendees(session, [org.learner], actor=org.officer, now=utcnow())
    db.session.commit()
    officer, admin = client_for(app, org.officer), client_for(app, org.admin)
    for url in (
        "/records/",
        "/records/sessions",
        "/records/sessions/new",
        f"/records/sessions/{session.id}",
        f"/records/sessions/{session.id}/attendees",
        f"/records/people/{org.learner.id}",
        "/records/external/import",
    ):
        assert officer.get(url).status_code == 200, url
        assert admin.get(url).status_code == 200, url
    for url in ("/records/log", "/records/external/courses"):
        assert admin.get(url).status_code == 200, url
        assert officer.get(url).status_code == 403, url
    # The person page links to the records, and the menu to the records' home.
    person_page = officer.get(f"/people/{org.learner.id}").get_data(as_text=True)
    assert f"/records/people/{org.learner.id}" in person_page
    assert 'href="/records/"' in person_page
