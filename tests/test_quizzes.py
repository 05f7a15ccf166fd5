"""Quizzes that cannot be gamed, and certificates anyone can verify."""

from __future__ import annotations

import random
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tests.helpers import ROOT, ready_for_the_sample_quiz, sign_in
from training.clock import today_vn, utcnow
from training.courses.completions import (
    add_months,
    record_completion,
    valid_completion,
    valid_until_by_course,
)
from training.courses.models import Completion, Course
from training.extensions import db
from training.org.models import Person
from training.quizzes import attempts as svc
from training.quizzes.grading import percent, points_for
from training.quizzes.models import Attempt, AttemptResult, AttemptStatus, QuestionType, Quiz


@pytest.fixture
def content(content):
    """The sample quiz, with a time limit and a daily allowance to enforce."""
    quiz = content / "quizzes" / "sample.yml"
    quiz.write_text(
        quiz.read_text(encoding="utf-8").replace(
            "questions_per_attempt: 2",
            "questions_per_attempt: 2\ntime_limit_minutes: 20\nmax_attempts_per_day: 3",
        ),
        encoding="utf-8",
    )
    return content


@pytest.fixture
def loaded(content, sync):
    result = sync()
    assert result.exit_code == 0, result.output
    return content


@pytest.fixture
def learner(app, loaded, make_user):
    person = make_user(username="hocvien", full_name="Trần Thị Mỹ Hạnh")
    return person, ready_for_the_sample_quiz(app, person.username)


def _start(client) -> Attempt:
    response = client.post("/courses/sample/quiz")
    assert response.status_code == 302, response.get_data(as_text=True)
    attempt_id = int(response.headers["Location"].rsplit("/", 1)[1])
    return db.session.get(Attempt, attempt_id)


def _right_answers(attempt: Attempt) -> dict[str, list[str]]:
    return {
        f"q{q.position}": [str(i) for i, c in enumerate(q.payload["choices"]) if c["correct"]]
        for q in attempt.questions
    }


def test_correct_answers_never_reach_an_open_attempt(learner):
    _person, client = learner
    attempt = _start(client)
    html = client.get(f"/attempts/{attempt.id}").get_data(as_text=True)
    assert "correct" not in html
    for question in attempt.questions:
        assert question.payload["text"]["vi"] in html
        assert question.payload["explanation"]["vi"] not in html
    assert "Đáp án đúng" not in html


def test_a_full_run_passes_completes_and_certifies(app, learner):
    person, client = learner
    attempt = _start(client)
    response = client.post(
        f"/attempts/{attempt.id}", data=_right_answers(attempt), follow_redirects=True
    )
    html = response.get_data(as_text=True)
    assert "100%" in html
    assert "Đạt" in html
    for question in attempt.questions:
        assert question.payload["explanation"]["vi"] in html  # why, for every question
    completion = db.session.scalar(select(Completion).where(Completion.person_id == person.id))
    assert completion.valid_until == add_months(completion.completed_on, 12)
    my_courses = client.get("/courses/").get_data(as_text=True)
    assert f"Đã hoàn thành, hiệu lực đến {completion.valid_until:%d/%m/%Y}" in my_courses
    certificate = client.get(f"/certificates/{completion.code}").get_data(as_text=True)
    assert "Trần Thị Mỹ Hạnh" in certificate
    assert completion.code in certificate
    assert "Quốc huy" not in certificate
    assert "Độc lập - Tự do - Hạnh phúc" not in certificate
    public = app.test_client().get(f"/verify/{completion.code.lower().replace('-', '')}")
    assert public.status_code == 200
    page = public.get_data(as_text=True)
    assert "Trần Thị Mỹ Hạnh" in page
    assert "Khoá học mẫu" in page
    assert completion.valid_until.strftime("%d/%m/%Y") in page
    assert person.username not in page
    assert "100%" not in page  # the score is nobody else's business


def test_wrong_answers_fail_and_show_what_was_right(learner):
    _person, client = learner
    attempt = _start(client)
    wrong = {}
    for q in attempt.questions:
        if q.type == QuestionType.MULTIPLE:
            wrong[f"q{q.position}"] = [
                str(i) for i, c in enumerate(q.payload["choices"]) if not c["correct"]
            ]
        else:
            wrong[f"q{q.position}"] = [
                str(next(i for i, c in enumerate(q.payload["choices"]) if not c["correct"]))
            ]
    html = client.post(f"/attempts/{attempt.id}", data=wrong, follow_redirects=True).get_data(
        as_text=True
    )
    assert "0%" in html
    assert "Chưa đạt" in html
    assert "đáp án đúng" in html
    assert db.session.scalar(select(func.count()).select_from(Completion)) == 0


def test_a_second_submit_changes_nothing(learner):
    _person, client = learner
    attempt = _start(client)
    client.post(f"/attempts/{attempt.id}", data=_right_answers(attempt))
    replay = client.post(f"/attempts/{attempt.id}", data={}, follow_redirects=True)
    assert "đã được nộp" in replay.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(AttemptResult)) == 1
    assert db.session.scalar(select(AttemptResult.score)) == 100


def test_twenty_concurrent_submits_grade_once(app, learner):
    _person, client = learner
    attempt_id = _start(client).id
    db.session.commit()
    answers = {
        q.position: [i for i, c in enumerate(q.payload["choices"]) if c["correct"]]
        for q in db.session.get(Attempt, attempt_id).questions
    }
    barrier = threading.Barrier(20, timeout=30)  # never hang the suite
    outcomes: list[str] = []

    def submit() -> None:
        with app.app_context():
            barrier.wait()  # all twenty go at once
            try:
                attempt = db.session.get(Attempt, attempt_id)
                svc.submit_attempt(attempt, answers, now=utcnow(), today=today_vn())
                db.session.commit()
                outcomes.append("graded")
            except (svc.AlreadySubmitted, IntegrityError):
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=submit) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["graded"] + ["refused"] * 19
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(AttemptResult)) == 1
    assert db.session.scalar(select(func.count()).select_from(Completion)) == 1
    assert db.session.get(Attempt, attempt_id).status == AttemptStatus.GRADED


RACERS = 12


@pytest.mark.parametrize("after_an_overdue_one", [False, True])
def test_simultaneous_starts_open_one_attempt(app, learner, monkeypatch, after_an_overdue_one):
    """The attack: twenty starts at once made eleven open attempts, whose result pages then
    gave away the answers to the others. Here every request is held after its checks until all
    have checked (the widest possible race), then they all insert: the database lets exactly
    one in, and every request lands on that attempt. Twelve requests: each holds a pooled
    connection while it waits, and the pool has fifteen. The same holds when an attempt past
    its deadline still holds the slot: every start releases it, one new attempt gets in."""
    _person, client = learner
    overdue_id = None
    if after_an_overdue_one:
        overdue = _start(client)
        overdue.deadline_at = utcnow() - timedelta(minutes=1)
        overdue_id = overdue.id
        db.session.commit()
    cookie = client.get_cookie("session").value
    barrier = threading.Barrier(RACERS, timeout=30)  # never hang the suite
    first_check = threading.local()
    real_standing = svc.standing

    def standing_then_wait(*args, **kwargs):
        state = real_standing(*args, **kwargs)
        if not getattr(first_check, "done", False):
            first_check.done = True
            barrier.wait()  # nobody inserts before everybody has checked
        return state

    monkeypatch.setattr(svc, "standing", standing_then_wait)
    landed: list[str] = []

    def start() -> None:
        browser = app.test_client()
        browser.set_cookie("session", cookie)
        response = browser.post("/courses/sample/quiz")
        landed.append(response.headers.get("Location", str(response.status_code)))

    threads = [threading.Thread(target=start) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.expire_all()
    attempts = db.session.scalars(select(Attempt).where(Attempt.id != overdue_id)).all()
    assert len(attempts) == 1
    assert landed == [f"/attempts/{attempts[0].id}"] * RACERS
    if overdue_id is not None:
        released = db.session.get(Attempt, overdue_id)
        assert (released.open_slot, released.status) == (None, AttemptStatus.EXPIRED)


def test_the_database_refuses_a_second_open_attempt_and_a_reused_day_slot(learner):
    """Even code that skips the checks cannot break the start rules: they are constraints."""
    _person, client = learner
    first = _start(client)
    db.session.commit()

    def copy(**changes) -> Attempt:
        fields = {
            column.key: getattr(first, column.key)
            for column in Attempt.__table__.columns
            if column.key != "id"
        }
        return Attempt(**{**fields, **changes})

    db.session.add(copy(day_seq=2))  # a second open attempt
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    db.session.add(copy(open_slot=None))  # the day's first attempt, again
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_passing_again_the_same_day_earns_no_second_certificate(learner):
    _, client = learner
    for _ in range(2):
        attempt = _start(client)
        client.post(f"/attempts/{attempt.id}", data=_right_answers(attempt))
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(AttemptResult)) == 2
    assert db.session.scalar(select(func.count()).select_from(Completion)) == 1


def test_a_completion_is_in_force_from_its_day_to_its_last_and_recorded_once_a_day(learner):
    _, client = learner
    attempt = _start(client)
    client.post(f"/attempts/{attempt.id}", data=_right_answers(attempt))
    earned = db.session.scalar(select(Completion))
    person_id, course_id = earned.person_id, earned.course_id
    again = record_completion(
        person_id=person_id,
        course_id=course_id,
        course_hash=earned.course_hash,
        validity_months=12,
        completed_on=earned.completed_on,
        attempt_id=earned.attempt_id,
    )
    assert again is None  # the same day: the database skipped it, the transaction goes on
    day, last = earned.completed_on, earned.valid_until
    assert valid_completion(person_id, course_id, on=day) == earned
    assert valid_completion(person_id, course_id, on=last) == earned
    assert valid_completion(person_id, course_id, on=day - timedelta(days=1)) is None
    assert valid_completion(person_id, course_id, on=last + timedelta(days=1)) is None
    assert valid_until_by_course(person_id, on=day) == {course_id: last}
    assert valid_until_by_course(person_id, on=last + timedelta(days=1)) == {}


def test_a_late_submit_is_refused_with_a_clear_message(learner):
    _person, client = learner
    attempt = _start(client)
    with pytest.raises(svc.QuizRefused, match=r"hết|ran out"):
        svc.submit_attempt(
            attempt, {}, now=attempt.deadline_at + timedelta(minutes=1), today=today_vn()
        )
    db.session.commit()
    assert attempt.status == AttemptStatus.EXPIRED
    assert db.session.scalar(select(func.count()).select_from(AttemptResult)) == 0
    html = client.post(
        f"/attempts/{attempt.id}", data=_right_answers(attempt), follow_redirects=True
    ).get_data(as_text=True)
    assert "đã hết thời gian" in html
    assert db.session.scalar(select(func.count()).select_from(AttemptResult)) == 0


def test_an_overdue_attempt_reads_as_expired_and_the_next_start_releases_its_slot(
    learner, count_queries
):
    """Nobody closes an attempt when its time runs out: the pages derive "expired" from the
    deadline and write nothing; the start of the next attempt (a POST) releases the slot."""
    _person, client = learner
    attempt_id = _start(client).id
    assert "Tiếp tục bài kiểm tra đang làm" in client.get("/courses/sample").get_data(as_text=True)
    db.session.get(Attempt, attempt_id).deadline_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    with count_queries() as log:
        course_page = client.get("/courses/sample").get_data(as_text=True)
        attempt_page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert not log.writes(), log.summary()
    assert "hết thời gian" in course_page
    assert "Tiếp tục bài kiểm tra đang làm" not in course_page  # nothing running to continue
    assert "đã hết thời gian trước khi nộp" in attempt_page
    db.session.expire_all()
    overdue = db.session.get(Attempt, attempt_id)
    assert overdue.status == AttemptStatus.EXPIRED
    assert (overdue.open_slot, overdue.expired_at) == (True, None)  # still holds the slot

    second = _start(client)
    assert second.id != attempt_id
    assert second.status == AttemptStatus.OPEN
    db.session.expire_all()
    released = db.session.get(Attempt, attempt_id)
    assert released.open_slot is None
    assert released.expired_at is not None


def test_attempts_per_day_are_enforced(learner):
    _person, client = learner
    for _ in range(3):
        attempt = _start(client)
        client.post(f"/attempts/{attempt.id}", data={})
    response = client.post("/courses/sample/quiz", follow_redirects=True)
    assert "đã dùng hết 3 lần làm bài hôm nay" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 3


def test_starting_twice_resumes_the_running_attempt(learner):
    _person, client = learner
    first = _start(client)
    second = _start(client)
    assert first.id == second.id


def test_quiz_opens_only_after_every_lesson(app, loaded, make_user):
    person = make_user(username="chuadoc")
    client = app.test_client()
    sign_in(client, person.username)
    response = client.post("/courses/sample/quiz", follow_redirects=True)
    assert "Hãy đọc hết các bài" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0


def test_another_learners_attempt_is_404(app, learner, make_user):
    _person, client = learner
    attempt = _start(client)
    other = make_user(username="nguoikhac")
    intruder = app.test_client()
    sign_in(intruder, other.username)
    assert intruder.get(f"/attempts/{attempt.id}").status_code == 404
    assert intruder.post(f"/attempts/{attempt.id}", data=_right_answers(attempt)).status_code == 404
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).status == AttemptStatus.OPEN


def test_a_finished_attempt_survives_a_bank_edit(app, learner, loaded):
    _person, client = learner
    attempt = _start(client)
    client.post(f"/attempts/{attempt.id}", data=_right_answers(attempt))
    bank = loaded / "quizzes" / "sample.yml"
    bank.write_text(
        bank.read_text(encoding="utf-8").replace(
            "Gửi văn bản cơ quan qua kênh nào?", "Câu hỏi đã sửa?"
        ),
        encoding="utf-8",
    )
    assert app.test_cli_runner().invoke(args=["content", "sync"]).exit_code == 0
    html = client.get(f"/attempts/{attempt.id}").get_data(as_text=True)
    assert "Câu hỏi đã sửa?" not in html
    assert db.session.scalar(select(AttemptResult.score)) == 100


def test_certificate_is_only_for_its_holder_and_unknown_codes_say_so(app, learner, make_user):
    _person, client = learner
    attempt = _start(client)
    client.post(f"/attempts/{attempt.id}", data=_right_answers(attempt))
    code = db.session.scalar(select(Completion.code))
    other = app.test_client()
    sign_in(other, make_user(username="nguoikhac").username)
    assert other.get(f"/certificates/{code}").status_code == 404
    unknown = app.test_client().get("/verify/AAAA-BBBB-CCCC")
    assert unknown.status_code == 404
    assert "Không có chứng nhận nào mang mã này" in unknown.get_data(as_text=True)


def test_the_certificate_prints_the_configured_address_whatever_the_host(app, learner):
    """The verification address on a printed certificate comes from configuration: a request
    arriving with `Host: evil.example` must not print a phishing address on it."""
    _person, client = learner
    attempt = _start(client)
    client.post(f"/attempts/{attempt.id}", data=_right_answers(attempt))
    code = db.session.scalar(select(Completion.code))
    client.set_cookie("session", client.get_cookie("session").value, domain="evil.example")
    page = client.get(f"/certificates/{code}", headers={"Host": "evil.example"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f"{app.config['BASE_URL']}/verify/{code}" in html
    assert "evil.example" not in html


def test_verification_shows_the_unit_at_completion_time(app, learner, make_unit):
    from training.org.units import move_person_to_unit

    person, client = learner
    attempt = _start(client)
    client.post(f"/attempts/{attempt.id}", data=_right_answers(attempt))
    completion = db.session.scalar(select(Completion))
    first_unit = db.session.get(Person, person.id).unit.name
    later = make_unit("MOI", name="Đơn vị mới")
    move_person_to_unit(
        db.session.get(Person, person.id), later, today=completion.completed_on + timedelta(days=30)
    )
    db.session.commit()
    page = app.test_client().get(f"/verify/{completion.code}").get_data(as_text=True)
    assert first_unit in page
    assert "Đơn vị mới" not in page


@pytest.mark.parametrize(
    ("kind", "selected", "partial", "expected"),
    [
        (QuestionType.SINGLE, [0], False, 1.0),
        (QuestionType.SINGLE, [1], False, 0.0),
        (QuestionType.MULTIPLE, [0, 1], False, 1.0),
        (QuestionType.MULTIPLE, [0], False, 0.0),
        (QuestionType.MULTIPLE, [0], True, 0.5),
        (QuestionType.MULTIPLE, [0, 2], True, 0.0),
        (QuestionType.MULTIPLE, [0, 1, 2], True, 0.5),
    ],
)
def test_scoring(kind, selected, partial, expected):
    payload = {"choices": [{"correct": True}, {"correct": True}, {"correct": False}]}
    if kind == QuestionType.SINGLE:
        payload = {"choices": [{"correct": True}, {"correct": False}]}
    assert points_for(kind, payload, selected, partial_credit=partial) == expected


def test_percent_rounds_down():
    assert percent([1.0] * 4 + [0.0]) == 80
    assert percent([1.0, 1.0, 1.0, 0.99, 0.0]) == 79


def test_months_are_calendar_months():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 25), 12) == date(2027, 11, 25)


def test_every_shipped_bank_draws_from_three_times_its_attempt(app, database):
    assert app.test_cli_runner().invoke(args=["content", "sync"]).exit_code == 0
    quizzes = db.session.scalars(select(Quiz)).all()
    assert len(quizzes) == len(list((ROOT / "quizzes").glob("*.yml"))) == 10
    total = 0
    for quiz in quizzes:
        pool = db.session.scalar(
            select(func.count())
            .select_from(db.metadata.tables["questions"])
            .where(db.metadata.tables["questions"].c.quiz_id == quiz.id)
        )
        assert pool >= 3 * quiz.questions_per_attempt, quiz.slug
        total += pool
    assert total >= 240


def test_drawing_is_random_but_frozen(app, learner):
    person, _client = learner
    course = db.session.scalar(select(Course).where(Course.slug == "sample"))
    quiz = svc.quiz_for(course)
    attempt = svc.start_attempt(
        db.session.get(Person, person.id),
        course,
        quiz,
        now=utcnow(),
        today=today_vn(),
        rng=random.Random(1),  # noqa: S311 - a seeded draw, not a secret
    )
    keys = [q.key for q in attempt.questions]
    assert len(keys) == 2
    assert len(set(keys)) == 2


def test_the_feedback_of_the_picked_choice_shows_after_grading_and_never_before(
    app, content, sync, make_user
):
    bank = content / "quizzes" / "sample.yml"
    text = bank.read_text(encoding="utf-8")
    wrong = '      - vi: "Gmail"\n        en: "Gmail"\n    explanation:'
    assert wrong in text
    bank.write_text(
        text.replace("questions_per_attempt: 2", "questions_per_attempt: 3").replace(  # all drawn
            wrong,
            '      - vi: "Gmail"\n        en: "Gmail"\n'
            "        feedback:\n"
            '          vi: "Gmail là thư điện tử công cộng: văn bản rời khỏi hệ thống của tỉnh."\n'
            '          en: "Gmail is public mail: the document leaves the province\'s system."\n'
            "    explanation:",
            1,
        ),
        encoding="utf-8",
    )
    check = app.test_cli_runner().invoke(args=["content", "check"])
    assert "feedback" not in check.output  # a known field
    assert sync().exit_code == 0
    make_user(username="hocvien3", full_name="Đỗ Thị Hoa")
    client = ready_for_the_sample_quiz(app, "hocvien3")
    feedback = "Gmail là thư điện tử công cộng"
    attempt = _start(client)
    first = next(q for q in attempt.questions if q.key == "sa-001")
    assert feedback not in client.get(f"/attempts/{attempt.id}").get_data(as_text=True)
    gmail = next(i for i, c in enumerate(first.payload["choices"]) if c["text"]["vi"] == "Gmail")
    page = client.post(
        f"/attempts/{attempt.id}", data={f"q{first.position}": str(gmail)}, follow_redirects=True
    ).get_data(as_text=True)
    assert feedback in page
