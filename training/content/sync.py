"""Loading the content on disk into the database, for `content sync`, `init` and `seed-demo`.

It lives here, not in a command, because three commands run it and print the same report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import click

from training.clock import utcnow
from training.content.catalog import Catalog, content_dirs, read_catalog
from training.courses.loading import SyncReport, sync_courses
from training.extensions import db
from training.quizzes.loading import QuizSyncReport, sync_quizzes


@dataclass
class ContentSync:
    catalog: Catalog
    courses: SyncReport
    quizzes: QuizSyncReport

    @property
    def refused(self) -> int:
        return len(self.courses.refused) + len(self.quizzes.refused)


def sync_content(*, now: datetime) -> ContentSync:
    """Load what is valid, refuse what is broken (its loaded version stays); flushes, the
    caller commits."""
    catalog = read_catalog(*content_dirs())
    return ContentSync(
        catalog,
        sync_courses(catalog.courses, now=now),
        sync_quizzes(catalog.quizzes, now=now),
    )


def echo_sync(outcome: ContentSync) -> None:
    for problem in outcome.catalog.all_problems():
        click.echo(problem.render(outcome.catalog.root), err=True)
    report, quiz_report = outcome.courses, outcome.quizzes
    for label, slugs in (
        ("created", report.created),
        ("updated", report.updated),
        ("unchanged", report.unchanged),
        ("hidden", report.hidden),
    ):
        if slugs:
            click.echo(f"{label}: {', '.join(slugs)}")
    for slug in report.refused:
        click.echo(f"REFUSED: {slug} has errors; the version loaded before stays in use.", err=True)
    if quiz_report.loaded:
        click.echo(f"quizzes loaded: {', '.join(quiz_report.loaded)}")
    for slug in quiz_report.refused:
        click.echo(
            f"REFUSED: quiz {slug} has errors; the pool loaded before stays in use.", err=True
        )
    click.echo(f"lessons rendered: {report.rendered}, reused from cache: {report.reused}")


def run_sync() -> int:
    """Sync, commit, print the report; returns how many courses and quizzes were refused."""
    outcome = sync_content(now=utcnow())
    db.session.commit()
    echo_sync(outcome)
    return outcome.refused
