"""Reminders and officers' digests: through a real SMTP server, once a day by the database's
word, only after the commit, in each reader's language."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from email.message import EmailMessage

import pytest
from flask_babel import force_locale, ngettext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tests.factories import add_completion, add_course
from tests.helpers import TODAY
from tests.smtp import Inbox, RefusingInbox, smtp_inbox
from training.assignments import reminder_mail, reminders
from training.assignments.models import OfficerDigest, Reminder, TargetGroup
from training.assignments.reminders import (
    plan_reminders,
    send_reminder_now,
    send_reminders,
)
from training.assignments.services import AssignmentData, create_assignment
from training.config import settings_from_env
from training.courses.models import Course
from training.errors import NotAllowed, RuleViolation
from training.extensions import db
from training.org.models import Person, Role, Unit

BASE = "https://khien.example.gov.vn"
DAY = TODAY + timedelta(days=20)  # 15/12/2026: course A 10 days overdue, course B due in 3


@dataclass
class Province:
    snv: Unit
    division: Unit
    stc: Unit
    officer_snv: Person
    officer_stc: Person
    admin: Person
    lan: Person  # SNV division, priority (drafts classified documents), reads English
    an: Person  # SNV, Vietnamese (no saved choice)
    binh: Person  # STC
    nomail: Person  # SNV, no e-mail address
    overdue: Course
    soon: Course


def _staff(make_user, unit, email, *, locale=None, role=Role.LEARNER, **kwargs) -> Person:
    person = make_user(unit=unit, role=role, **kwargs)
    person.email = email
    person.locale = locale
    db.session.commit()
    return person


def _assign(course: Course, unit: Unit, due_on: date) -> None:
    data = AssignmentData(course=course, audience=TargetGroup.EVERYONE, unit=unit, due_on=due_on)
    create_assignment(data, actor=None, today=TODAY)
    db.session.commit()


@pytest.fixture
def base_url(app, monkeypatch) -> str:
    monkeypatch.setitem(app.config, "BASE_URL", BASE)
    return BASE


@pytest.fixture
def inbox(app, monkeypatch, base_url) -> Iterator[Inbox]:
    with smtp_inbox(app, monkeypatch) as box:
        yield box


@pytest.fixture
def no_mail_server(app, monkeypatch, base_url) -> None:
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)


@pytest.fixture
def province(make_unit, make_user, snapshots) -> Province:
    return snapshots.keep("reminders province", lambda: _build(make_unit, make_user))


def _build(make_unit, make_user) -> Province:
    snv = make_unit("SNV", name="Sở Nội vụ")
    division = make_unit("SNV-TCBC", parent=snv, name="Phòng Tổ chức - Biên chế")
    stc = make_unit("STC", name="Sở Tài chính")
    skhcn = make_unit("SKHCN", name="Sở Khoa học và Công nghệ")
    overdue = add_course(
        "security-basics", title_vi="An toàn thông tin cơ bản", title_en="Security basics"
    )
    soon = add_course("phishing", title_vi="Nhận diện lừa đảo", title_en="Spotting phishing")
    officer_snv = _staff(
        make_user,
        snv,
        "cntt.snv@example.gov.vn",
        locale="en",
        role=Role.UNIT_OFFICER,
        username="cntt.snv",
        full_name="Trần Văn Cường",
    )
    officer_stc = _staff(
        make_user,
        stc,
        "cntt.stc@example.gov.vn",
        role=Role.UNIT_OFFICER,
        username="cntt.stc",
        full_name="Phạm Thị Dung",
    )
    admin = _staff(
        make_user, skhcn, "quantri@example.gov.vn", role=Role.ICT_ADMIN, username="quantri"
    )
    lan = _staff(
        make_user,
        division,
        "lan@example.gov.vn",
        locale="en",
        classified=True,
        username="lan.nguyen",
        full_name="Nguyễn Thị Lan",
    )
    an = _staff(make_user, snv, "an@example.gov.vn", username="an.le", full_name="Lê Văn An")
    binh = _staff(make_user, stc, "binh@example.gov.vn", username="binh.vo", full_name="Võ Bình")
    nomail = _staff(make_user, snv, None, username="chi.do", full_name="Đỗ Thị Chi")
    for unit in (snv, stc):
        _assign(overdue, unit, TODAY + timedelta(days=10))
        _assign(soon, unit, DAY + timedelta(days=3))
    for officer in (officer_snv, officer_stc):  # officers have done their own training
        add_completion(officer, overdue, TODAY)
        add_completion(officer, soon, TODAY)
    return Province(
        snv, division, stc, officer_snv, officer_stc, admin, lan, an, binh, nomail, overdue, soon
    )


def _text(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _html(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _run(day: date = DAY) -> reminders.ReminderReport:
    report = send_reminders(day, dry_run=False)
    db.session.commit()
    return report


# What arrives, to whom, in which language


def test_reminders_reach_a_real_smtp_server_in_each_readers_language(province, inbox):
    _run()
    assert inbox.recipients() == sorted(
        [
            "an@example.gov.vn",
            "binh@example.gov.vn",
            "cntt.snv@example.gov.vn",  # the digest
            "cntt.stc@example.gov.vn",  # the digest
            "lan@example.gov.vn",
        ]
    )
    [english] = inbox.to("lan@example.gov.vn")
    assert english["Subject"] == "Khiên: 1 course overdue"
    assert english["Content-Language"] == "en"
    assert english["Auto-Submitted"] == "auto-generated"
    assert english.get_content_type() == "multipart/mixed"
    assert english.get_body(preferencelist=("plain",)) is not english.get_body(
        preferencelist=("html",)
    )
    text, html = _text(english), _html(english)
    for part in (text, html):
        assert "Nguyễn Thị Lan" in part
        assert "Security basics" in part
        assert "Deadline 05/12/2026: 10 days overdue." in part
        assert "Spotting phishing" in part
        assert "Deadline 18/12/2026: 3 days left." in part
        assert f"{BASE}/courses/security-basics" in part
        assert f"{BASE}/courses/phishing" in part
        assert "Phòng Tổ chức - Biên chế" in part  # the footer names the unit
        assert "288/CT-UBND" in part
        assert "An Giang" in part
        assert "Department of Science and Technology" in part
    assert text.index("Security basics") < text.index("Spotting phishing")  # overdue first
    assert '<html lang="en">' in html

    [vietnamese] = inbox.to("an@example.gov.vn")
    with force_locale("vi"):
        subject = ngettext("Khiên: %(num)d course overdue", "Khiên: %(num)d courses overdue", 1)
    assert vietnamese["Subject"] == subject
    assert vietnamese["Content-Language"] == "vi"
    text, html = _text(vietnamese), _html(vietnamese)
    assert "An toàn thông tin cơ bản" in text
    assert "Security basics" not in text
    assert "Nhận diện lừa đảo" in html
    assert '<html lang="vi">' in html
    assert "Sở Nội vụ" in text


def test_messages_carry_no_images_trackers_or_unsubscribe_links(province, inbox):
    _run()
    assert inbox.messages
    for message in inbox.messages:
        assert not [p for p in message.walk() if p.get_content_maintype() == "image"]
        text, html = _text(message), _html(message)
        assert "<img" not in html.lower()
        assert "unsubscribe" not in (text + html).lower()
        assert "List-Unsubscribe" not in message
        for url in re.findall(r"https?://[^\s\"'<>)]+", text + html):
            assert url.startswith(BASE + "/"), url  # nothing loads from elsewhere


def test_names_are_escaped_in_the_html_part(province, make_user, inbox):
    _staff(
        make_user,
        province.snv,
        "giang@example.gov.vn",
        username="giang",
        full_name="Giang <b>In đậm</b>",
    )
    _run()
    [message] = inbox.to("giang@example.gov.vn")
    assert "Giang &lt;b&gt;In đậm&lt;/b&gt;" in _html(message)
    assert "<b>" not in _html(message)
    assert "Giang <b>In đậm</b>" in _text(message)


def test_completed_and_far_off_courses_are_not_reminded(province, inbox):
    add_completion(province.an, province.overdue, TODAY + timedelta(days=1))
    _run(DAY - timedelta(days=10))  # course A overdue by 0 days: due today; B 13 days away
    [message] = inbox.to("lan@example.gov.vn")
    assert "Deadline 05/12/2026: due today." in _text(message)
    assert "Spotting phishing" not in _text(message)
    assert inbox.to("an@example.gov.vn") == []  # A done, B not due within 7 days


def test_an_expired_completion_is_reminded(province, inbox):
    add_completion(province.binh, province.overdue, TODAY, months=12)
    add_completion(province.binh, province.soon, TODAY, months=12)
    later = TODAY + timedelta(days=400)  # 13 months on
    _run(later)
    [message] = inbox.to("binh@example.gov.vn")
    with force_locale("vi"):
        subject = ngettext(
            "Khiên: %(num)d course to take again", "Khiên: %(num)d courses to take again", 2
        )
    assert message["Subject"] == subject
    assert "25/11/2027" in _text(message)  # valid until


# Once a day, by the database's word


def test_a_second_run_the_same_day_sends_nothing_and_the_next_day_sends_again(province, inbox):
    first = _run()
    assert (first.reminders, len(first.learners), len(first.digests)) == (6, 3, 2)
    assert _count(Reminder) == 6
    assert _count(OfficerDigest) == 2
    sent = len(inbox.messages)

    again = _run()
    assert (again.reminders, len(again.digests)) == (0, 0)
    assert len(inbox.messages) == sent
    assert plan_reminders(DAY).learners == ()

    _run(DAY + timedelta(days=1))
    assert len(inbox.messages) == 2 * sent
    assert _count(Reminder) == 12


def test_the_database_refuses_a_duplicate_reminder(province):
    db.session.add(Reminder(person_id=province.an.id, course_id=province.overdue.id, sent_on=DAY))
    db.session.commit()
    db.session.add(Reminder(person_id=province.an.id, course_id=province.overdue.id, sent_on=DAY))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    db.session.add(OfficerDigest(officer_id=province.officer_snv.id, sent_on=DAY, overdue=1))
    db.session.add(OfficerDigest(officer_id=province.officer_snv.id, sent_on=DAY, overdue=2))
    with pytest.raises(IntegrityError):
        db.session.commit()


def test_two_jobs_started_at_once_send_each_reminder_once(app, province, inbox, monkeypatch):
    """Both plan the same reminders before either writes (the widest race); the unique rows
    let one job's inserts in, and the other sends nothing."""
    barrier = threading.Barrier(2, timeout=30)  # never hang the suite
    real_plan = reminders.plan_reminders

    def plan_then_wait(today: date) -> reminders.ReminderPlan:
        plan = real_plan(today)
        barrier.wait()
        return plan

    monkeypatch.setattr(reminders, "plan_reminders", plan_then_wait)
    sent: list[int] = []

    def job() -> None:
        with app.app_context():
            try:
                sent.append(send_reminders(DAY, dry_run=False).reminders)
                db.session.commit()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=job) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(sent) == [0, 6]
    assert len(inbox.messages) == 5
    assert len(set(inbox.recipients())) == 5
    db.session.expire_all()
    assert _count(Reminder) == 6


# After the commit, or never


def test_a_rolled_back_transaction_sends_nothing(province, inbox):
    report = send_reminders(DAY, dry_run=False)
    assert report.reminders == 6
    db.session.rollback()
    db.session.commit()  # a later commit does not resurrect the dropped messages
    assert inbox.messages == []
    assert _count(Reminder) == 0
    _run()  # and the day's reminders are still to send
    assert len(inbox.messages) == 5


def test_a_failed_request_sends_nothing(make_app, monkeypatch, province):
    other = make_app(BASE_URL=BASE)
    person_id, course_id, officer_id = province.an.id, province.overdue.id, province.officer_snv.id

    def remind(then_fail: bool) -> str:
        send_reminder_now(
            db.session.get(Person, person_id),
            db.session.get(Course, course_id),
            actor=db.session.get(Person, officer_id),
            today=DAY,
        )
        if then_fail:
            raise RuntimeError("the rest of the request failed")
        db.session.commit()
        return "sent"

    other.add_url_rule("/test/remind-and-fail", "remind_and_fail", lambda: remind(True))
    other.add_url_rule("/test/remind", "remind", lambda: remind(False))
    with smtp_inbox(other, monkeypatch) as box:
        with pytest.raises(RuntimeError):
            other.test_client().get("/test/remind-and-fail")
        assert box.messages == []
        assert other.test_client().get("/test/remind").status_code == 200
        assert box.recipients() == ["an@example.gov.vn"]
    db.session.expire_all()
    assert _count(Reminder) == 1


def test_a_dry_run_writes_and_sends_nothing(province, inbox):
    report = send_reminders(DAY, dry_run=True)
    assert report.dry_run
    assert (report.reminders, len(report.digests)) == (6, 2)
    db.session.commit()
    assert inbox.messages == []
    assert _count(Reminder) == 0
    assert _count(OfficerDigest) == 0


# Officers' digests


def test_each_officer_gets_a_digest_of_their_own_units_overdue_people(province, inbox):
    _run()
    [digest] = inbox.to("cntt.snv@example.gov.vn")
    assert digest["Subject"] == "Khiên: 3 people overdue in your units"
    assert digest["Content-Language"] == "en"
    text, html = _text(digest), _html(digest)
    for part in (text, html):
        assert "Nguyễn Thị Lan" in part
        assert "Lê Văn An" in part
        assert "Đỗ Thị Chi" in part  # no e-mail: the officer must chase them in person
        assert "no e-mail address: not reminded" in part
        assert "Võ Bình" not in part  # another agency's
        assert "Security basics" in part
        assert "Spotting phishing" not in part  # not overdue yet
        assert "Sở Nội vụ" in part
        assert "288/CT-UBND" in part
    lan_line = next(line for line in text.splitlines() if "Nguyễn Thị Lan" in line)
    assert "[priority]" in lan_line
    assert "Phòng Tổ chức - Biên chế" in lan_line
    assert "10 days overdue" in text
    assert text.index("Nguyễn Thị Lan") < text.index("Đỗ Thị Chi")  # priority first
    assert text.index("Nguyễn Thị Lan") < text.index("Lê Văn An")

    [other] = inbox.to("cntt.stc@example.gov.vn")
    assert other["Content-Language"] == "vi"
    assert "Võ Bình" in _text(other)
    assert "Nguyễn Thị Lan" not in _text(other)
    assert inbox.to("quantri@example.gov.vn") == []  # ICT admins get no digest
    rows = db.session.execute(select(OfficerDigest.officer_id, OfficerDigest.overdue)).all()
    assert sorted(rows) == sorted([(province.officer_snv.id, 3), (province.officer_stc.id, 1)])


def test_a_sub_unit_officer_sees_only_their_sub_unit(province, make_user, inbox):
    officer = _staff(
        make_user,
        province.division,
        "cntt.tcbc@example.gov.vn",
        locale="en",
        role=Role.UNIT_OFFICER,
        username="cntt.tcbc",
    )
    add_completion(officer, province.overdue, TODAY)
    add_completion(officer, province.soon, TODAY)
    _run()
    [digest] = inbox.to("cntt.tcbc@example.gov.vn")
    assert digest["Subject"] == "Khiên: 1 person overdue in your units"
    assert "Nguyễn Thị Lan" in _text(digest)
    assert "Lê Văn An" not in _text(digest)
    [above] = inbox.to("cntt.snv@example.gov.vn")
    assert above["Subject"] == "Khiên: 3 people overdue in your units"


def test_admins_get_nothing_and_an_overdue_officer_finds_themselves_in_the_digest(
    province, make_user, inbox
):
    _assign(province.overdue, province.admin.unit, TODAY + timedelta(days=10))
    late_officer = _staff(
        make_user,
        province.stc,
        "cntt2.stc@example.gov.vn",
        locale="en",
        role=Role.UNIT_OFFICER,
        username="cntt2.stc",
        full_name="Hồ Văn Em",
    )
    _run()
    assert inbox.to("quantri@example.gov.vn") == []
    [digest] = inbox.to(late_officer.email)  # the digest only, no reminder of their own
    assert digest["Subject"] == "Khiên: 2 people overdue in your units"
    assert "Hồ Văn Em" in _text(digest)
    assert "Võ Bình" in _text(digest)


def test_a_digest_names_each_person_once_and_stops_at_its_limit(province, inbox, monkeypatch):
    _run(DAY + timedelta(days=5))  # both courses overdue now
    [digest] = inbox.to("cntt.snv@example.gov.vn")
    text = _text(digest)
    assert text.count("Nguyễn Thị Lan") == 1
    assert "Security basics: 15 days overdue (05/12/2026)" in text
    assert "Spotting phishing: 2 days overdue (18/12/2026)" in text
    assert _html(digest).count("Nguyễn Thị Lan") == 2  # a table row per course

    monkeypatch.setattr(reminder_mail, "DIGEST_MAX_LINES", 2)
    _run(DAY + timedelta(days=6))
    [_first, limited] = inbox.to("cntt.snv@example.gov.vn")
    assert limited["Subject"] == "Khiên: 3 people overdue in your units"
    assert "Lê Văn An" not in _text(limited)
    assert "4 more lines are not shown here." in _text(limited)


# "Send a reminder now"


def test_send_reminder_now_stays_in_scope_and_sends_once_a_day(province, inbox):
    with pytest.raises(NotAllowed):
        send_reminder_now(province.binh, province.overdue, actor=province.officer_snv, today=DAY)
    with pytest.raises(NotAllowed):
        send_reminder_now(province.an, province.overdue, actor=province.lan, today=DAY)

    assert send_reminder_now(province.lan, province.soon, actor=province.officer_snv, today=DAY)
    db.session.commit()
    [message] = inbox.to("lan@example.gov.vn")
    assert message["Subject"] == "Khiên: 1 course due soon"
    assert "Spotting phishing" in _text(message)
    assert "Security basics" not in _text(message)
    row = db.session.scalars(select(Reminder)).one()
    assert row.sent_by_id == province.officer_snv.id

    assert not send_reminder_now(province.lan, province.soon, actor=province.officer_snv, today=DAY)
    assert not send_reminder_now(province.lan, province.soon, actor=province.admin, today=DAY)
    db.session.commit()
    assert len(inbox.messages) == 1

    _run()  # the daily job that day reminds Lan of the other course only
    [_first, daily] = inbox.to("lan@example.gov.vn")
    assert "Security basics" in _text(daily)
    assert "Spotting phishing" not in _text(daily)

    assert send_reminder_now(
        province.binh, province.overdue, actor=province.admin, today=DAY + timedelta(days=1)
    )


def test_send_reminder_now_explains_what_it_cannot_do(province, inbox):
    with pytest.raises(RuleViolation):
        send_reminder_now(province.nomail, province.overdue, actor=province.officer_snv, today=DAY)
    with pytest.raises(RuleViolation):  # done
        send_reminder_now(province.officer_snv, province.overdue, actor=province.admin, today=DAY)
    unrequired = add_course()
    with pytest.raises(RuleViolation):
        send_reminder_now(province.an, unrequired, actor=province.officer_snv, today=DAY)
    db.session.commit()
    assert inbox.messages == []
    assert _count(Reminder) == 0


# Cost


def test_planning_costs_the_same_queries_for_few_and_many_people(
    province, make_user, count_queries
):
    def measure() -> int:
        db.session.commit()
        with count_queries() as log:
            plan = plan_reminders(DAY)
        assert plan.learners
        return len(log)

    few = measure()
    for n in range(15):
        _staff(make_user, province.division, f"p{n}@example.gov.vn", username=f"extra{n}")
    assert measure() == few


# The command


@pytest.fixture
def cli(app, database):
    runner = app.test_cli_runner()

    def invoke(*args: str):
        result = runner.invoke(args=["reminders", "send", *args])
        db.session.expire_all()
        return result

    return invoke


def test_the_command_sends_and_prints_one_line_per_person(province, inbox, cli):
    result = cli("--today", "15/12/2026")
    assert result.exit_code == 0, result.output
    output = result.output
    assert "15/12/2026" in output
    assert "MAIL_SERVER" not in output
    assert "lan.nguyen <lan@example.gov.vn>, SNV-TCBC" in output
    assert "an.le <an@example.gov.vn>, SNV" in output
    assert "binh.vo <binh@example.gov.vn>, STC" in output
    assert "cntt.snv <cntt.snv@example.gov.vn>, SNV" in output
    assert "chi.do" in output  # no e-mail address, named
    assert len(inbox.messages) == 5

    again = cli("--today", "15/12/2026")
    assert again.exit_code == 0, again.output
    assert "lan.nguyen" not in again.output
    assert len(inbox.messages) == 5


def test_the_dry_run_command_writes_nothing(province, inbox, cli):
    result = cli("--dry-run", "--today", "15/12/2026")
    assert result.exit_code == 0, result.output
    assert "lan.nguyen <lan@example.gov.vn>" in result.output
    assert inbox.messages == []
    assert _count(Reminder) == 0


def test_without_a_mail_server_the_command_says_the_log_has_them(
    province, no_mail_server, cli, caplog
):
    result = cli("--today", "15/12/2026")
    assert result.exit_code == 0, result.output
    assert "MAIL_SERVER" in result.output
    assert "No MAIL_SERVER set; not sent to lan@example.gov.vn" in caplog.text
    assert _count(Reminder) == 6


def test_a_mail_server_that_refuses_makes_the_command_fail(province, app, monkeypatch, cli):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    mail_state = app.extensions["mail"]
    monkeypatch.setattr(mail_state, "server", "127.0.0.1")
    monkeypatch.setattr(mail_state, "port", 9)  # discard: nothing listens
    monkeypatch.setattr(mail_state, "suppress", False)
    result = cli("--today", "15/12/2026")
    assert result.exit_code == 1
    assert "5" in result.output.splitlines()[-1]


def test_one_refused_address_holds_back_nobody_else(province, app, monkeypatch, cli):
    handler = RefusingInbox({"an@example.gov.vn"})
    with smtp_inbox(app, monkeypatch, handler) as box:
        monkeypatch.setitem(app.config, "BASE_URL", BASE)
        result = cli("--today", "15/12/2026")
    assert result.exit_code == 1
    assert "1" in result.output.splitlines()[-1]
    assert "an@example.gov.vn" not in box.recipients()
    assert len(box.messages) == 4


def test_smtp_settings_come_from_the_environment():
    settings = settings_from_env(
        {"MAIL_SERVER": "smtp.example.gov.vn", "MAIL_PORT": "465", "MAIL_USE_SSL": "true"}
    )
    assert settings["MAIL_SERVER"] == "smtp.example.gov.vn"
    assert settings["MAIL_PORT"] == 465
    assert settings["MAIL_USE_SSL"] is True
    assert "MAIL_USE_TLS" not in settings


def test_a_bad_date_is_refused(cli, database):
    result = cli("--today", "31/02/2026")
    assert result.exit_code == 2
    assert "31/02/2026" in result.output
