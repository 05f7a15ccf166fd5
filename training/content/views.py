"""For the province's administrators: the state of the content files and the clause coverage,
the same reports as `content check` and `content trace`, read from disk on each visit."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_babel import get_locale

from training.content.catalog import content_dirs, read_catalog
from training.content.trace import coverage
from training.org.access import role_required
from training.org.models import Role
from training.sources.problems import Severity

bp = Blueprint("content", __name__, url_prefix="/content", template_folder="templates")


@bp.route("/")
@role_required(Role.ICT_ADMIN)
def overview() -> ResponseReturnValue:
    catalog = read_catalog(*content_dirs())
    problems = catalog.all_problems()
    return render_template(
        "content/overview.html",
        catalog=catalog,
        rows=coverage(catalog),
        problems=[(p.render(catalog.root), p.severity == Severity.ERROR) for p in problems],
        lang=str(get_locale()),
        questions=sum(len(quiz.questions) for quiz in catalog.quizzes),
    )
