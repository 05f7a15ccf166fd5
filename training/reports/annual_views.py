"""The yearly report on the web (D6b.9): the ICT admin picks a year and a format, and the report
is made in the background, as it reads the whole province; its file waits on the job page."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SubmitField

import training.reports.annual_jobs  # noqa: F401 - registers the yearly report job
from training.clock import today_vn
from training.forms import KhienForm, select_choices
from training.org.access import current_person, role_required
from training.org.models import Role
from training.reports import jobs
from training.reports.annual_jobs import ANNUAL_REPORT
from training.reports.blueprint import bp

FIRST_YEAR = 2016  # the directive's year: nothing to report before it


class AnnualForm(KhienForm):
    year = SelectField(_l("Year"), coerce=int)
    fmt = SelectField(
        _l("File"),
        default="xlsx",
        choices=select_choices(
            [
                ("xlsx", _l("Workbook of figures (XLSX)")),
                ("docx", _l("Draft report to sign (DOCX)")),
            ]
        ),
    )
    submit = SubmitField(_l("Make the report"))


def _form() -> AnnualForm:
    """Years up to this one; last year first, the report the People's Committee awaits."""
    form = AnnualForm()
    this_year = today_vn().year
    years = [this_year - 1, this_year, *range(this_year - 2, FIRST_YEAR - 1, -1)]
    form.year.choices = [(year, str(year)) for year in years]
    if form.year.data is None:
        form.year.data = this_year - 1
    return form


@bp.route("/annual", methods=["GET", "POST"])
@role_required(Role.ICT_ADMIN)
def annual() -> ResponseReturnValue:
    form = _form()
    if form.validate_on_submit():
        job = jobs.start(
            current_person(), ANNUAL_REPORT, {"year": form.year.data, "format": form.fmt.data}
        )
        return redirect(url_for(".show_job", job_id=job.id))
    recent = [job for job in jobs.jobs_of(current_person(), limit=20) if job.kind == ANNUAL_REPORT]
    return render_template("reports/annual.html", form=form, recent=recent)
