"""The yearly report as a background export: the dashboard starts an `annual_report` job with
`{"year": 2026, "format": "xlsx" | "docx"}` (and optionally `"lang"`), and the file waits for
its owner on the jobs page.

The report covers the whole province, so only an ICT administrator's job makes one; the owner
is checked again when the job runs, as the people export re-checks its scope, since a role can
be taken away between the click and the run.
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app
from flask_babel import get_locale

from training.clock import utcnow
from training.errors import KhienError
from training.org.models import Role
from training.reports.annual import LANGS, build_annual, pick
from training.reports.annual_docx import write_annual_docx
from training.reports.annual_xlsx import write_annual_xlsx
from training.reports.jobs import Progress, register
from training.reports.models import ExportJob

ANNUAL_REPORT = "annual_report"
FORMATS = ("xlsx", "docx")
STEPS = 3  # gather the figures, write the file, done


def annual_file_name(year: int, fmt: str) -> str:
    return f"bao-cao-nam-{year}.{fmt}"


def _params(job: ExportJob) -> tuple[int, str, str]:
    params = job.params
    locale = str(get_locale() or "vi")
    lang = str(params.get("lang") or locale)
    lang = lang if lang in LANGS else "vi"
    fmt = params.get("format", "xlsx")
    if fmt not in FORMATS:
        raise KhienError(
            pick(("Định dạng này không được hỗ trợ.", "This format is not offered."), lang)
        )
    try:
        year = int(params["year"])
    except (KeyError, TypeError, ValueError) as err:
        raise KhienError(
            pick(("Thiếu năm báo cáo.", "The report's year is missing."), lang)
        ) from err
    return year, str(fmt), lang


def annual_producer(job: ExportJob, path: Path, progress: Progress) -> str:
    year, fmt, lang = _params(job)
    if job.owner.role != Role.ICT_ADMIN:
        raise KhienError(
            pick(
                (
                    "Chỉ quản trị viên công nghệ thông tin của tỉnh được lập báo cáo năm.",
                    "Only the province's ICT administrators make the yearly report.",
                ),
                lang,
            )
        )
    progress(0, STEPS)
    report = build_annual(year, lang=lang, now=utcnow())
    progress(1, STEPS)
    with path.open("wb") as out:
        if fmt == "docx":
            write_annual_docx(
                out,
                report,
                issuing_body=current_app.config["REPORT_ISSUING_BODY"],
                place=current_app.config["PROVINCE_NAME"],
            )
        else:
            write_annual_xlsx(out, report, lang=lang)
    progress(STEPS, STEPS)
    return annual_file_name(year, fmt)


register(ANNUAL_REPORT, annual_producer)
