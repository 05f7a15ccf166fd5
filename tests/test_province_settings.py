"""Province settings: what the ICT admin publishes reaches every lesson and question that names
it, an empty one shows a visible notice, and a bad value or a mistyped name changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.helpers import ready_for_the_sample_quiz, sign_in
from training.clock import utcnow
from training.errors import NotAllowed
from training.extensions import db
from training.org.models import Person, ProvinceSetting, Role
from training.org.province import SettingChange, save_settings
from training.quizzes.models import Attempt

NOTICE_VI = "Tỉnh chưa công bố đầu mối này — hãy hỏi cán bộ phụ trách công nghệ thông tin"
NOTICE_EN = "Your province has not published this contact yet"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def placeholders(content: Path) -> Path:
    """The sample course's first lesson and first question name the incident contact."""
    course = content / "courses" / "sample"
    _edit(
        course / "01-intro.vi.md",
        "\n\n",
        "\n\nBáo sự cố cho {{province.incident_body}}, gọi {{province.incident_phone}}.\n\n",
    )
    _edit(
        course / "01-intro.en.md",
        "\n\n",
        "\n\nReport incidents to {{province.incident_body}} on {{province.incident_phone}}.\n\n",
    )
    _edit(
        content / "quizzes" / "sample.yml",
        'vi: "Gửi văn bản cơ quan qua kênh nào?"',
        'vi: "Gửi văn bản cơ quan qua kênh nào của {{province.name}}?"',
    )
    _edit(
        content / "quizzes" / "sample.yml", "questions_per_attempt: 2", "questions_per_attempt: 3"
    )
    return content


@pytest.fixture
def learner(app, make_user):
    person = make_user(username="hocvien", full_name="Trần Thị Mỹ Hạnh")
    client = app.test_client()
    sign_in(client, person.username)
    return client


@pytest.fixture
def admin(app, make_user):
    make_user(username="quantri", full_name="Lê Văn Quản", role=Role.ICT_ADMIN)
    client = app.test_client()
    sign_in(client, "quantri")
    return client


def _lesson(client, lang: str = "vi") -> str:
    client.post(f"/language/{lang}")
    return client.get("/courses/sample/lessons/01-intro").get_data(as_text=True)


def test_an_empty_setting_shows_the_notice_and_a_published_one_its_value(
    app, placeholders, sync, learner
):
    assert sync().exit_code == 0
    page = _lesson(learner)
    assert page.count(NOTICE_VI) == 2
    assert "{{province." not in page

    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["province", "set", "incident_body", "Công an tỉnh", "--en", "Provincial Police"]
    )
    assert result.exit_code == 0, result.output
    assert (
        runner.invoke(args=["province", "set", "incident_phone", "0296 3 861 234"]).exit_code == 0
    )

    page = _lesson(learner)
    assert "Báo sự cố cho Công an tỉnh, gọi" in page
    assert '<a href="tel:02963861234">0296 3 861 234</a>' in page  # a phone can dial it
    assert NOTICE_VI not in page
    english = _lesson(learner, "en")
    assert "Report incidents to Provincial Police on" in english

    assert runner.invoke(args=["province", "clear", "incident_phone"]).exit_code == 0
    page = _lesson(learner)
    assert page.count(NOTICE_VI) == 1
    assert NOTICE_EN in _lesson(learner, "en")


def test_a_value_is_text_never_markup(app, placeholders, sync, learner):
    assert sync().exit_code == 0
    save_settings(
        {"incident_body": SettingChange('<script>alert(1)</script> & "Sở"')},
        actor=None,
        now=utcnow(),
    )
    db.session.commit()
    page = _lesson(learner)
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;Sở&#34;" in page


def test_questions_show_the_setting_in_the_attempt_and_the_result(
    app, placeholders, sync, make_user
):
    assert sync().exit_code == 0
    save_settings({"name": SettingChange("tỉnh An Giang")}, actor=None, now=utcnow())
    db.session.commit()
    make_user(username="hocvien2", full_name="Ngô Văn Tài")
    client = ready_for_the_sample_quiz(app, "hocvien2")
    response = client.post("/courses/sample/quiz")  # every question is drawn
    attempt = db.session.get(Attempt, int(response.headers["Location"].rsplit("/", 1)[1]))
    seen = client.get(f"/attempts/{attempt.id}").get_data(as_text=True)
    client.post(f"/attempts/{attempt.id}", data={"q1": "0", "q2": "0"})
    seen += client.get(f"/attempts/{attempt.id}").get_data(as_text=True)
    assert "Gửi văn bản cơ quan qua kênh nào của tỉnh An Giang?" in seen
    assert "{{province." not in seen


def test_a_mistyped_setting_name_is_an_error_and_the_course_keeps_its_version(app, content, sync):
    assert sync().exit_code == 0
    course = content / "courses" / "sample"
    _edit(course / "01-intro.vi.md", "\n\n", "\n\nGọi {{province.incident_phon}}.\n\n")
    _edit(course / "01-intro.en.md", 'title: "', 'title: "{{province.name}} ')
    _edit(
        content / "quizzes" / "sample.yml",
        'vi: "Gửi văn bản cơ quan qua kênh nào?"',
        'vi: "Gửi qua {{tinh.ten}}?"',
    )
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 1
    assert "01-intro.vi.md" in result.output
    assert "unknown province setting 'incident_phon'" in result.output
    assert "sample.yml" in result.output
    assert "{{tinh.ten}} is not a placeholder" in result.output
    assert "a title cannot name a province setting" in result.output
    assert sync().exit_code == 1  # refused: learners would have seen the braces


def test_the_admin_page_saves_all_or_nothing_and_lists_where_each_setting_is_used(
    app, placeholders, admin
):
    page = admin.get("/content/province").get_data(as_text=True)
    assert "sample/01-intro" in page  # where incident_body is used
    form = {
        "incident_body": "Công an tỉnh",
        "incident_phone": "gọi tôi",  # not a phone number
        "incident_email": "suco@angiang.gov.vn",
        "mail_domain": "@angiang.gov.vn",
    }
    response = admin.post("/content/province", data=form)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "0296 3 123 456" in body  # the phone field's message, with an example
    assert "angiang.gov.vn, without @" in body or "không có @" in body
    assert db.session.scalar(select(func.count()).select_from(ProvinceSetting)) == 0

    form.update(incident_phone="0296 3 861 234", mail_domain="AnGiang.gov.vn")
    response = admin.post("/content/province", data=form)
    assert response.status_code == 302
    saved = {s.name: s.value for s in db.session.scalars(select(ProvinceSetting))}
    assert saved == {
        "incident_body": "Công an tỉnh",
        "incident_phone": "0296 3 861 234",
        "incident_email": "suco@angiang.gov.vn",
        "mail_domain": "angiang.gov.vn",
    }
    overview = admin.get("/content/").get_data(as_text=True)
    unpublished = overview.split('id="empty-settings-title"')[1].split("</section>")[0]
    assert "{{province.name}}" in unpublished  # empty, and used by a question
    assert "sa-001" in unpublished
    assert "{{province.incident_body}}" not in unpublished  # published now


def test_only_the_ict_admin_changes_settings(app, placeholders, make_user):
    make_user(username="canbo", full_name="Phan Thị Ngọc", role=Role.UNIT_OFFICER)
    officer = app.test_client()
    sign_in(officer, "canbo")
    assert officer.get("/content/province").status_code == 403
    assert officer.post("/content/province", data={"name": "x"}).status_code == 403
    with pytest.raises(NotAllowed):
        save_settings(
            {"name": SettingChange("x")},
            actor=db.session.scalar(select(Person).where(Person.username == "canbo")),
            now=utcnow(),
        )
    assert db.session.scalar(select(func.count()).select_from(ProvinceSetting)) == 0


def test_the_command_refuses_bad_values_and_control_characters(app, database):
    runner = app.test_cli_runner()
    for args in (
        ["province", "set", "incident_email", "not-an-address"],
        ["province", "set", "document_system_url", "javascript:alert(1)"],
        ["province", "set", "incident_body", "Công an\u202etỉnh"],
        ["province", "set", "mail_domain", "angiang.gov.vn", "--en", "x"],
        ["province", "set", "no_such_setting", "x"],
    ):
        result = runner.invoke(args=args)
        assert result.exit_code != 0, args
    assert db.session.scalar(select(func.count()).select_from(ProvinceSetting)) == 0
    shown = runner.invoke(args=["province", "show"]).output
    assert "incident_body" in shown
    assert "(trống" in shown


def test_the_demo_province_publishes_invented_contacts_marked_as_demo(app, database):
    from training.org.demo import DEMO_SETTINGS

    for name, change in DEMO_SETTINGS.items():
        text = f"{change.value} {change.value_en}"
        assert "demo" in text or ".example" in text or change.value == "000 000 0000", name
