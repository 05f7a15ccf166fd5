"""`seed-demo` gives the demo province a year and a half of training: what a newcomer opening
the reports, the grid and the certificates should find there."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import distinct, exists, func, or_, select

from training.assignments.models import Requirement
from training.courses.models import Completion, CompletionMethod, LessonRead
from training.extensions import db
from training.org.models import Membership, Person
from training.quizzes.models import Attempt
from training.reports.coverage import COMPLETED, IN_PROGRESS, Filters, by_unit, people_rows
from training.site.demo import DEFAULTS_BEGAN_DAYS_AGO, JOINERS, UNTOUCHED


def test_completions_are_spread_over_the_months_and_earned_every_way(demo):
    completions = db.session.scalars(select(Completion)).all()
    assert len({(c.completed_on.year, c.completed_on.month) for c in completions}) >= 12
    methods = [c.method for c in completions]
    assert methods.count(CompletionMethod.IN_PERSON) >= 5
    assert methods.count(CompletionMethod.QUIZ) >= 50
    (manual,) = [c for c in completions if c.method == CompletionMethod.MANUAL]
    assert manual.reason
    assert manual.evidence
    assert manual.recorded_by_id is not None
    # A quiz pass has its attempt; an in-person one its session.
    assert all(c.attempt_id for c in completions if c.method == CompletionMethod.QUIZ)
    assert all(c.classroom_id for c in completions if c.method == CompletionMethod.IN_PERSON)


def test_some_certificates_lapsed_unrenewed_and_some_were_earned_late(demo):
    today = demo
    lapsed = db.session.execute(
        select(Completion.person_id, Completion.course_id)
        .group_by(Completion.person_id, Completion.course_id)
        .having(func.max(Completion.valid_until) < today)
    ).all()
    assert len(lapsed) >= 5
    late = db.session.scalar(
        select(func.count(Completion.id)).where(
            exists().where(
                Requirement.person_id == Completion.person_id,
                Requirement.course_id == Completion.course_id,
                Requirement.due_on < Completion.completed_on,
            )
        )
    )
    assert late >= 10


def test_priority_staff_are_overdue_today_and_some_people_are_half_way(demo):
    rows = list(people_rows(Filters(as_of=demo)))
    overdue_priority = {row[0] for row in rows if row[3] and row[6]}  # priority, overdue
    assert len(overdue_priority) >= 5
    statuses = [row[5] for row in rows]
    assert statuses.count(IN_PROGRESS) >= 5
    assert statuses.count(COMPLETED) >= 50


def test_coverage_has_figures_at_the_end_of_last_year_and_today(demo):
    today = demo
    began = today - timedelta(days=DEFAULTS_BEGAN_DAYS_AGO)
    assert by_unit(Filters(as_of=began - timedelta(days=1))).overview.required == 0
    for day in (began, began + timedelta(days=20), date(today.year - 1, 12, 31), today):
        overview = by_unit(Filters(as_of=day)).overview
        assert overview.staff > 50, day
        assert overview.required > overview.staff, day  # every course of the directive
    last_year = by_unit(Filters(as_of=date(today.year - 1, 12, 31))).overview
    now = by_unit(Filters(as_of=today)).overview
    assert last_year.completed < now.completed
    for overview in (last_year, now):
        assert 0 < overview.completed < overview.required
        assert 0 < overview.priority_completed < overview.priority_required
        assert overview.in_progress > 0
        assert 0 < overview.overdue <= overview.required - overview.completed


def test_requirements_follow_the_people_who_joined_and_left(demo):
    """Nobody is required to train before they joined: the defaults began for the people
    present then, the people hired since come under them the day they joined."""
    before_joining = db.session.scalar(
        select(func.count(Requirement.id)).where(
            ~exists().where(
                Membership.person_id == Requirement.person_id,
                Membership.valid_from <= Requirement.starts_on,
                or_(Membership.valid_to.is_(None), Membership.valid_to > Requirement.starts_on),
            )
        )
    )
    assert before_joining == 0
    for joiner in JOINERS:
        person = db.session.scalar(select(Person).where(Person.username == joiner.username))
        starts = set(
            db.session.scalars(
                select(Requirement.starts_on).where(Requirement.person_id == person.id)
            )
        )
        assert starts == {demo - timedelta(days=joiner.days_ago)}
    ended = db.session.execute(
        select(Person.active, Requirement.ended_on)
        .join(Person, Person.id == Requirement.person_id)
        .where(Requirement.ended_on.is_not(None))
    ).all()
    assert ended
    assert all(not active and ended_on < demo for active, ended_on in ended)


def test_the_learners_named_in_the_readme_keep_a_clean_slate(demo):
    people = select(Person.id).where(Person.username.in_(UNTOUCHED))
    for model in (Completion, LessonRead, Attempt):
        assert (
            db.session.scalar(
                select(func.count()).select_from(model).where(model.person_id.in_(people))
            )
            == 0
        )
    required = db.session.scalar(
        select(func.count(distinct(Requirement.person_id))).where(Requirement.person_id.in_(people))
    )
    assert required == len(UNTOUCHED)


def test_last_year_is_frozen_with_the_figures_of_its_last_day(demo):
    from training.reports.models import Snapshot

    last_day = date(demo.year - 1, 12, 31)
    (snapshot,) = db.session.scalars(select(Snapshot)).all()
    assert snapshot.as_of == last_day
    assert str(last_day.year) in snapshot.title
    overview = by_unit(Filters(as_of=last_day)).overview
    assert f'"required":{overview.required},' in snapshot.data
    assert f'"completed":{overview.completed},' in snapshot.data


def test_demo_lessons_show_the_demo_contacts_and_the_notice_once_one_is_cleared(app, demo):
    from tests.helpers import sign_in
    from training.content.catalog import content_dirs, read_catalog
    from training.content.settings_usage import setting_usage
    from training.org.demo import DEMO_SETTINGS

    catalog = read_catalog(*content_dirs())
    for_everyone = {c.slug for c in catalog.courses if c.audience.value == "all"}
    usage = setting_usage(catalog)
    lesson = next(u for u in usage["incident_body"] if u.split("/")[0] in for_everyone)
    slug, key = lesson.split("/")
    person = db.session.scalar(select(Person).where(Person.username == "khang.le"))
    client = app.test_client()
    sign_in(client, person.username, "khien-demo-2026")
    path = f"/courses/{slug}/lessons/{key}"
    page = client.get(path).get_data(as_text=True)
    assert DEMO_SETTINGS["incident_body"].value in page
    assert "Tỉnh chưa công bố đầu mối này" not in page

    cleared = app.test_cli_runner().invoke(args=["province", "clear", "incident_body"])
    assert cleared.exit_code == 0, cleared.output
    page = client.get(path).get_data(as_text=True)
    assert DEMO_SETTINGS["incident_body"].value not in page
    assert "Tỉnh chưa công bố đầu mối này" in page
