"""Background exports: a job outlives the page that started it, shows its progress, hands its
file to its owner only (anyone else gets the 404 of a missing job), fails without leaving half
a file, and expires. Both runners: a thread of the app, and a real RQ worker on Redis.

The test producers are in `tests/report_job_producers.py`; tests wait for a thread with
`jobs.wait_for` and for the worker with `rq worker --burst`, never by sleeping."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from subprocess import run

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue
from sqlalchemy import select, update
from werkzeug.datastructures import Headers
from werkzeug.test import TestResponse

from tests import report_job_producers as producers
from tests.helpers import ROOT, sign_in
from training.extensions import db
from training.org.models import Person, Role, Unit
from training.reports import jobs
from training.reports.job_cli import purge_command
from training.reports.models import ExportJob, JobState

REDIS_TEST_URL = "redis://127.0.0.1:6379/5"
RQ = str(Path(sys.executable).parent / "rq")  # the virtual environment's own


@dataclass
class People:
    owner: Person
    other_officer: Person
    admin: Person
    learner: Person


@pytest.fixture
def exports(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Thread mode (no REDIS_URL), files in a folder of this test."""
    folder = tmp_path / "exports"
    monkeypatch.setitem(app.config, "EXPORTS_DIR", str(folder))
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    return folder


@pytest.fixture
def people(make_unit: Callable[..., Unit], make_user: Callable[..., Person]) -> People:
    agency = make_unit("SNV")
    return People(
        owner=make_user(role=Role.UNIT_OFFICER, unit=agency, username="cntt.snv"),
        other_officer=make_user(role=Role.UNIT_OFFICER, unit=agency, username="cntt.snv2"),
        admin=make_user(role=Role.ICT_ADMIN, username="quantri"),
        learner=make_user(unit=agency, username="hanh.tran"),
    )


@pytest.fixture
def client_of(app: Flask) -> Callable[[Person], FlaskClient]:
    def _client_of(person: Person) -> FlaskClient:
        client = app.test_client()
        sign_in(client, person.username)
        return client

    return _client_of


@pytest.fixture
def blocking() -> Iterator[None]:
    """The blocking producer starts held back, and is let go whatever the test does."""
    producers.reached.clear()
    producers.release.clear()
    yield
    producers.release.set()


def job_url(job_id: str, *, file: bool = False) -> str:
    return f"/reports/jobs/{job_id}" + ("/file" if file else "")


def row(job_id: str) -> ExportJob | None:
    db.session.expire_all()
    return db.session.scalar(select(ExportJob).where(ExportJob.id == job_id))


def without_tokens(response: TestResponse) -> str:
    """The page without its CSRF tokens, which differ from one response to the next."""
    return re.sub(r'name="csrf_token" value="[^"]*"', "", response.get_data(as_text=True))


def download(client: FlaskClient, job_id: str) -> tuple[int, bytes, Headers]:
    """A file response holds the file open until closed."""
    with client.get(job_url(job_id, file=True)) as response:
        return response.status_code, response.get_data(), response.headers


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_background_export_survives_a_reload_and_is_refused_to_another_user(
    exports, people, client_of, blocking, monkeypatch
):
    monkeypatch.setattr(jobs, "PROGRESS_EVERY_SECONDS", 0)  # every report reaches the page
    job_id = jobs.start(people.owner, "test_blocking", {"rows": 40}).id
    assert producers.reached.wait(timeout=30)
    owner = client_of(people.owner)

    for _reload in range(2):  # the page, then the same page reloaded: the job is still there
        page = owner.get(job_url(job_id))
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert "Danh sách chậm" in html
        assert '<meta http-equiv="refresh" content="2">' in html
        assert '<progress max="40" value="20"' in html
        assert job_url(job_id, file=True) not in html
        assert owner.get(job_url(job_id, file=True)).status_code == 404  # not ready yet

    producers.release.set()
    jobs.wait_for(job_id, timeout=30)

    for _reload in range(2):
        html = owner.get(job_url(job_id)).get_data(as_text=True)
        assert f'href="{job_url(job_id, file=True)}"' in html
        assert 'http-equiv="refresh"' not in html
        assert '<progress max="1" value="1"' in html
    listing = owner.get("/reports/jobs").get_data(as_text=True)
    assert job_url(job_id) in listing

    status, data, headers = download(owner, job_id)
    assert (status, data) == (200, producers.csv_bytes(40))
    assert headers["Content-Disposition"].startswith("attachment;")
    assert "danh-s%C3%A1ch-nh%C3%A2n-s%E1%BB%B1.csv" in headers["Content-Disposition"]
    assert headers["Cache-Control"] == "no-store"

    assert owner.get(job_url("0" * 32)).status_code == 404
    for person in (people.other_officer, people.admin):  # the admin too: the file is personal
        other = client_of(person)
        missing = other.get(job_url("0" * 32))
        refused = other.get(job_url(job_id))
        assert refused.status_code == 404
        # exactly like a missing job (but for the address, which the language switch repeats)
        assert without_tokens(refused).replace(job_id, "…") == without_tokens(missing).replace(
            "0" * 32, "…"
        )
        assert other.get(job_url(job_id, file=True)).status_code == 404
        assert job_id not in other.get("/reports/jobs").get_data(as_text=True)
    learner = client_of(people.learner)
    for url in (job_url(job_id), job_url(job_id, file=True), "/reports/jobs"):
        assert learner.get(url).status_code == 403


def test_a_finished_job_records_its_outcome_and_offers_nothing_else(exports, people):
    job_id = jobs.start(people.owner, "test_csv", {"rows": 3}).id
    jobs.wait_for(job_id, timeout=30)
    job = row(job_id)
    assert job is not None
    assert (job.state, job.done, job.total) == (JobState.DONE, 3, 3)
    assert job.file_name == producers.FILE_NAME
    assert job.finished_at is not None
    assert job.expires_at == job.finished_at + timedelta(hours=24)
    assert files_in(exports) == [job_id]  # no ".part" left behind
    assert jobs.file_path(job).read_bytes() == producers.csv_bytes(3)


def test_sign_in_is_needed_for_the_job_pages(exports, people, app):
    job_id = jobs.start(people.owner, "test_csv", {"rows": 1}).id
    jobs.wait_for(job_id, timeout=30)
    anonymous = app.test_client()
    for url in (job_url(job_id), job_url(job_id, file=True), "/reports/jobs"):
        response = anonymous.get(url)
        assert response.status_code == 302
        assert "/auth/login" in response.headers["Location"]


def test_a_refused_export_shows_its_reason_and_leaves_no_file(exports, people, client_of):
    job_id = jobs.start(people.owner, "test_refused", {}).id
    jobs.wait_for(job_id, timeout=30)
    job = row(job_id)
    assert job is not None
    assert job.state == JobState.FAILED
    assert job.error == "Đơn vị SNV không còn tồn tại vào ngày báo cáo."
    assert job.file_name is None
    assert files_in(exports) == []

    owner = client_of(people.owner)
    html = owner.get(job_url(job_id)).get_data(as_text=True)
    assert "Đơn vị SNV không còn tồn tại vào ngày báo cáo." in html
    assert 'http-equiv="refresh"' not in html
    assert job_url(job_id, file=True) not in html
    assert owner.get(job_url(job_id, file=True)).status_code == 404


def test_a_bug_in_an_export_is_logged_and_the_owner_told_without_details(
    exports, people, client_of, caplog
):
    job_id = jobs.start(people.owner, "test_buggy", {}).id
    jobs.wait_for(job_id, timeout=30)
    job = row(job_id)
    assert job is not None
    assert job.state == JobState.FAILED
    assert job.error is not None
    assert job_id in job.error  # the reference to quote to the administrators
    assert "ZeroDivisionError" not in job.error
    assert files_in(exports) == []
    assert any(r.exc_info and job_id in r.getMessage() for r in caplog.records)
    html = client_of(people.owner).get(job_url(job_id)).get_data(as_text=True)
    assert job_id in html


def test_a_job_runs_once(exports, people):
    job_id = jobs.start(people.owner, "test_csv", {"rows": 2}).id
    jobs.wait_for(job_id, timeout=30)
    finished = row(job_id)
    assert finished is not None
    finished_at = finished.finished_at
    jobs.run(job_id)  # RQ retrying, or a second worker: nothing happens
    again = row(job_id)
    assert again is not None
    assert (again.state, again.finished_at) == (JobState.DONE, finished_at)


def test_an_unknown_kind_is_refused_before_anything_is_saved(exports, people):
    with pytest.raises(KeyError):
        jobs.start(people.owner, "no_such_export", {})
    assert db.session.scalars(select(ExportJob)).all() == []


def test_expired_exports_are_refused_then_purged_with_their_files(app, exports, people, client_of):
    kept_id = jobs.start(people.owner, "test_csv", {"rows": 2}).id
    old_id = jobs.start(people.owner, "test_csv", {"rows": 2}).id
    for job_id in (kept_id, old_id):
        jobs.wait_for(job_id, timeout=30)
    old = row(old_id)
    assert old is not None
    now = old.expires_at + timedelta(seconds=1)
    # the other one was kept a day longer (its owner asked again, say)
    db.session.execute(
        update(ExportJob).where(ExportJob.id == kept_id).values(expires_at=now + timedelta(days=1))
    )
    db.session.commit()

    owner = client_of(people.owner)
    # Past its time but not yet purged (the page reads the real clock): refused already.
    db.session.execute(
        update(ExportJob).where(ExportJob.id == old_id).values(expires_at=now - timedelta(days=9))
    )
    db.session.commit()
    assert owner.get(job_url(old_id, file=True)).status_code == 404
    html = owner.get(job_url(old_id)).get_data(as_text=True)
    assert "đã hết hạn" in html or "has expired" in html
    assert job_url(old_id, file=True) not in html

    assert jobs.purge_expired(now) == 1
    assert row(old_id) is None
    assert files_in(exports) == [kept_id]
    assert owner.get(job_url(old_id, file=True)).status_code == 404
    assert owner.get(job_url(old_id)).status_code == 404
    assert download(owner, kept_id)[:2] == (200, producers.csv_bytes(2))

    # The command purges with the real clock: the kept one has a day left.
    result = app.test_cli_runner().invoke(purge_command)
    assert result.exit_code == 0, result.output
    assert re.search(r"\b0\b", result.output)
    assert row(kept_id) is not None


def test_purge_sweeps_job_files_whose_row_is_gone_and_nothing_else(exports, people):
    job_id = jobs.start(people.owner, "test_csv", {"rows": 2}).id
    jobs.wait_for(job_id, timeout=30)
    job = row(job_id)
    assert job is not None
    stray = exports / ("a" * 32)  # a crash between the purge's commit and its unlink
    stray.write_bytes(b"x")
    other = exports / "notes.txt"
    other.write_bytes(b"not ours")
    os.utime(stray, (0, 0))
    os.utime(other, (0, 0))
    assert jobs.purge_expired(job.expires_at - timedelta(seconds=1)) == 0
    assert files_in(exports) == sorted([job_id, "notes.txt"])


@pytest.fixture
def redis_url(app: Flask, exports: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=2) as redis:
        try:
            redis.ping()
        except RedisError as err:
            message = (
                f"REDIS IS UNREACHABLE AT {REDIS_TEST_URL} ({err}): THE RQ WORKER TEST DID NOT "
                "RUN. Start Redis (.ci/run does) to run it."
            )
            if os.environ.get("KHIEN_REQUIRE_REDIS"):
                pytest.fail(message)
            pytest.skip(message)
        queue = Queue(jobs.QUEUE_NAME, connection=redis)
        queue.empty()  # only this test's job for the burst worker
        monkeypatch.setitem(app.config, "REDIS_URL", REDIS_TEST_URL)
        yield REDIS_TEST_URL
        queue.empty()


def test_rq_worker_runs_the_export_for_its_owner_only(
    redis_url, database_url, exports, people, client_of
):
    job_id = jobs.start(people.owner, "test_csv", {"rows": 7}).id
    job = row(job_id)
    assert job is not None
    assert job.state == JobState.QUEUED  # enqueued, not run here
    owner = client_of(people.owner)
    assert '<meta http-equiv="refresh" content="2">' in owner.get(job_url(job_id)).get_data(
        as_text=True
    )

    env = {
        **os.environ,
        "KHIEN_ENV": "development",
        "DATABASE_URL": database_url,
        "KHIEN_EXPORTS_DIR": str(exports),
        "SECRET_KEY": "test-secret-key-for-the-worker-process-only",  # not written to instance/
        jobs.EXTRA_PRODUCERS_ENV: "tests.report_job_producers",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.pop("REDIS_URL", None)
    worker = run(  # noqa: S603 - fixed arguments, the venv's own rq
        [RQ, "worker", "--burst", "--url", redis_url, "--path", str(ROOT), jobs.QUEUE_NAME],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert worker.returncode == 0, worker.stdout + worker.stderr

    job = row(job_id)
    assert job is not None
    assert (job.state, job.error, job.done, job.total) == (JobState.DONE, None, 7, 7)
    html = owner.get(job_url(job_id)).get_data(as_text=True)
    assert f'href="{job_url(job_id, file=True)}"' in html
    assert download(owner, job_id)[:2] == (200, producers.csv_bytes(7))
    other = client_of(people.other_officer)
    assert other.get(job_url(job_id)).status_code == 404
    assert other.get(job_url(job_id, file=True)).status_code == 404


def test_an_unreachable_queue_fails_the_job_visibly(app, exports, people, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens
    job_id = jobs.start(people.owner, "test_csv", {"rows": 1}).id
    job = row(job_id)
    assert job is not None
    assert job.state == JobState.FAILED
    assert job.error
