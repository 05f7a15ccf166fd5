"""The demo province's last year and a half of training, so that every screen and export shows
real figures to a newcomer, today and on any day since.

The directive's defaults begin 540 days before `today`, for the people present then (the 2025
reorganisation happens inside the period: requirements belong to people, who keep them as their
units merge and move); two people hired since come under them on the day they joined, and one
who left stops being required on the day they left. Across the months people read lessons, fail
and pass quizzes, attend two sessions (one completes the course by attendance, the other prepares
for the quiz) and have one course recorded by hand. So on any day some certificates are in
force, some have lapsed unrenewed, many were earned after the deadline, some people are half way
through, and some — priority staff among them, whose window is 30 days — are overdue. Last year's
coverage is frozen, as an ICT admin freezes it for the yearly report.

Everything goes through the services people use (quiz attempts, sessions, the manual record,
hiring, leaving), dated on its day and played in the order it happened, from a fixed seed: a run
on the same day tells the same story. The records say they are the demo's.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert, select

from training.assignments.defaults import ensure_default_assignments
from training.assignments.requirements import refresh
from training.clock import VN_TZ
from training.courses.models import Audience, Course, CourseVersion, LessonRead
from training.courses.services import lessons_of
from training.extensions import db
from training.org.changes import refresh_key_subtrees
from training.org.demo import EMAIL_DOMAIN, RECORDS_BEGIN
from training.org.models import Person, Role, Unit
from training.org.people import PersonData, create_person, deactivate_person
from training.quizzes.attempts import quiz_for, start_attempt, submit_attempt
from training.quizzes.grading import correct_indexes
from training.quizzes.models import Quiz
from training.records.classroom import SessionData, add_attendees, create_session
from training.records.manual import record_manual

DEFAULTS_BEGAN_DAYS_AGO = 540
# The learners named in the README keep a clean slate: their home pages show their deadlines.
UNTOUCHED = {"hanh.tran", "khang.le"}
FOUNDATIONS = "foundations"
SEED = 2016  # the directive's year

# How the people who are left to themselves fare with the foundations course.
NEVER_STARTED = 0.12
NEVER_FINISHED = 0.10  # read a lesson or a few, and stopped
FIRST_PUSH = 0.6  # of those who pass: in the first months of the defaults
FIRST_PUSH_DAYS = 170
RENEWED = 0.55  # of those whose certificate lapsed by now
CAME_BACK = 0.35  # of the others: a failed attempt in the last month
# And with the other courses, once they have the foundations: the IT officers and the admin set
# the example.
OTHER_COURSE = 0.55
OTHER_COURSE_EAGER = 0.9
IT_COURSE = 0.8
PRIORITY_COURSE = 0.6

# The department trains its own people in a hall soon after the defaults began: attendance
# completes the course.
FIRST_SESSION_UNIT = "SKHCN"
FIRST_SESSION_AFTER_DAYS = 38
FIRST_SESSION_SHARE = 0.7
# The commune that had done nothing catches up in the autumn: a session that prepares for the
# quiz, which the attendees then pass on the site (so their completions count as in person).
LATE_SESSION_UNIT = "X-HONDAT"
LATE_SESSION_DAYS_AGO = 70
# A police officer trained by the ministry: the one completion recorded by hand.
MANUAL_UNIT = "CAT-PA05"
MANUAL_COURSE = "incident-reporting"
MANUAL_DAYS_AGO = 230


@dataclass(frozen=True)
class Joiner:
    username: str
    full_name: str
    unit: str
    days_ago: int
    employee_id: str
    reads: int  # lessons of the foundations course read since


# Hired since the defaults began, each under them from the day they joined: the first in a key
# department (a 30-day window, not over yet), the second half way through his 90 days.
JOINERS = (
    Joiner("tram.vo", "Võ Thị Ngọc Trâm", "SNV-TCBC", 20, "AG-20001", reads=0),
    Joiner("bao.dang", "Đặng Quốc Bảo", "STC-VP", 45, "AG-20002", reads=3),
)
LEAVER_UNIT = "XSKT-KT"  # its first learner left the company
LEFT_DAYS_AGO = 150


def seed_demo_training(*, today: date) -> None:
    began = max(today - timedelta(days=DEFAULTS_BEGAN_DAYS_AGO), RECORDS_BEGIN)
    # Priority (the 30-day window, the priority course) reads `Unit.in_key_subtree`, which is
    # derived just before a commit, and the province was built in this transaction.
    db.session.flush()
    refresh_key_subtrees(db.session())
    db.session.expire_all()
    ensure_default_assignments(began)  # for everyone present that day: nobody has joined yet
    courses = {
        c.slug: c
        for c in db.session.scalars(
            select(Course).where(Course.active.is_(True)).order_by(Course.position)
        )
    }
    if FOUNDATIONS not in courses:
        return
    story = _Story(today, began, courses)
    story.hire_and_part()
    story.plan()
    story.play()
    _freeze_last_year(today, story.admin)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=VN_TZ)


class _Story:
    """The plan is drawn person by person, then played day by day: a session must be held
    before its attendees' quiz passes are recorded, as it was."""

    def __init__(self, today: date, began: date, courses: dict[str, Course]) -> None:
        self.today, self.began, self.courses = today, began, courses
        self.foundations = courses[FOUNDATIONS]
        self.rng = random.Random(SEED)  # noqa: S311 - demo records, not secrets
        self.events: list[tuple[date, int, Callable[[], None]]] = []
        self.reads: list[dict[str, Any]] = []  # lesson reads, written at once before the events
        self.read: dict[tuple[int, int], set[str]] = {}  # (person, course) -> lessons read
        self.quizzes: dict[str, Quiz] = {}
        for slug, course in courses.items():
            quiz = quiz_for(course)
            if quiz is not None:
                self.quizzes[slug] = quiz
        self.versions = dict(
            db.session.execute(
                select(CourseVersion.course_id, CourseVersion.id).where(
                    CourseVersion.content_hash.in_([c.current_hash for c in courses.values()])
                )
            ).all()
        )
        self.paths = dict(db.session.execute(select(Unit.code, Unit.path)).all())
        self.people = list(
            db.session.execute(
                select(Person, Unit.path)
                .join(Unit, Unit.id == Person.unit_id)
                .where(Person.active.is_(True), Person.username.not_in(UNTOUCHED))
                .order_by(Person.id)
            )
        )
        self.admin = next((p for p, _path in self.people if p.role == Role.ICT_ADMIN), None)
        self.joiners: list[tuple[Person, Joiner, date]] = []
        self.leaver: Person | None = None
        self.recorded_by_hand: Person | None = None
        self.stalled_last_year = False  # someone mid-course when last year's report was frozen

    def _learners_of(self, code: str) -> list[Person]:
        root = self.paths.get(code)
        if root is None:
            return []
        return [p for p, path in self.people if p.role == Role.LEARNER and path.startswith(root)]

    def _officer_of(self, code: str) -> Person | None:
        return next((p for p, _path in self.people if p.username == f"cntt.{code.lower()}"), None)

    def _unit(self, code: str) -> Unit | None:
        unit = db.session.scalar(select(Unit).where(Unit.code == code))
        return unit if unit is not None and unit.is_active else None

    def _day(self, start: date, end: date) -> date:
        """A day between the two (both included; `start` if there is none), a weekday if the
        span has one: offices are closed at weekends."""
        day = start + timedelta(days=self.rng.randint(0, max((end - start).days, 0)))
        while day.weekday() >= 5 and day > start:
            day -= timedelta(days=1)
        return day

    def _on(self, day: date, action: Callable[[], None]) -> None:
        self.events.append((day, len(self.events), action))

    # --- people who came and went ------------------------------------------------------------

    def hire_and_part(self) -> None:
        """A joiner's requirements start on the day they joined, a leaver's end on the day they
        left. The org services note the change for the commit's refresh, which would date every
        change of the transaction on the latest of their days: refreshing at once dates each."""
        for joiner in JOINERS:
            day = self.today - timedelta(days=joiner.days_ago)
            unit = self._unit(joiner.unit)
            if day <= self.began or unit is None:
                continue
            person = create_person(
                PersonData(
                    username=joiner.username,
                    full_name=joiner.full_name,
                    unit=unit,
                    position="Chuyên viên",
                    employee_id=joiner.employee_id,
                    email=f"{joiner.username}@{EMAIL_DOMAIN}",
                ),
                actor=None,
                password=None,
                today=day,
            )
            refresh(day, person_ids={person.id})
            self.joiners.append((person, joiner, day))
        leavers = self._learners_of(LEAVER_UNIT)
        left_on = self.today - timedelta(days=LEFT_DAYS_AGO)
        if leavers and left_on > self.began + timedelta(days=90):
            self.leaver = leavers[0]
            deactivate_person(self.leaver, actor=None, today=left_on)
            refresh(left_on, person_ids={self.leaver.id})

    # --- the plan ----------------------------------------------------------------------------

    def plan(self) -> None:
        rng, began, today = self.rng, self.began, self.today
        first_session = began + timedelta(days=FIRST_SESSION_AFTER_DAYS)
        attended: list[Person] = []
        if first_session < today:
            attended = [
                p
                for p in self._learners_of(FIRST_SESSION_UNIT)
                if p is not self.leaver and rng.random() < FIRST_SESSION_SHARE
            ]
            self._session(FIRST_SESSION_UNIT, first_session, attended, completes=True)
        late_session = today - timedelta(days=LATE_SESSION_DAYS_AGO)
        latecomers: list[Person] = []
        if late_session > began:
            latecomers = [p for p in self._learners_of(LATE_SESSION_UNIT) if p is not self.leaver]
            self._session(LATE_SESSION_UNIT, late_session, latecomers, completes=False)
        by_hand = self._learners_of(MANUAL_UNIT)
        if by_hand and MANUAL_COURSE in self.courses:
            self.recorded_by_hand = by_hand[-1]
            self._manual(self.recorded_by_hand, self.courses[MANUAL_COURSE])
        for person, _path in self.people:
            if person is self.leaver:
                done = self._day(began + timedelta(days=20), began + timedelta(days=60))
                self._pass(person, self.foundations, done)
            elif person in latecomers:
                self._latecomer(person, late_session)
            else:
                self._life(person, first_session if person in attended else None)
        for person, joiner, joined in self.joiners:
            if joiner.reads:
                day = self._day(joined + timedelta(days=7), today)
                self._read(person, self.foundations, day, count=joiner.reads)

    def _life(self, person: Person, attended_on: date | None) -> None:
        """Most people pass the foundations course, in the first months or much later; some
        renew it about a year on, some let it lapse; the keen ones go on to the others."""
        rng, began, today = self.rng, self.began, self.today
        yesterday = today - timedelta(days=1)
        foundations = self.foundations
        eager = person.role != Role.LEARNER
        if attended_on is None and not eager:
            draw = rng.random()
            if draw < NEVER_STARTED:
                return
            if draw < NEVER_STARTED + NEVER_FINISHED:
                last = today
                if not self.stalled_last_year and began.year < today.year:
                    # The yearly report's "in progress" must not depend on the draw.
                    last, self.stalled_last_year = date(today.year - 1, 12, 31), True
                day = self._day(began + timedelta(days=5), last)
                self._read(person, foundations, day, count=rng.randint(1, 4))
                return
        if attended_on is not None:
            done = attended_on
        else:
            if rng.random() < FIRST_PUSH:
                done = self._day(began + timedelta(days=3), began + timedelta(days=FIRST_PUSH_DAYS))
            else:
                done = self._day(began + timedelta(days=FIRST_PUSH_DAYS + 1), yesterday)
            self._pass(person, foundations, done, fail_first=rng.random() < 0.15)
        if done + timedelta(days=365) < today:
            if eager or rng.random() < RENEWED:
                # Around the anniversary; after a session only once it has lapsed, or the quiz
                # would count as the session's again (`completions.attended_session`).
                earliest = done + timedelta(days=366 if attended_on else 330)
                renewed = self._day(earliest, done + timedelta(days=400))
                if renewed < today:
                    self._pass(person, foundations, renewed)
            elif rng.random() < CAME_BACK:
                self._fail(person, foundations, self._day(today - timedelta(days=30), yesterday))
        for slug, course in self.courses.items():
            if course is foundations or (slug == MANUAL_COURSE and person is self.recorded_by_hand):
                continue
            if course.audience == Audience.IT_STAFF:
                share = IT_COURSE if person.is_it_staff else 0.0
            elif course.audience == Audience.UNIT_HEADS:
                share = IT_COURSE if person.is_unit_head else 0.0
            elif course.audience == Audience.PRIORITY:
                share = PRIORITY_COURSE if person.is_priority else 0.0
            else:
                share = OTHER_COURSE_EAGER if eager else OTHER_COURSE
            if rng.random() >= share:
                continue
            within = timedelta(days=100 if eager else 240)
            day = self._day(done + timedelta(days=7), min(done + within, yesterday))
            if day <= done:
                continue
            self._pass(person, course, day, fail_first=rng.random() < 0.1)
            if eager and day + timedelta(days=365) < today:  # the officers keep theirs in force
                renewed = self._day(day + timedelta(days=330), day + timedelta(days=365))
                if renewed < today:
                    self._pass(person, course, renewed)

    def _latecomer(self, person: Person, held_on: date) -> None:
        """The commune's people: nothing before the session, the quiz in the weeks after it
        (one in five still reading)."""
        day = self._day(held_on + timedelta(days=2), held_on + timedelta(days=24))
        if day >= self.today:
            return
        if self.rng.random() < 0.2:
            self._read(person, self.foundations, day, count=4)
        else:
            self._pass(person, self.foundations, day, fail_first=self.rng.random() < 0.3)

    # --- what happened on a day --------------------------------------------------------------

    def _session(
        self, code: str, held_on: date, attendees: Sequence[Person], *, completes: bool
    ) -> None:
        unit = self._unit(code)
        if unit is None or not attendees:
            return
        officer = self._officer_of(code)
        data = SessionData(
            course=self.foundations,
            unit=unit,
            held_on=held_on,
            place=f"Hội trường {unit.name} (dữ liệu mẫu)",
            trainer="Phòng Công nghệ thông tin và Chuyển đổi số, Sở Khoa học và Công nghệ",
            attendance_completes=completes,
        )

        def hold() -> None:
            now = _at(held_on, 16, 30)
            session = create_session(data, actor=officer, now=now, today=held_on)
            add_attendees(session, attendees, actor=officer, now=now)

        self._on(held_on, hold)

    def _manual(self, person: Person, course: Course) -> None:
        completed_on = self.today - timedelta(days=MANUAL_DAYS_AGO)
        recorded_on = completed_on + timedelta(days=6)
        officer = self._officer_of("CAT")

        def record() -> None:
            record_manual(
                person,
                course,
                completed_on=completed_on,
                reason=(
                    "Học lớp ứng cứu sự cố an toàn thông tin mạng ba ngày do Cục An ninh mạng "
                    "và phòng, chống tội phạm sử dụng công nghệ cao tổ chức, có kiểm tra cuối "
                    "khóa (dữ liệu mẫu)."
                ),
                evidence=f"Giấy chứng nhận số 47/GCN-A05 ngày {completed_on:%d/%m/%Y}",
                actor=officer,
                now=_at(recorded_on, 10),
                today=recorded_on,
            )

        self._on(recorded_on, record)

    def _read(self, person: Person, course: Course, day: date, count: int | None = None) -> None:
        """The next lessons not read yet (all of them: `count` None), over the week up to
        `day`, in the morning. Planned in each person's order of events, so a quiz's lessons
        are read before its first attempt and never again."""
        done = self.read.setdefault((person.id, course.id), set())
        keys = [e.key for e in lessons_of(course.current_hash) if e.key not in done]
        keys = keys if count is None else keys[:count]
        first = max(day - timedelta(days=self.rng.randint(0, 6)), self.began)
        for index, key in enumerate(keys):
            on = first + (day - first) * index // len(keys)
            done.add(key)
            self.reads.append(
                {
                    "person_id": person.id,
                    "course_id": course.id,
                    "lesson_key": key,
                    "version_id": self.versions[course.id],
                    "read_at": _at(on, 8, 5 + 7 * index),
                }
            )

    def _pass(self, person: Person, course: Course, day: date, *, fail_first: bool = False) -> None:
        if course.slug not in self.quizzes:
            return
        if fail_first:
            self._fail(person, course, day - timedelta(days=self.rng.randint(1, 5)))
        self._read(person, course, day)
        self._on(day, lambda: self._attempt(person, course, day, passes=True))

    def _fail(self, person: Person, course: Course, day: date) -> None:
        if course.slug not in self.quizzes or day <= self.began:
            return
        self._read(person, course, day)
        self._on(day, lambda: self._attempt(person, course, day, passes=False))

    def _attempt(self, person: Person, course: Course, day: date, *, passes: bool) -> None:
        """Taken as a learner takes it: started, then answered within the time limit; a pass
        misses one question at most, a failure three."""
        rng = self.rng
        started = _at(day, rng.randint(9, 16), rng.randint(0, 59))
        attempt = start_attempt(
            person, course, self.quizzes[course.slug], now=started, today=day, rng=rng
        )
        questions = attempt.questions
        missed = set(rng.sample(range(len(questions)), rng.choice((0, 0, 1)) if passes else 3))
        answers = {}
        for index, question in enumerate(questions):
            right = correct_indexes(question.payload)
            if index in missed:
                choices = range(len(question.payload["choices"]))
                answers[question.position] = [next(i for i in choices if i not in right)]
            else:
                answers[question.position] = sorted(right)
        finished = started + timedelta(minutes=rng.randint(6, 17))
        submit_attempt(attempt, answers, now=finished, today=day)

    def play(self) -> None:
        if self.reads:
            db.session.execute(insert(LessonRead), self.reads)
        for _day, _order, action in sorted(self.events, key=lambda event: event[:2]):
            action()
        db.session.flush()


def _freeze_last_year(today: date, admin: Person | None) -> None:
    """Last year's coverage, frozen as the ICT admin freezes it for the yearly report in the
    first days of January, so the report can be downloaded on the first visit."""
    from training.reports import snapshots  # here: pandas stays out of every command's start

    last_day = date(today.year - 1, 12, 31)
    snapshots.freeze(
        last_day,
        title=f"Báo cáo năm {last_day.year} (dữ liệu mẫu)",
        actor=admin,
        now=_at(min(date(today.year, 1, 5), today), 9),
    )
