"""Every learner page against /healthz, under gunicorn on loopback, in one run.

    python bench/page_throughput.py [--seconds 5] [--rounds 3] [--connections 20] [--workers 4]
                                    [--threads 1] [--client python|wrk]
                                    [--database-url postgresql+psycopg://…/an_empty_database]

It builds its own data: the demo province and the shipped courses (`seed-demo`, in a fresh SQLite
file unless --database-url names an empty database, which it fills), then gives the demo learner
a history through the services: every lesson of five courses read, a certificate in four of
them, and a run of passed and failed attempts at the quiz of the course measured. It starts
gunicorn on a free loopback port, signs the learner in, and drives /healthz and each learner
page in turn with the same keep-alive connections for the same time, round after round: each
page between two windows of /healthz and measured against their mean, so that a machine whose
speed changes from one window to the next tilts each ratio as little as it can. The client is
wrk (`bench/wrk_client.py`), the C client the issue's first figures were taken with, when it is
installed: Python client threads (`--client python`, and the figures before 03/12/2026) share
the two cores with the server at a cost per request close to /healthz's own, which flattered
every ratio. It prints each page's throughput as a ratio of /healthz's beside it (median of the
rounds, with the lowest and highest round) and its latency. The aim: every learner page
reaches at least a third of /healthz.

Everything runs on 127.0.0.1 and stops by itself; the time taken is about
rounds x 11 windows x seconds, plus a minute of setup.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import wrk_client
from lesson_throughput import (
    USERNAME,
    drive,
    free_port,
    percentile,
    sign_in,
    start_gunicorn,
    wait_until_up,
)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COURSE = "official-channels"
# path, a marker the page must contain (a page that fails or says something else is not counted)
PAGES = {
    "learner home": ("/", b"course-grid"),
    "my courses": ("/courses/", b"course-grid"),
    "course page": (f"/courses/{COURSE}", b"quiz-panel"),
    "lesson page": (f"/courses/{COURSE}/lessons/03-public-email", b"lesson-body"),
    "certificates": ("/certificates/", b"<table"),
}
CERTIFIED = ("foundations", "phishing", "passwords-signatures", COURSE)
READ_ONLY = ("malware-usb-backups",)
ATTEMPTS = 8  # at the measured course's quiz, one a day, alternately failed and passed
SECRET_KEY = "bench-" + "x" * 40


def right_answers(payload: dict[str, Any]) -> list[int]:
    return [i for i, choice in enumerate(payload["choices"]) if choice["correct"]]


def wrong_answer(payload: dict[str, Any]) -> list[int]:
    return [i for i, choice in enumerate(payload["choices"]) if not choice["correct"]][:1]


def build_history(url: str) -> None:
    """What a learner who has used the site for a while has: reads, attempts, certificates.
    Made through the services, as the pages would have made it, on past days."""
    from sqlalchemy import select

    from training import create_app
    from training.clock import today_vn, utcnow
    from training.courses.models import Course, CourseVersion, LessonRead
    from training.courses.services import lessons_of
    from training.extensions import db
    from training.org.models import Person
    from training.quizzes import attempts

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY})
    rng = random.Random(288)
    with app.app_context():
        person = db.session.scalar(select(Person).where(Person.username == USERNAME))
        for slug in (*CERTIFIED, *READ_ONLY):
            course = db.session.scalar(select(Course).where(Course.slug == slug))
            version_id = db.session.scalar(
                select(CourseVersion.id).where(
                    CourseVersion.course_id == course.id,
                    CourseVersion.content_hash == course.current_hash,
                )
            )
            for entry in lessons_of(course.current_hash):
                db.session.add(
                    LessonRead(
                        person_id=person.id,
                        course_id=course.id,
                        lesson_key=entry.key,
                        version_id=version_id,
                        read_at=utcnow() - timedelta(days=60),
                    )
                )
        db.session.commit()
        for slug in CERTIFIED:
            runs = ATTEMPTS if slug == COURSE else 1
            for run in range(runs):
                days_ago = 30 + runs - run
                course = db.session.scalar(select(Course).where(Course.slug == slug))
                quiz = attempts.quiz_for(course)
                started = utcnow() - timedelta(days=days_ago)
                attempt = attempts.start_attempt(
                    person,
                    course,
                    quiz,
                    now=started,
                    today=today_vn() - timedelta(days=days_ago),
                    rng=rng,
                )
                passed = run % 2 == 1 or runs == 1
                answers = {
                    q.position: right_answers(q.payload) if passed else wrong_answer(q.payload)
                    for q in attempt.questions
                }
                attempts.submit_attempt(
                    attempt,
                    answers,
                    now=started + timedelta(minutes=10),
                    today=today_vn() - timedelta(days=days_ago),
                )
                db.session.commit()
        for engine in db.engines.values():
            engine.dispose()


def seed(env: dict[str, str], url: str) -> None:
    force = [] if url.startswith("sqlite") else ["--force"]  # a test server's empty database
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "seed-demo", *force],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    build_history(url)


def measure(args: argparse.Namespace, url: str) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET_KEY,
        "KHIEN_ENV": "development",
    }
    seed(env, url)
    client = wrk_client.drive if args.client == "wrk" else drive
    port = free_port()
    server = start_gunicorn(port, args.workers, env, args.threads)
    ratios: dict[str, list[float]] = {name: [] for name in PAGES}
    rates: dict[str, list[float]] = {name: [] for name in ["/healthz", *PAGES]}
    latencies: dict[str, list[float]] = {name: [] for name in PAGES}

    def rate(path: str, marker: bytes, cookie: str, name: str) -> float:
        served, times = client(port, path, cookie, args.seconds, args.connections, marker)
        rates[name].append(served / args.seconds)
        if name in latencies:
            latencies[name].extend(times)
        return served / args.seconds

    try:
        wait_until_up(port)
        cookie = sign_in(port)
        for path, marker in PAGES.values():  # warm-up: every worker's caches
            client(port, path, cookie, 1.0, args.connections, marker)
        for _ in range(args.rounds):
            # /healthz, page, /healthz, page, …, /healthz: each page against the mean of the
            # /healthz windows either side of it, so a change in the machine's speed between
            # windows tilts a ratio no more than it has to.
            before = rate("/healthz", b'"ok"', "", "/healthz")
            for name, (path, marker) in PAGES.items():
                page = rate(path, marker, cookie, name)
                after = rate("/healthz", b'"ok"', "", "/healthz")
                ratios[name].append(page / ((before + after) / 2))
                before = after
    finally:
        server.terminate()
        server.wait(timeout=30)

    backend = url.split(":", 1)[0].split("+", 1)[0]
    print(
        f"{backend}; gunicorn: {args.workers} workers x {args.threads} threads; "
        f"client: {args.client}, {args.connections} "
        f"keep-alive connections; {args.rounds} rounds of {args.seconds:.0f} s per endpoint, "
        "each page between two /healthz windows"
    )
    health = rates["/healthz"]
    print(
        f"  {'/healthz':<14} {statistics.median(health):8.1f} req/s "
        f"(windows from {min(health):.0f} to {max(health):.0f})"
    )
    missed = []
    for name in PAGES:
        ratio = statistics.median(ratios[name])
        times = latencies[name]
        print(
            f"  {name:<14} {statistics.median(rates[name]):8.1f} req/s   ratio {ratio:4.2f} "
            f"({min(ratios[name]):4.2f}–{max(ratios[name]):4.2f})   "
            f"p50 {1000 * statistics.median(times):6.1f} ms   "
            f"p95 {1000 * percentile(times, 0.95):6.1f} ms"
        )
        if ratio < 1 / 3:
            missed.append(name)
    verdict = "met" if not missed else "NOT MET for " + ", ".join(missed)
    print(f"aim: every learner page at least 0.33 of /healthz (median of rounds) -> {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--client",
        choices=("wrk", "python"),
        help="wrk when installed (it measures the server; Python's threads take a share of "
        "the cores and flatter the ratios), else python",
    )
    parser.add_argument(
        "--database-url",
        help="an empty database to fill and measure on (default: a fresh SQLite file)",
    )
    args = parser.parse_args()
    if args.client is None:
        args.client = "wrk" if wrk_client.available() else "python"
        if args.client == "python":
            print("wrk is not installed (apt-get install wrk): Python client threads instead")
    if args.client == "wrk" and not wrk_client.available():
        parser.error("--client wrk: wrk is not installed (apt-get install wrk)")
    if args.database_url:
        measure(args, args.database_url)
        return
    with tempfile.TemporaryDirectory() as tmp:
        measure(args, f"sqlite:///{Path(tmp) / 'bench.db'}")


if __name__ == "__main__":
    main()
