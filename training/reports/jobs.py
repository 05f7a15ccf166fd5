"""Exports that run in the background: the people export of a big unit or the yearly report
take longer than a page may wait, so the page starts a job and shows its progress instead.

The `export_jobs` row is the truth, not the queue: the page reads it (a reload finds the job
again), the worker writes progress into it, and it names the owner, the only person who may
download the file. Where the work runs depends on the settings:

- `REDIS_URL` set: the job goes to the RQ queue `khien`, run by `rq worker --url $REDIS_URL
  khien` in another process (or on another machine, sharing `EXPORTS_DIR` and the database);
- unset (the embedded default): a daemon thread of the web process runs it. A thread dies with
  its process, so a job interrupted by a restart stays "running" until it expires.

Producers (the code that writes one kind of file) `register` themselves when their module is
imported; the app imports them through the reports views, and the RQ worker builds the app, so
both sides know the same kinds.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import import_module
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue
from sqlalchemy import delete, select, update
from werkzeug.exceptions import NotFound

from training.clock import utcnow
from training.errors import KhienError
from training.extensions import db
from training.org.models import Person
from training.reports.models import ExportJob, JobState

Progress = Callable[[int, int | None], None]
Producer = Callable[[ExportJob, Path, Progress], str]
"""Writes the file at the given path, calls `progress(done, total)` now and then (total None
while unknown), and returns the file name the owner downloads it as. It reads the database
through `db.session` and writes nothing there. A `KhienError` it raises is shown to the owner
as it is; any other exception is logged and the owner reads that the export failed."""

QUEUE_NAME = "khien"
# An export slower than this is stopped by the worker and marked failed (RQ's default: 3 min).
JOB_TIMEOUT_SECONDS = 60 * 60
# Progress is written at most this often: a producer may report every row of 50,000.
PROGRESS_EVERY_SECONDS = 1.0
# A test hook (`tests/report_job_producers.py`): modules the RQ worker imports, after building
# the app, to register producers that the app itself does not know. Comma-separated.
EXTRA_PRODUCERS_ENV = "KHIEN_EXTRA_PRODUCERS"

_JOB_FILE = re.compile(r"[0-9a-f]{32}(\.part)?")
_MAX_FILE_NAME = 200  # ExportJob.file_name

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Registered:
    producer: Producer
    label: Any  # str or a lazy string: shown in the language of the page


_producers: dict[str, _Registered] = {}
# Thread mode: the running threads by job id, so that a test (or a shutdown) can wait for them.
_threads: dict[str, threading.Thread] = {}


def register(kind: str, producer: Producer, *, label: Any = None) -> None:
    """`label` (a lazy string) names the kind on the pages; without it the kind is shown."""
    _producers[kind] = _Registered(producer, label)


def label_of(kind: str) -> str:
    registered = _producers.get(kind)
    return str(registered.label) if registered and registered.label is not None else kind


def exports_dir() -> Path:
    configured = current_app.config.get("EXPORTS_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "exports"


def file_path(job: ExportJob) -> Path:
    return exports_dir() / job.id


def _part_path(job_id: str) -> Path:
    """Where the producer writes; renamed to the job's file only once it is complete, so a
    download never gets half a file."""
    return exports_dir() / f"{job_id}.part"


def _ttl() -> timedelta:
    return timedelta(hours=int(current_app.config["EXPORT_TTL_HOURS"]))


def start(owner: Person, kind: str, params: dict[str, Any]) -> ExportJob:
    """Commits the session (the row must exist before a worker looks for it), then hands the
    job to RQ or to a thread. If Redis cannot be reached the job is marked failed, not lost
    silently: its page says so."""
    if kind not in _producers:
        raise KeyError(f"no producer registered for export kind {kind!r}")
    now = utcnow()
    job = ExportJob(
        id=secrets.token_hex(16),
        owner_id=owner.id,
        kind=kind,
        params=dict(params),
        state=JobState.QUEUED,
        done=0,
        created_at=now,
        expires_at=now + _ttl(),
    )
    db.session.add(job)
    db.session.commit()
    job_id = job.id
    redis_url = current_app.config.get("REDIS_URL")
    if redis_url:
        _enqueue(str(redis_url), job_id)
    else:
        _start_thread(current_app._get_current_object(), job_id)  # type: ignore[attr-defined]
    return job


def _enqueue(redis_url: str, job_id: str) -> None:
    # Short timeouts: a dead Redis fails the job at once instead of hanging the page.
    redis = Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=5)
    try:
        with redis:
            Queue(QUEUE_NAME, connection=redis).enqueue(
                run_in_worker,
                job_id,
                job_id=job_id,
                job_timeout=JOB_TIMEOUT_SECONDS,
                result_ttl=0,  # the row keeps the outcome
                failure_ttl=int(_ttl().total_seconds()),
                description=f"export {job_id}",
            )
    except RedisError:
        log.exception("export %s: the queue at REDIS_URL could not be reached", job_id)
        _finish(
            job_id,
            JobState.FAILED,
            error=_("The export queue could not be reached. Please try again later."),
        )


def _start_thread(app: Flask, job_id: str) -> None:
    thread = threading.Thread(
        target=_run_in_thread, args=(app, job_id), name=f"export-{job_id}", daemon=True
    )
    _threads[job_id] = thread  # before start(): absent from the dict means finished
    thread.start()


def _run_in_thread(app: Flask, job_id: str) -> None:
    try:
        with app.app_context():
            run(job_id)
    finally:
        _threads.pop(job_id, None)


def wait_for(job_id: str, timeout: float | None = None) -> None:
    """Thread mode: return once the job's thread has ended (at once if it has, or if the job
    went to RQ). Tests wait with this rather than by sleeping."""
    thread = _threads.get(job_id)
    if thread is not None:
        thread.join(timeout)


_worker_app: Flask | None = None


def run_in_worker(job_id: str) -> None:
    """What RQ executes. The app is built from the environment (DATABASE_URL, KHIEN_EXPORTS_DIR,
    …) once per process; RQ's default worker forks a process per job, so there that is once
    per job, a fraction of a second against an export that takes minutes."""
    global _worker_app
    if _worker_app is None:
        from training import create_app

        _worker_app = create_app()
        for module in filter(None, os.environ.get(EXTRA_PRODUCERS_ENV, "").split(",")):
            import_module(module.strip())
    with _worker_app.app_context():
        try:
            run(job_id)
        finally:
            db.session.remove()
            db.engine.dispose()  # the work horse exits next: close, don't drop, connections


def run(job_id: str) -> None:
    """Runs the job once: a job already taken (RQ retrying, a second worker) is left alone."""
    job = _claim(job_id)
    if job is None:
        log.warning("export %s: not queued any more (or deleted); nothing to do", job_id)
        return
    registered = _producers.get(job.kind)
    target, part = file_path(job), _part_path(job_id)
    progress = _ProgressWriter(job_id)
    # The file and its error messages speak the owner's language, like the pages they read.
    locale = job.owner.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    try:
        with force_locale(locale):
            if registered is None:
                raise KhienError(_("This kind of export (%(kind)s) is not known.", kind=job.kind))
            target.parent.mkdir(parents=True, exist_ok=True)
            file_name = registered.producer(job, part, progress)
        if not part.is_file():
            raise RuntimeError(f"the {job.kind} producer wrote no file")
        part.replace(target)
    except Exception as err:  # recorded on the job and logged, never swallowed
        db.session.rollback()
        part.unlink(missing_ok=True)
        target.unlink(missing_ok=True)
        if isinstance(err, KhienError):
            message = err.message
        else:
            log.exception("export %s (%s) failed", job_id, job.kind)
            with force_locale(locale):
                message = _(
                    "The export failed because of an error in Khiên; it has been logged "
                    "with the reference %(ref)s.",
                    ref=job_id,
                )
        _finish(job_id, JobState.FAILED, error=message, done=progress.done, total=progress.total)
        return
    db.session.rollback()  # a producer writes files, not rows
    try:
        finished = _finish(
            job_id,
            JobState.DONE,
            file_name=_download_name(file_name),
            done=progress.final_done,
            total=progress.final_total,
        )
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    if not finished:  # purged while it ran: nobody can ask for the file any more
        target.unlink(missing_ok=True)


def _claim(job_id: str) -> ExportJob | None:
    claimed = db.session.execute(
        update(ExportJob)
        .where(ExportJob.id == job_id, ExportJob.state == JobState.QUEUED)
        .values(state=JobState.RUNNING)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if getattr(claimed, "rowcount", 0) != 1:
        return None
    return db.session.get(ExportJob, job_id)


def _finish(
    job_id: str,
    state: JobState,
    *,
    file_name: str | None = None,
    error: str | None = None,
    done: int | None = None,
    total: int | None = None,
) -> bool:
    """The outcome, in a transaction of its own; False if the row is gone. The file is kept
    `EXPORT_TTL_HOURS` from now, not from the start: a slow export still waits a full day."""
    now = utcnow()
    values: dict[str, Any] = {
        "state": state,
        "file_name": file_name,
        "error": error,
        "finished_at": now,
        "expires_at": now + _ttl(),
    }
    if done is not None:
        values["done"] = done
        values["total"] = total
    result = db.session.execute(
        update(ExportJob)
        .where(ExportJob.id == job_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return getattr(result, "rowcount", 0) == 1


def _download_name(name: str) -> str:
    name = Path(str(name)).name or "export"
    if len(name) <= _MAX_FILE_NAME:
        return name
    suffix = Path(name).suffix[:20]
    return name[: _MAX_FILE_NAME - len(suffix)] + suffix


class _ProgressWriter:
    """The producer's `progress` callback. Each write is a short transaction on a connection
    of its own, so the producer's session keeps its transaction (and its consistent view of
    the data) and the page sees the count at once."""

    def __init__(self, job_id: str) -> None:
        self.job_id = job_id
        self.done = 0
        self.total: int | None = None
        self._written_at = float("-inf")

    def __call__(self, done: int, total: int | None) -> None:
        self.done, self.total = max(0, int(done)), None if total is None else max(0, int(total))
        now = time.monotonic()
        if now - self._written_at < PROGRESS_EVERY_SECONDS:
            return
        self._written_at = now
        with db.engine.begin() as connection:
            connection.execute(
                update(ExportJob)
                .where(ExportJob.id == self.job_id)
                .values(done=self.done, total=self.total)
            )

    @property
    def final_done(self) -> int:
        """A finished job is complete, whatever the producer last reported."""
        return max(self.done, self.total or 0)

    @property
    def final_total(self) -> int:
        return self.final_done


def job_for(owner: Person, job_id: str) -> ExportJob:
    """Another person's job answers exactly like a missing one, so job ids cannot be probed.
    Read afresh from the database: the worker changes the row while the page is open."""
    job = db.session.scalar(
        select(ExportJob)
        .where(ExportJob.id == job_id, ExportJob.owner_id == owner.id)
        .execution_options(populate_existing=True)
    )
    if job is None:
        raise NotFound()
    return job


def jobs_of(owner: Person, *, limit: int = 100) -> list[ExportJob]:
    return list(
        db.session.scalars(
            select(ExportJob)
            .where(ExportJob.owner_id == owner.id)
            .order_by(ExportJob.created_at.desc(), ExportJob.id)
            .limit(limit)
            .execution_options(populate_existing=True)
        )
    )


@dataclass(frozen=True)
class JobStatus:
    """What the pages show of a job on a given moment."""

    job: ExportJob
    label: str
    state: str  # a JobState value, or "expired"
    is_finished: bool
    can_download: bool


def status_of(job: ExportJob, now: datetime) -> JobStatus:
    expired = now >= job.expires_at
    state = "expired" if expired else job.state.value
    return JobStatus(
        job=job,
        label=label_of(job.kind),
        state=state,
        is_finished=expired or job.state in (JobState.DONE, JobState.FAILED),
        can_download=state == JobState.DONE.value and file_path(job).is_file(),
    )


def downloadable_file(owner: Person, job_id: str, now: datetime) -> tuple[ExportJob, Path]:
    """The owner's finished, unexpired file; anything else is a 404, like a missing job."""
    job = job_for(owner, job_id)
    path = file_path(job)
    if job.state != JobState.DONE or now >= job.expires_at or not job.file_name:
        raise NotFound()
    if not path.is_file():
        raise NotFound()
    return job, path


def purge_expired(now: datetime) -> int:
    """Deletes the jobs expired at `now`, then their files; commits. Rows go first: a crash in
    between leaves a file nobody can reach, which the next purge sweeps (a job file whose row
    is gone, older than the time to live), never a row whose file is missing. Only names that
    are job files are ever deleted, whatever else EXPORTS_DIR holds."""
    purged = list(
        db.session.scalars(
            delete(ExportJob)
            .where(ExportJob.expires_at <= now)
            .returning(ExportJob.id)
            .execution_options(synchronize_session=False)
        )
    )
    db.session.commit()
    folder = exports_dir()
    for job_id in purged:
        (folder / job_id).unlink(missing_ok=True)
        (folder / f"{job_id}.part").unlink(missing_ok=True)
    if folder.is_dir():
        live = set(db.session.scalars(select(ExportJob.id)))
        db.session.commit()
        cutoff = (now - _ttl()).timestamp()
        for path in folder.iterdir():
            if not _JOB_FILE.fullmatch(path.name) or path.name.split(".")[0] in live:
                continue
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
    return len(purged)
