"""The pages of background exports: one's own jobs, a job's progress, its file.

Jobs are started by the report pages (a POST from the dashboard); these pages only read. A job
belongs to the person who started it: another person's job id is a 404, like a missing one,
even for the ICT administrator, because the file holds what its owner's scope let them see.
"""

from __future__ import annotations

from flask import render_template, send_file
from flask.typing import ResponseReturnValue

from training.clock import utcnow
from training.org.access import MANAGERS, current_person, role_required
from training.reports import jobs
from training.reports.blueprint import bp

# While a job runs its page reloads itself (a <meta> refresh: the content security policy
# allows no inline script, and none is needed).
REFRESH_SECONDS = 2


@bp.route("/jobs")
@role_required(*MANAGERS)
def list_jobs() -> ResponseReturnValue:
    now = utcnow()
    statuses = [jobs.status_of(job, now) for job in jobs.jobs_of(current_person())]
    return render_template(
        "reports/jobs.html",
        statuses=statuses,
        refresh=REFRESH_SECONDS if any(not s.is_finished for s in statuses) else None,
    )


@bp.route("/jobs/<job_id>")
@role_required(*MANAGERS)
def show_job(job_id: str) -> ResponseReturnValue:
    status = jobs.status_of(jobs.job_for(current_person(), job_id), utcnow())
    return render_template(
        "reports/job.html",
        status=status,
        refresh=None if status.is_finished else REFRESH_SECONDS,
    )


@bp.route("/jobs/<job_id>/file")
@role_required(*MANAGERS)
def download_job_file(job_id: str) -> ResponseReturnValue:
    job, path = jobs.downloadable_file(current_person(), job_id, utcnow())
    # Personal data: the site's after-request hook marks the response no-store.
    return send_file(path, as_attachment=True, download_name=job.file_name)
