"""Assigning a course to a whole province and the status of every required pair, against the
plain SQL statements over the same rows.

    python bench/assignments.py [--people 60000] [--rounds 5] [--explain]
    python bench/assignments.py --database-url \\
        postgresql+psycopg://postgres@127.0.0.1:5432/khien_h_bench   # created, then dropped

It builds its own province in a fresh database (a SQLite file in a temporary folder, or the
PostgreSQL database named, which it creates and drops; it refuses one that already exists
unless --replace-database): the shipped courses (`content sync`; all 8 courses made for
everyone, so that each can be assigned province-wide), 101 units through the org service (the
province, 25 agencies with 3 divisions each; three agencies, and one division in two others, are
key departments), `--people` active staff with memberships (3 % classified drafters, 2 % IT
staff, a head per unit) and 1 % more who have left, written with Core executemany. Each (person,
course) pair gets a history: 45 % hold a completion valid on the day measured (some expiring
within 30 days of it, 5 % of them re-certified after an older one), 10 % only an expired one,
0.5 % a revoked one; of the rest a fifth have read some lessons and a tenth failed the quiz once;
a quarter of the completed pairs read every lesson (lesson reads by INSERT … SELECT).

Then, best of `--rounds` rounds each, it times:

- assign: `create_assignment` of one course to everyone in the province (90 days, 30 for
  priority staff) and its commit, on an empty requirements table, against a plain
  `INSERT INTO requirements … SELECT … FROM people WHERE active` of the same rows with the
  same due dates (the priority test as one uncorrelated IN), committed; the two sets of rows are
  checked equal in the first round;
- with the 8 courses so assigned (8 × people requirements), 45 days later, when the priority
  deadlines have passed: `status_counts(day, by_course=True)` against the plain
  `SELECT person_id, course_id, min(due_on) … GROUP BY person_id, course_id` counted in the
  database per course, past the deadline or not; and `statuses(day)` (rows into `PairStatus`)
  against the same plain select fetched into tuples; pairs and deadlines checked equal.

It prints the best plain and Khiên seconds, their ratio (the aim: at most 3) and the ratio of
CPU seconds (this process, plus the PostgreSQL backend serving it when /proc shows it, not
counting parallel workers), which a loaded machine disturbs far less than the wall clock.
PostgreSQL gets a VACUUM ANALYZE after loading and after assigning, as autovacuum would; SQLite
no ANALYZE, as the app runs none. `--explain` prints the plans of both status selects.
At the defaults a run takes 2 to 5 minutes per database on a loaded 2-core machine.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import Flask  # noqa: E402
from sqlalchemy import (  # noqa: E402
    Boolean,
    Column,
    Date,
    Integer,
    MetaData,
    Table,
    bindparam,
    create_engine,
    delete,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.engine import make_url  # noqa: E402

from training import create_app  # noqa: E402
from training.assignments.models import (  # noqa: E402
    Assignment,
    AssignmentPerson,
    Requirement,
    TargetGroup,
)
from training.assignments.services import AssignmentData, create_assignment  # noqa: E402
from training.assignments.status import (  # noqa: E402
    Status,
    status_counts,
    status_statement,
    statuses,
)
from training.courses.completions import add_months  # noqa: E402
from training.courses.models import (  # noqa: E402
    Audience,
    Completion,
    CompletionMethod,
    Course,
    CourseVersion,
    Lesson,
    LessonRead,
)
from training.courses.services import lessons_of  # noqa: E402
from training.db import UTCDateTime  # noqa: E402
from training.extensions import db  # noqa: E402
from training.org.models import (  # noqa: E402
    Membership,
    Person,
    PersonFlag,
    PersonFlagPeriod,
    Role,
    UnitKind,
)
from training.org.units import add_unit  # noqa: E402
from training.quizzes.models import Attempt, AttemptResult, Quiz  # noqa: E402

TODAY = date(2026, 12, 1)  # the day the assignments are made
DAY = TODAY + timedelta(days=45)  # the day statuses are asked for: priority deadlines have passed
FOUNDED = date(2025, 7, 1)  # the province as it stands since the merger
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
AGENCIES = 25
DIVISIONS = 3
KEY_AGENCIES = 3  # the first three agencies, and division 0 of the next two
DUE_DAYS = 90
PRIORITY_DUE_DAYS = 30
BATCH = 20_000  # rows per executemany
SECRET_KEY = "bench-" + "x" * 40


def _date(name: str) -> Any:
    return bindparam(name, type_=Date)


# The plain statements: what one would write by hand for the same rows, nothing more.
PLAIN_ASSIGN = text(
    "INSERT INTO requirements (assignment_id, person_id, course_id, starts_on, due_on) "
    "SELECT :assignment, p.id, :course, :today, "
    "CASE WHEN p.drafts_classified OR p.unit_id IN ("
    "  SELECT u.id FROM units u JOIN units k"
    "  ON k.is_key_department AND u.path LIKE k.path || '%')"
    " THEN :priority_due ELSE :due END "
    "FROM people p WHERE p.active"
).bindparams(_date("today"), _date("priority_due"), _date("due"))
PLAIN_PAIRS = (
    text(
        "SELECT person_id, course_id, min(due_on) AS due_on FROM requirements "
        "WHERE starts_on <= :day AND (ended_on IS NULL OR ended_on > :day) "
        "GROUP BY person_id, course_id"
    )
    .bindparams(_date("day"))
    .columns(person_id=Integer, course_id=Integer, due_on=Date)
)
PLAIN_COUNTS = (  # the same pairs, counted per course, past their deadline or not
    text(
        "SELECT course_id, due_on < :day AS late, count(*) FROM ("
        " SELECT person_id, course_id, min(due_on) AS due_on FROM requirements"
        " WHERE starts_on <= :day AND (ended_on IS NULL OR ended_on > :day)"
        " GROUP BY person_id, course_id"
        ") AS pairs GROUP BY 1, 2"
    )
    .bindparams(_date("day"))
    .columns(course_id=Integer, late=Boolean)
)


# Who read how many lessons of which course, and when: expanded into lesson reads by SQL.
READING = Table(
    "bench_reading",
    MetaData(),
    Column("person_id", Integer),
    Column("course_id", Integer),
    Column("version_id", Integer),
    Column("lessons", Integer),
    Column("read_at", UTCDateTime),
    prefixes=["TEMPORARY"],
)


@dataclass(frozen=True)
class CourseInfo:
    id: int
    hash: str
    validity_months: int
    quiz_id: int
    version_id: int
    lessons: int


@dataclass
class Figures:
    """Seconds per round, plain and Khiên: wall clock, and CPU (this process, plus the
    PostgreSQL backend serving it when its /proc entry is readable), which the other work on a
    loaded machine disturbs far less."""

    plain: list[float] = field(default_factory=list)
    khien: list[float] = field(default_factory=list)
    plain_cpu: list[float] = field(default_factory=list)
    khien_cpu: list[float] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return min(self.khien) / min(self.plain)

    @property
    def cpu_ratio(self) -> float | None:
        if not self.plain_cpu or not self.khien_cpu:
            return None
        return min(self.khien_cpu) / min(self.plain_cpu)


def make_app(url: str) -> Flask:
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": SECRET_KEY,
            "PASSWORD_TIME_COST": 1,
            "PASSWORD_MEMORY_COST": 1024,
        }
    )


def is_postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def insert_rows(table: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(table), rows[start : start + BATCH])


# --- the province -------------------------------------------------------------------------


def build_units() -> list[int]:
    """The tree, through the org service (101 units); their ids."""
    province = add_unit(
        "TINH", "Ủy ban nhân dân tỉnh", kind=UnitKind.PROVINCE, parent=None, today=FOUNDED
    )
    units = [province]
    for a in range(AGENCIES):
        agency = add_unit(
            f"SO{a:02d}",
            f"Sở số {a + 1}",
            kind=UnitKind.AGENCY,
            parent=province,
            is_key_department=a < KEY_AGENCIES,
            today=FOUNDED,
        )
        units.append(agency)
        for d in range(DIVISIONS):
            units.append(
                add_unit(
                    f"SO{a:02d}-P{d}",
                    f"Phòng {d + 1}, sở số {a + 1}",
                    kind=UnitKind.DIVISION,
                    parent=agency,
                    is_key_department=d == 0 and KEY_AGENCIES <= a < KEY_AGENCIES + 2,
                    today=FOUNDED,
                )
            )
    db.session.flush()
    return [unit.id for unit in units]


def build_people(count: int, unit_ids: list[int], rng: random.Random) -> None:
    """`count` active staff and 1 % more who have left, with their memberships and flags."""
    total = count + count // 100
    weights = [3 if i == 0 else 1 for i in range(len(unit_ids))]
    places = rng.choices(unit_ids, weights=weights, k=total)
    inactive = set(rng.sample(range(total), total - count))
    heads = {}
    people, memberships, flags = [], [], []
    for i in range(total):
        pid = i + 1
        unit_id = places[i]
        active = i not in inactive
        drafter = rng.random() < 0.03
        it_staff = rng.random() < 0.02
        head = active and unit_id not in heads
        if head:
            heads[unit_id] = pid
        people.append(
            {
                "id": pid,
                "username": f"cb{pid:06d}",
                "full_name": f"Cán bộ số {pid}",
                "search_key": f"can bo so {pid} cb{pid:06d} nv{pid:06d}",
                "email": None,
                "employee_id": f"NV{pid:06d}",
                "position": None,
                "unit_id": unit_id,
                "role": Role.LEARNER,
                "active": active,
                "drafts_classified": drafter,
                "is_it_staff": it_staff,
                "is_unit_head": head,
                "password_hash": None,
                "locale": None,
                "created_at": NOW,
                "session_version": 0,
            }
        )
        joined = FOUNDED + timedelta(days=rng.randrange(0, 400))
        left = TODAY - timedelta(days=rng.randrange(1, 60)) if not active else None
        memberships.append(
            {
                "person_id": pid,
                "unit_id": unit_id,
                "valid_from": joined,
                "valid_to": left,
                "created_at": NOW,
            }
        )
        for flag, held in (
            (PersonFlag.DRAFTS_CLASSIFIED, drafter),
            (PersonFlag.IT_STAFF, it_staff),
            (PersonFlag.UNIT_HEAD, head),
        ):
            if held:
                flags.append(
                    {"person_id": pid, "flag": flag, "valid_from": joined, "valid_to": left}
                )
    insert_rows(Person.__table__, people)
    insert_rows(Membership.__table__, memberships)
    insert_rows(PersonFlagPeriod.__table__, flags)


def course_infos() -> list[CourseInfo]:
    infos = []
    for course in db.session.scalars(select(Course).order_by(Course.position, Course.slug)):
        infos.append(
            CourseInfo(
                id=course.id,
                hash=course.current_hash,
                validity_months=course.validity_months,
                quiz_id=db.session.execute(
                    select(Quiz.id).where(Quiz.slug == course.quiz_slug)
                ).scalar_one(),
                version_id=db.session.execute(
                    select(CourseVersion.id).where(
                        CourseVersion.course_id == course.id,
                        CourseVersion.content_hash == course.current_hash,
                    )
                ).scalar_one(),
                lessons=len({entry.key for entry in lessons_of(course.current_hash)}),
            )
        )
    return infos


def build_history(count: int, courses: list[CourseInfo], rng: random.Random) -> dict[str, int]:
    """Completions, lesson reads and attempts of the active staff; the number of each."""
    completions: list[dict[str, Any]] = []
    reading: list[dict[str, Any]] = []
    attempts: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []

    def complete(pid: int, course: CourseInfo, day: date, revoked: bool = False) -> None:
        completions.append(
            {
                "person_id": pid,
                "course_id": course.id,
                "course_hash": course.hash,
                "attempt_id": None,
                "method": rng.choice((CompletionMethod.IN_PERSON, CompletionMethod.EXTERNAL)),
                "completed_on": day,
                "valid_until": add_months(day, course.validity_months),
                "code": f"BENCH{len(completions):010d}",
                "created_at": NOW,
                "revoked_at": NOW if revoked else None,
            }
        )

    def read(pid: int, course: CourseInfo, lessons: int, day: date) -> None:
        """The first `lessons` lessons, expanded into one row each by `insert_reads`."""
        reading.append(
            {
                "person_id": pid,
                "course_id": course.id,
                "version_id": course.version_id,
                "lessons": lessons,
                "read_at": datetime(day.year, day.month, day.day, 2, tzinfo=UTC),
            }
        )

    for pid in range(1, count + count // 100 + 1):
        for course in courses:
            r = rng.random()
            if r < 0.45:  # valid on DAY; some expire within 30 days of it
                done = TODAY - timedelta(days=rng.randrange(1, 320))
                complete(pid, course, done)
                if rng.random() < 0.05:  # re-certified: last year's completion too
                    complete(pid, course, done - timedelta(days=rng.randrange(370, 420)))
                if rng.random() < 0.25:
                    read(pid, course, course.lessons, done - timedelta(days=2))
            elif r < 0.55:  # expired: must be taken again
                complete(pid, course, TODAY - timedelta(days=rng.randrange(321, 540)))
            elif r < 0.555:  # a mistaken record, revoked
                complete(pid, course, TODAY - timedelta(days=rng.randrange(1, 200)), revoked=True)
            else:
                if rng.random() < 0.2:
                    lessons = rng.randrange(1, course.lessons)
                    read(pid, course, lessons, TODAY - timedelta(days=rng.randrange(0, 60)))
                if rng.random() < 0.1:
                    day = TODAY - timedelta(days=rng.randrange(0, 60))
                    started = datetime(day.year, day.month, day.day, 3, tzinfo=UTC)
                    aid = len(attempts) + 1
                    attempts.append(
                        {
                            "id": aid,
                            "person_id": pid,
                            "quiz_id": course.quiz_id,
                            "course_id": course.id,
                            "course_hash": course.hash,
                            "validity_months": course.validity_months,
                            "pass_mark": 80,
                            "partial_credit": False,
                            "started_at": started,
                            "started_on": day,
                            "day_seq": 1,
                            "open_slot": None,
                            "deadline_at": started + timedelta(minutes=20),
                            "expired_at": None,
                            "items": [],
                        }
                    )
                    results.append(
                        {
                            "attempt_id": aid,
                            "score": 50,
                            "passed": False,
                            "answers": [],
                            "graded_at": started + timedelta(minutes=12),
                        }
                    )
    insert_rows(Completion.__table__, completions)
    reads = insert_reads(reading)
    insert_rows(Attempt.__table__, attempts)
    insert_rows(AttemptResult.__table__, results)
    return {"completions": len(completions), "lesson reads": reads, "attempts": len(attempts)}


def insert_reads(reading: list[dict[str, Any]]) -> int:
    """One lesson read per lesson of each (person, course, number of lessons read) given, by
    INSERT … SELECT from a temporary table joined to the lessons; the number of reads."""
    connection = db.session.connection()
    READING.create(connection)
    insert_rows(READING, reading)
    db.session.execute(
        insert(LessonRead).from_select(
            ["person_id", "course_id", "lesson_key", "version_id", "read_at"],
            select(
                READING.c.person_id,
                READING.c.course_id,
                Lesson.key,
                READING.c.version_id,
                READING.c.read_at,
            ).join(
                Lesson,
                (Lesson.version_id == READING.c.version_id)
                & (Lesson.position <= READING.c.lessons),
            ),
        )
    )
    READING.drop(connection)
    return db.session.execute(select(func.count()).select_from(LessonRead)).scalar_one()


def prepare(url: str, count: int) -> tuple[Flask, list[CourseInfo]]:
    from flask_migrate import upgrade

    app = make_app(url)
    rng = random.Random(288)
    started = time.perf_counter()
    with app.app_context():
        upgrade()
        sync = app.test_cli_runner().invoke(args=["content", "sync"])
        assert sync.exit_code == 0, sync.output
        # Every course for everyone, so that 8 province-wide assignments are allowed (the
        # service refuses to assign a priority or IT course to everyone) and hold 8 × people
        # pairs, as the speed requirement counts them.
        db.session.execute(update(Course).values(audience=Audience.ALL))
        db.session.commit()
        courses = course_infos()
        assert len(courses) == 8, f"expected the 8 shipped courses, found {len(courses)}"
        unit_ids = build_units()
        db.session.commit()
        build_people(count, unit_ids, rng)
        db.session.commit()
        made = build_history(count, courses, rng)
        db.session.commit()
        analyze()
        print(
            f"  province: {len(unit_ids)} units, {count:,} active people "
            f"(+{count // 100:,} who left), {len(courses)} courses, "
            + ", ".join(f"{n:,} {what}" for what, n in made.items())
            + f"; built in {time.perf_counter() - started:.0f} s"
        )
    return app, courses


def analyze() -> None:
    """PostgreSQL: the state autovacuum would have brought the tables to by now (statistics,
    visibility map). SQLite: nothing, as the app runs no ANALYZE."""
    if is_postgres():
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))


# --- measuring ------------------------------------------------------------------------------


def backend_cpu() -> Callable[[], float] | None:
    """The CPU seconds used so far by the PostgreSQL backend of the session's connection (the
    transaction is begun here, so the work measured runs on that backend); None on SQLite,
    whose work is this process's, or when the server's processes are out of sight."""
    if not is_postgres():
        return None
    pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    stat = Path(f"/proc/{pid}/stat")
    tick = os.sysconf("SC_CLK_TCK")

    def used() -> float:
        fields = stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick

    try:
        used()
    except OSError:
        return None
    return used


@contextmanager
def clock(figures: Figures, side: str) -> Iterator[None]:
    gc.collect()
    server = backend_cpu()
    server_start = server() if server else 0.0
    cpu_start = time.process_time()
    wall_start = time.perf_counter()
    yield
    wall = time.perf_counter() - wall_start
    cpu = time.process_time() - cpu_start + (server() - server_start if server else 0.0)
    getattr(figures, side).append(wall)
    if server or not is_postgres():
        getattr(figures, side + "_cpu").append(cpu)


def clear_requirements() -> None:
    if is_postgres():
        db.session.execute(text("TRUNCATE requirements, assignment_people, assignments"))
    else:
        for model in (Requirement, AssignmentPerson, Assignment):
            db.session.execute(delete(model))
    db.session.commit()


def requirement_rows() -> set[tuple[int, int, date, date]]:
    rows = db.session.execute(
        select(
            Requirement.person_id, Requirement.course_id, Requirement.starts_on, Requirement.due_on
        )
    )
    return {
        (person_id, course_id, starts_on, due_on)
        for person_id, course_id, starts_on, due_on in rows
    }


def province_wide(course: CourseInfo) -> AssignmentData:
    """The course for everyone in the province: 90 days, 30 for priority staff."""
    return AssignmentData(
        db.session.get_one(Course, course.id),
        TargetGroup.EVERYONE,
        unit=None,
        due_days=DUE_DAYS,
        priority_due_days=PRIORITY_DUE_DAYS,
    )


def assign_rounds(app: Flask, course: CourseInfo, count: int, rounds: int) -> Figures:
    figures = Figures()
    with app.app_context():
        for round_ in range(rounds):
            clear_requirements()
            bare = Assignment(
                course_id=course.id,
                unit_id=None,
                audience=TargetGroup.EVERYONE,
                due_days=DUE_DAYS,
                priority_due_days=PRIORITY_DUE_DAYS,
                starts_on=TODAY,
            )
            db.session.add(bare)
            db.session.commit()
            params = {
                "assignment": bare.id,
                "course": course.id,
                "today": TODAY,
                "priority_due": TODAY + timedelta(days=PRIORITY_DUE_DAYS),
                "due": TODAY + timedelta(days=DUE_DAYS),
            }
            with clock(figures, "plain"):
                db.session.execute(PLAIN_ASSIGN, params)
                db.session.commit()
            plain_rows = requirement_rows() if round_ == 0 else set()
            clear_requirements()
            data = province_wide(course)  # loading the course is the request's plumbing
            with clock(figures, "khien"):
                create_assignment(data, actor=None, today=TODAY)
                db.session.commit()
            if round_ == 0:
                khien_rows = requirement_rows()
                assert len(khien_rows) == count, (len(khien_rows), count)
                assert khien_rows == plain_rows, "the plain insert and the service disagree"
        clear_requirements()
    return figures


def assign_all(app: Flask, courses: list[CourseInfo], count: int) -> None:
    with app.app_context():
        for course in courses:
            create_assignment(province_wide(course), actor=None, today=TODAY)
            db.session.commit()
        held = db.session.scalar(select(func.count()).select_from(Requirement))
        assert held == count * len(courses), (held, count * len(courses))
        analyze()


def status_rounds(
    app: Flask, rounds: int
) -> tuple[Figures, Figures, dict[tuple[int | None, Status], int]]:
    counts, rows = Figures(), Figures()
    found: dict[tuple[int | None, Status], int] = {}
    with app.app_context():
        for round_ in range(rounds):
            with clock(counts, "plain"):
                plain_counts = db.session.execute(PLAIN_COUNTS, {"day": DAY}).all()
            db.session.rollback()
            with clock(counts, "khien"):
                found = status_counts(DAY, by_course=True)
            db.session.rollback()
            with clock(rows, "plain"):
                plain_rows = db.session.execute(PLAIN_PAIRS, {"day": DAY}).all()
            db.session.rollback()
            with clock(rows, "khien"):
                pairs = statuses(DAY)
            db.session.rollback()
            if round_ == 0:
                assert sum(found.values()) == sum(n for _, _, n in plain_counts) == len(pairs)
                assert {(p.person_id, p.course_id, p.due_on) for p in pairs} == {
                    tuple(row) for row in plain_rows
                }, "the plain select and the service disagree"
            del plain_rows, pairs
    return counts, rows, found


def explain(app: Flask) -> None:
    """The plans of the plain select and of the status statement (EXPLAIN QUERY PLAN on
    SQLite; EXPLAIN ANALYZE, so run for real, on PostgreSQL), for the analysis of a miss."""
    with app.app_context():
        analyse = "EXPLAIN (ANALYZE, BUFFERS) " if is_postgres() else "EXPLAIN QUERY PLAN "
        status = status_statement(DAY).compile(db.engine, compile_kwargs={"literal_binds": True})
        for label, statement, params in (
            ("the plain select", PLAIN_PAIRS, {"day": DAY}),
            ("status_statement(day)", text(str(status)), {}),
        ):
            print(f"\n  plan of {label}:")
            for row in db.session.execute(text(analyse + str(statement)), params):
                print("    " + " | ".join(str(column) for column in row))
            db.session.rollback()


# --- the run --------------------------------------------------------------------------------


def report(figures: Figures, name: str) -> None:
    cpu = figures.cpu_ratio
    verdict = "≤ 3" if figures.ratio <= 3 else "≤ 3  MISSED"
    print(
        f"  {name:<44} {min(figures.plain):8.3f} {min(figures.khien):8.3f} "
        f"{figures.ratio:6.2f} {'n/a' if cpu is None else f'{cpu:6.2f}':>9}  {verdict}"
    )


def run(label: str, url: str, count: int, rounds: int, show_plans: bool) -> None:
    print(f"{label}: {count:,} people × 8 courses, best of {rounds} rounds")
    app, courses = prepare(url, count)
    assign = assign_rounds(app, courses[0], count, rounds)
    assign_all(app, courses, count)
    counts, rows, found = status_rounds(app, rounds)
    if show_plans:
        explain(app)
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()
    pairs = count * len(courses)
    print(f"  {'operation':<44} {'plain s':>8} {'Khiên s':>8} {'ratio':>6} {'cpu ratio':>9}  aim")
    report(assign, f"assign one course ({count:,} requirements)")
    report(counts, f"status counts by course ({pairs:,} pairs)")
    report(rows, f"fetch all statuses ({pairs:,} pairs)")
    totals: dict[Status, int] = {}
    for (_, status), n in found.items():
        totals[status] = totals.get(status, 0) + n
    print(
        "  statuses on "
        + DAY.strftime("%d/%m/%Y")
        + ": "
        + ", ".join(f"{status.value} {totals.get(status, 0) / pairs:.0%}" for status in Status)
    )


def create_database(url: str, replace: bool) -> None:
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    name = make_url(url).database or ""
    quoted = admin.dialect.identifier_preparer.quote(name)
    with admin.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if exists and not replace:
            sys.exit(f"database {name} exists: drop it, name another, or pass --replace-database")
        conn.execute(text("DROP DATABASE IF EXISTS " + quoted))
        conn.execute(text("CREATE DATABASE " + quoted))
    admin.dispose()


def drop_database(url: str) -> None:
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    quoted = admin.dialect.identifier_preparer.quote(make_url(url).database or "")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS " + quoted + " WITH (FORCE)"))
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=60_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL database to create, fill, measure and drop (default: SQLite)",
    )
    parser.add_argument("--replace-database", action="store_true")
    parser.add_argument(
        "--explain", action="store_true", help="print the plans of the status statements"
    )
    args = parser.parse_args()
    os.environ.pop("DATABASE_URL", None)
    if args.database_url:
        create_database(args.database_url, args.replace_database)
        try:
            run("PostgreSQL", args.database_url, args.people, args.rounds, args.explain)
        finally:
            drop_database(args.database_url)
        return
    with tempfile.TemporaryDirectory() as tmp:
        run("SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}", args.people, args.rounds, args.explain)


if __name__ == "__main__":
    main()
