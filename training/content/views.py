"""For the province's administrators: the state of the content files and the clause coverage,
the same reports as `content check` and `content trace`, read from disk on each visit; and the
province settings that lessons and questions name."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _

from training.clock import utcnow
from training.content.catalog import content_dirs, read_catalog
from training.content.province_forms import ProvinceSettingsForm
from training.content.settings_usage import setting_usage
from training.content.trace import coverage
from training.org.access import current_person, role_required
from training.org.models import Role
from training.org.province import BY_NAME, SETTINGS, SettingChange, read_values, save_settings
from training.sources.problems import Severity
from training.web import commit_or_show

bp = Blueprint("content", __name__, url_prefix="/content", template_folder="templates")


@bp.route("/")
@role_required(Role.ICT_ADMIN)
def overview() -> ResponseReturnValue:
    catalog = read_catalog(*content_dirs())
    problems = catalog.all_problems()
    values = read_values()
    usage = setting_usage(catalog)
    return render_template(
        "content/overview.html",
        catalog=catalog,
        rows=coverage(catalog),
        problems=[(p.render(catalog.root), p.severity == Severity.ERROR) for p in problems],
        lang=str(get_locale()),
        questions=sum(len(quiz.questions) for quiz in catalog.quizzes),
        empty_settings=[(BY_NAME[name], usage[name]) for name in values.empty()],
    )


@bp.route("/province", methods=["GET", "POST"])
@role_required(Role.ICT_ADMIN)
def province() -> ResponseReturnValue:
    values = read_values()
    form = ProvinceSettingsForm()
    if not form.is_submitted():
        for name, (value, value_en) in values.rows.items():
            form[name].data = value
            if BY_NAME[name].has_english:
                form[f"{name}_en"].data = value_en or ""
    if form.validate_on_submit():
        changes = {
            s.name: SettingChange(
                form[s.name].data or "",
                (form[f"{s.name}_en"].data or "") if s.has_english else "",
            )
            for s in SETTINGS
        }
        saved = commit_or_show(
            lambda: save_settings(changes, actor=current_person(), now=utcnow()), form=form
        )
        if saved is not None:
            if saved.value:
                flash(_("Province settings saved; lessons show them from now on."), "success")
            else:
                flash(_("Nothing changed."), "info")
            return redirect(url_for(".province"))
    usage = setting_usage(read_catalog(*content_dirs()))
    return render_template(
        "content/province.html", form=form, settings=SETTINGS, usage=usage, values=values
    )
