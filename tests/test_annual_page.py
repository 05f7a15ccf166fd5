"""The yearly report from the web: the ICT admin asks for a year, a background job makes the
workbook or the draft document, and only its owner downloads it."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

from docx import Document
from sqlalchemy import select

from tests.assignment_world import assign, complete
from tests.helpers import sign_in
from training.clock import today_vn
from training.extensions import db
from training.org.models import Role
from training.reports import jobs
from training.reports.models import ExportJob


def _client(app, username: str):
    client = app.test_client()
    sign_in(client, username)
    return client


def test_the_admin_downloads_last_years_report_in_both_forms(app, office, make_user) -> None:
    today = today_vn()
    assign(office.basics, unit=office.agency, on=today - timedelta(days=60), due_days=30)
    complete(office.officer, office.basics, today - timedelta(days=5))
    make_user(role=Role.ICT_ADMIN, unit=office.agency, username="quantri")
    admin = _client(app, "quantri")
    page = admin.get("/reports/annual").get_data(as_text=True)
    assert (
        f'value="{today.year - 1}" selected' in page or f'selected value="{today.year - 1}"' in page
    )
    files = {}
    for fmt in ("xlsx", "docx"):
        response = admin.post("/reports/annual", data={"year": today.year, "fmt": fmt})
        assert response.status_code == 302
        job_id = response.headers["Location"].rsplit("/", 1)[1]
        jobs.wait_for(job_id, timeout=60)
        got = admin.get(f"/reports/jobs/{job_id}/file")
        assert got.status_code == 200
        assert f"bao-cao-nam-{today.year}.{fmt}" in got.headers["Content-Disposition"]
        files[fmt] = got.get_data()
        got.close()
    assert zipfile.is_zipfile(io.BytesIO(files["xlsx"]))
    document = Document(io.BytesIO(files["docx"]))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    text = "\n".join([*(p.text for p in document.paragraphs), *cells])
    assert "BÁO CÁO" in text
    assert "Nơi nhận" in text
    officer = _client(app, office.officer.username)
    job_id = db.session.scalar(select(ExportJob.id).limit(1))
    assert officer.get(f"/reports/jobs/{job_id}/file").status_code == 404
    assert officer.get("/reports/annual").status_code == 403
    assert (
        officer.post("/reports/annual", data={"year": today.year, "fmt": "xlsx"}).status_code == 403
    )
