"""Starting and submitting quiz attempts through the service layer, against plain inserts.

    python bench/quiz_submit.py [--attempts 1000] [--skip-postgres]

For each database (a fresh SQLite file, and PostgreSQL on 127.0.0.1:5432 when it answers, in a
database this script creates and drops), it loads the shipped courses, makes one learner per
attempt who has read every lesson of the `phishing` course, then times in the same run:

- baseline: inserting the same number of bare attempt rows, one transaction each;
- service: `start_attempt` (checks, random draw of 8 of 24 questions, frozen copies) and
  `submit_attempt` (grading, the once-only result row, the completion), one transaction each.

It prints the time per attempt of both, their ratio (aim: at most 3) and submits per second.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402

from training import create_app  # noqa: E402
from training.clock import today_vn, utcnow  # noqa: E402
from training.courses.models import Course, LessonRead  # noqa: E402
from training.courses.services import lessons_of  # noqa: E402
from training.extensions import db  # noqa: E402
from training.org.models import Person, UnitKind  # noqa: E402
from training.org.people import PersonData, create_person  # noqa: E402
from training.org.units import add_unit  # noqa: E402
from training.quizzes import attempts  # noqa: E402
from training.quizzes.models import Attempt, Quiz  # noqa: E402

COURSE = "phishing"
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PG_BENCH = "postgresql+psycopg://postgres@127.0.0.1:5432/khien_bench"


def prepare(url: str, count: int) -> object:
    from flask_migrate import upgrade

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench-" + "x" * 40,
            "PASSWORD_TIME_COST": 1,
            "PASSWORD_MEMORY_COST": 1024,
        }
    )
    with app.app_context():
        upgrade()
        app.test_cli_runner().invoke(args=["content", "sync"])
        today = today_vn()
        unit = add_unit("BENCH", "Đơn vị đo", kind=UnitKind.AGENCY, parent=None, today=today)
        course = db.session.scalar(select(Course).where(Course.slug == COURSE))
        keys = [entry.key for entry in lessons_of(course.current_hash)]
        for index in range(2 * count):  # half for the baseline rows, half for the service
            person = create_person(
                PersonData(username=f"bench{index:05d}", full_name=f"Người Đo {index}", unit=unit),
                actor=None,
                password=None,
                today=today,
            )
            db.session.flush()
            db.session.execute(
                insert(LessonRead),
                [
                    {
                        "person_id": person.id,
                        "course_id": course.id,
                        "lesson_key": key,
                        "version_id": 1,
                        "read_at": utcnow(),
                    }
                    for key in keys
                ],
            )
        db.session.commit()
    return app


def baseline(app: object, people: list[int], course_id: int, quiz_id: int) -> float:
    """One plain attempt row per transaction, with the same frozen questions an attempt
    carries: the cheapest possible way to record an attempt at all."""
    with app.app_context():
        quiz = db.session.get(Quiz, quiz_id)
        items = [q.frozen_json() for q in attempts.pool_of(quiz.content_hash)[:8]]
        started = time.perf_counter()
        for person_id in people:
            now = utcnow()
            db.session.add(
                Attempt(
                    person_id=person_id,
                    quiz_id=quiz_id,
                    course_id=course_id,
                    course_hash="x" * 64,
                    validity_months=12,
                    pass_mark=80,
                    partial_credit=False,
                    started_at=now,
                    started_on=today_vn(),
                    day_seq=1,
                    open_slot=True,
                    deadline_at=now + timedelta(minutes=20),
                    items=items,
                )
            )
            db.session.commit()
        return time.perf_counter() - started


def service(app: object, people: list[int]) -> tuple[float, int]:
    """Times the service calls and their commits, as two requests would make them; loading
    the signed-in person, the course and the quiz is the request's plumbing (the baseline
    does not load them either) and stays outside the clock."""
    rng = random.Random(288)
    passed, took = 0, 0.0
    with app.app_context():
        for person_id in people:
            person = db.session.get(Person, person_id)
            course = db.session.scalar(select(Course).where(Course.slug == COURSE))
            quiz = db.session.scalar(select(Quiz).where(Quiz.slug == course.quiz_slug))
            started = time.perf_counter()
            attempt_id = attempts.start_attempt(
                person, course, quiz, now=utcnow(), today=today_vn(), rng=rng
            ).id
            db.session.commit()
            took += time.perf_counter() - started
            person = db.session.get(Person, person_id)
            person.id  # noqa: B018 - loaded, as Flask-Login would have it
            started = time.perf_counter()
            attempt = attempts.get_attempt_for(person, attempt_id)
            answers = {
                q.position: [i for i, c in enumerate(q.payload["choices"]) if c["correct"]]
                for q in attempt.questions
            }
            outcome = attempts.submit_attempt(attempt, answers, now=utcnow(), today=today_vn())
            db.session.commit()
            took += time.perf_counter() - started
            passed += outcome.result.passed
        return took, passed


def run(label: str, url: str, count: int) -> None:
    app = prepare(url, count)
    with app.app_context():
        ids = db.session.scalars(select(Person.id).order_by(Person.id)).all()
        course = db.session.scalar(select(Course).where(Course.slug == COURSE))
        quiz_id = db.session.scalar(select(Quiz.id).where(Quiz.slug == course.quiz_slug))
        course_id = course.id
    base = baseline(app, ids[:count], course_id, quiz_id)
    took, passed = service(app, ids[count : 2 * count])
    assert passed == count, "every attempt answered right should pass"
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()
    print(
        f"{label:<10} baseline {1000 * base / count:6.2f} ms/insert   "
        f"service {1000 * took / count:6.2f} ms/attempt (start + submit)   "
        f"ratio {took / base:4.2f} (aim: at most 3)   {count / took:7.1f} submits/s"
    )


def postgres_available() -> bool:
    import psycopg

    try:
        with psycopg.connect(
            "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True, connect_timeout=3
        ) as conn:
            conn.execute("DROP DATABASE IF EXISTS khien_bench")
            conn.execute("CREATE DATABASE khien_bench")
        return True
    except psycopg.OperationalError:
        return False


def drop_postgres() -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS khien_bench")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--attempts", type=int, default=1000)
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    os.environ.pop("DATABASE_URL", None)
    with tempfile.TemporaryDirectory() as tmp:
        run("SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}", args.attempts)
    if args.skip_postgres:
        return
    if not postgres_available():
        print("POSTGRESQL NOT REACHABLE ON 127.0.0.1:5432: PostgreSQL figures not measured.")
        return
    try:
        run("PostgreSQL", PG_BENCH, args.attempts)
    finally:
        drop_postgres()


if __name__ == "__main__":
    main()
