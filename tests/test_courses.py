"""Learning: courses load from files, render once, stay safe, and keep learners' progress."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.helpers import sign_in
from training.courses import loading, services
from training.courses.models import Course, CourseVersion, LessonRead, LessonText
from training.courses.services import forget_cached_lessons
from training.extensions import db
from training.org.models import Role, UnitKind


@pytest.fixture
def learner(app, make_user, make_unit):
    person = make_user(username="hocvien", full_name="Trần Thị Mỹ Hạnh")
    client = app.test_client()
    sign_in(client, person.username)
    return client


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_learner_reads_a_course_through_and_resumes(content, sync, learner):
    assert sync().exit_code == 0
    course_page = learner.get("/courses/sample").get_data(as_text=True)
    assert "Khoá học mẫu" in course_page
    assert "Không sử dụng hệ thống email công cộng" in course_page  # what D3.2 asks
    assert "Bắt đầu khoá học" in course_page

    lesson = learner.get("/courses/sample/lessons/01-intro").get_data(as_text=True)
    assert "<strong>hệ thống chính thức</strong>" in lesson
    assert 'href="02-email"' in lesson  # the lesson link, in the reader's language
    assert 'src="../media/images/diagram.png"' in lesson

    response = learner.post("/courses/sample/lessons/01-intro/read")
    assert response.headers["Location"] == "/courses/sample/lessons/02-email"
    resumed = learner.get("/courses/sample").get_data(as_text=True)
    assert "Học tiếp từ chỗ đã dừng" in resumed
    assert 'href="/courses/sample/lessons/02-email">Học tiếp' in resumed.replace("\n", "").replace(
        "      ", ""
    ).replace("    ", "")

    learner.post("/courses/sample/lessons/02-email/read")
    done = learner.get("/courses/sample").get_data(as_text=True)
    assert "2/2" in done or "2 trên 2" in done or "Đã đọc 2/2" in done or "2 of 2" in done


def test_english_reader_gets_english_lessons(content, sync, learner):
    sync()
    learner.post("/language/en")
    page = learner.get("/courses/sample/lessons/02-email").get_data(as_text=True)
    assert "No Gmail" in page
    assert '<div class="admonition warning">' in page
    assert "<table>" in page


def test_missing_translation_falls_back_with_a_notice(content, sync, learner):
    (content / "courses" / "sample" / "02-email.en.md").unlink()
    result = sync()
    assert result.exit_code == 0  # a warning, not an error: the course loads
    learner.post("/language/en")
    page = learner.get("/courses/sample/lessons/02-email").get_data(as_text=True)
    assert "not yet available in English" in page
    assert "Không gửi văn bản cơ quan qua Gmail." in page
    assert 'lang="vi"' in page


def test_script_in_a_lesson_never_reaches_the_page(content, sync, learner):
    _edit(
        content / "courses" / "sample" / "01-intro.vi.md",
        "Xem tiếp",
        '<script>alert("xss")</script>\n<img src=x onerror="alert(1)">\n\nXem tiếp',
    )
    result = sync()
    assert result.exit_code == 0  # raw HTML is a warning: the course loads, shown as text
    assert "01-intro.vi.md:8: warning: raw HTML <script> is shown as text" in result.output
    page = learner.get("/courses/sample/lessons/01-intro").get_data(as_text=True)
    body = page[page.index('class="lesson-body"') :]
    assert "<script" not in body
    assert "&lt;script&gt;alert" in body  # the reader sees what the author wrote
    assert body.count("<img") == 1  # only the lesson's own diagram
    assert "Xem tiếp" in body


def test_a_javascript_link_is_refused(content, sync, learner):
    _edit(
        content / "courses" / "sample" / "01-intro.en.md",
        "Read [lesson 2]",
        "[click](javascript:alert(2)) Read [lesson 2]",
    )
    result = sync()
    assert result.exit_code == 1
    assert "01-intro.en.md:8: link 'javascript:alert(2' must point to" in result.output
    assert learner.get("/courses/sample").status_code == 404  # never loaded before


def test_progress_survives_a_content_change_and_resync(content, sync, learner):
    sync()
    learner.post("/courses/sample/lessons/01-intro/read")
    _edit(
        content / "courses" / "sample" / "01-intro.vi.md",
        "Văn bản của cơ quan",
        "Mọi văn bản của cơ quan",
    )
    result = sync()
    assert "updated: sample" in result.output
    course = db.session.scalar(select(Course).where(Course.slug == "sample"))
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(CourseVersion)
            .where(CourseVersion.course_id == course.id)
        )
        == 2
    )
    page = learner.get("/courses/sample").get_data(as_text=True)
    assert "Học tiếp từ chỗ đã dừng" in page  # lesson 1 still read
    lesson = learner.get("/courses/sample/lessons/01-intro").get_data(as_text=True)
    assert "Mọi văn bản của cơ quan" in lesson


def test_a_broken_change_is_refused_and_the_old_version_stays(content, sync, learner):
    sync()
    _edit(content / "courses" / "sample" / "01-intro.vi.md", "clauses: [D3.1]", "clauses: [D99]")
    _edit(content / "courses" / "sample" / "01-intro.vi.md", "Văn bản của cơ quan", "Nội dung hỏng")
    result = sync()
    assert result.exit_code == 1
    assert "REFUSED: sample" in result.output
    page = learner.get("/courses/sample/lessons/01-intro").get_data(as_text=True)
    assert "Văn bản của cơ quan" in page
    assert "Nội dung hỏng" not in page


def test_a_course_removed_from_disk_is_hidden_not_deleted(content, sync, learner):
    sync()
    learner.post("/courses/sample/lessons/01-intro/read")
    shutil.rmtree(content / "courses" / "sample")
    (content / "quizzes" / "sample.yml").unlink()
    assert "hidden: sample" in sync().output
    assert learner.get("/courses/sample").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(LessonRead)) == 1


def test_lessons_are_served_from_the_render_cache(content, sync, learner, monkeypatch):
    calls = []
    real = loading.render_lesson

    def counting(body: str) -> str:
        calls.append(body)
        return real(body)

    monkeypatch.setattr(loading, "render_lesson", counting)
    sync()
    assert len(calls) == 4  # two lessons, two languages: rendered once, at load time
    for _ in range(3):
        assert learner.get("/courses/sample/lessons/01-intro").status_code == 200
        learner.post("/language/en")
        assert learner.get("/courses/sample/lessons/02-email").status_code == 200
    assert len(calls) == 4  # page views never render
    sync()
    assert len(calls) == 4  # nothing changed, nothing rendered
    _edit(content / "courses" / "sample" / "02-email.en.md", "Never send", "Do not send")
    sync()
    assert len(calls) == 5  # only the changed lesson text is rendered again


def test_marking_read_twice_counts_once(content, sync, learner):
    sync()
    learner.post("/courses/sample/lessons/01-intro/read")
    learner.post("/courses/sample/lessons/01-intro/read")
    assert db.session.scalar(select(func.count()).select_from(LessonRead)) == 1


def test_unknown_lesson_is_404(content, sync, learner):
    sync()
    assert learner.get("/courses/sample/lessons/99-none").status_code == 404
    assert learner.post("/courses/sample/lessons/99-none/read").status_code == 404
    assert learner.get("/courses/nothing").status_code == 404


def test_images_come_only_from_the_course_folder(content, sync, learner, tmp_path):
    sync()
    with learner.get("/courses/sample/media/images/diagram.png") as image:
        assert image.status_code == 200
        assert image.mimetype == "image/png"
        assert image.data.startswith(b"\x89PNG")
    assert learner.get("/courses/sample/media/course.yml").status_code == 404
    assert learner.get("/courses/sample/media/../../quizzes/sample.yml").status_code == 404
    assert learner.get("/courses/sample/media/images/%2e%2e/course.yml").status_code == 404


def test_priority_course_is_only_for_priority_staff(content, sync, app, make_user, make_unit):
    _edit(content / "courses" / "sample" / "course.yml", "audience: all", "audience: priority")
    sync()
    unit = make_unit("SNV")
    ordinary = app.test_client()
    sign_in(ordinary, make_user(unit=unit, username="binhthuong").username)
    drafter = app.test_client()
    sign_in(drafter, make_user(unit=unit, username="soanmat", classified=True).username)
    assert ordinary.get("/courses/sample").status_code == 404
    assert "Khoá học mẫu" not in ordinary.get("/courses/").get_data(as_text=True)
    assert drafter.get("/courses/sample").status_code == 200


def test_learner_home_lists_priority_courses_first(app, database, make_user, make_unit):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["content", "sync"]).exit_code == 0
    key = make_unit("VPUB-TH", kind=UnitKind.DIVISION, key=True)
    person = make_user(unit=key, username="hanh.tran", role=Role.LEARNER)
    client = app.test_client()
    sign_in(client, person.username)
    html = client.get("/").get_data(as_text=True)
    titles = re.findall(r'<h3><a href="/courses/([a-z-]+)">', html)
    assert set(titles[:2]) == {"state-secrets", "key-departments"}  # priority courses lead (D2)
    assert "it-staff" not in titles  # not IT staff
    assert "unit-heads" not in titles  # not a head of unit
    assert len(titles) == 8


def test_a_cold_lesson_page_costs_a_fixed_number_of_queries(content, sync, learner, count_queries):
    """The first view in a process also fills the caches; tests/test_query_counts.py fixes the
    steady cost of this page and the other busy ones."""
    sync()
    forget_cached_lessons()
    db.session.remove()  # as a new request in production: nothing loaded yet
    with count_queries() as log:
        assert learner.get("/courses/sample/lessons/02-email").status_code == 200
    # person, course with the reader's reads, lesson titles with their texts, this lesson's HTML
    assert len(log) == 4, log.summary()


def test_lessons_asked_for_before_they_are_loaded_are_found_once_they_are(content, sync):
    """A hash read a moment before its rows are committed finds nothing; the process cache
    must not keep that nothing for the rest of its life."""
    assert sync().exit_code == 0
    content_hash = db.session.scalar(select(Course.current_hash).where(Course.slug == "sample"))
    lessons = services.lessons_of(content_hash)
    source_hash = lessons[0].hashes["vi"]
    forget_cached_lessons()
    version = db.session.scalar(
        select(CourseVersion).where(CourseVersion.content_hash == content_hash)
    )
    version.content_hash = "not-yet"
    text = db.session.scalar(select(LessonText).where(LessonText.source_hash == source_hash))
    text.source_hash = "not-yet"
    db.session.flush()
    assert services.lessons_of(content_hash) == ()
    assert services.lesson_html(source_hash) == ""
    version.content_hash = content_hash
    text.source_hash = source_hash
    db.session.flush()
    assert services.lessons_of(content_hash) == lessons
    assert "<p>" in services.lesson_html(source_hash)


def test_init_refuses_a_broken_course_and_keeps_the_loaded_one(app, content, sync, learner):
    sync()
    _edit(content / "courses" / "sample" / "02-email.vi.md", "clauses: [D3.2]", "clauses: [X]")
    result = app.test_cli_runner().invoke(args=["init"])
    assert result.exit_code == 1
    assert "02-email.vi.md:3: unknown clause ID 'X'" in result.output
    assert learner.get("/courses/sample/lessons/02-email").status_code == 200
