"""Learning pages: my courses, a course's outline, a lesson, and the course's own images."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    send_file,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.utils import safe_join

from training.clock import today_vn, utcnow
from training.courses import services
from training.courses.completions import method_label
from training.courses.deadlines import deadline_sources, shelve
from training.courses.files import IMAGE_TYPES
from training.courses.models import CompletionMethod
from training.courses.panels import course_panels
from training.extensions import db
from training.forms import ConfirmForm
from training.org.access import current_person, login_required
from training.sources.clauses import CLAUSE_FILE, load_clauses

bp = Blueprint("courses", __name__, url_prefix="/courses", template_folder="templates")


@bp.app_template_filter("completion_method")
def completion_method(method: CompletionMethod | str, source: str | None = None) -> str:
    """How a completion was earned, for every page that lists completions."""
    return method_label(method, source)


def _lang() -> str:
    return str(get_locale())


def _outline_or_404(slug: str) -> services.Outline:
    outline = services.outline_for(current_person(), slug, _lang())
    if outline is None:
        abort(404)
    return outline


@bp.route("/")
@login_required
def my_courses() -> ResponseReturnValue:
    """What is required of the learner first, by deadline; the deadlines come from the domain
    that assigns courses (`courses/deadlines.py`)."""
    person, today = current_person(), today_vn()
    cards = services.courses_for(person, today=today, deadlines=deadline_sources(current_app))
    return render_template("courses/my_courses.html", shelves=shelve(cards), lang=_lang())


@bp.route("/<slug>")
@login_required
def show_course(slug: str) -> ResponseReturnValue:
    outline = _outline_or_404(slug)
    course = outline.course
    today = today_vn()
    # The quiz's section, added by the quizzes blueprint; reading it writes nothing.
    panels = course_panels(current_app, current_person(), course, now=utcnow(), today=today)
    clause_map = load_clauses(Path(current_app.config["COURSES_DIR"]) / CLAUSE_FILE)
    return render_template(
        "courses/course.html",
        clauses=[clause_map[cid] for cid in course.clause_ids if cid in clause_map],
        course=course,
        outline=outline,
        lang=_lang(),
        panels=panels,
        today=today,
    )


@bp.route("/<slug>/lessons/<key>")
@login_required
def show_lesson(slug: str, key: str) -> ResponseReturnValue:
    outline = _outline_or_404(slug)
    course = outline.course
    page = services.lesson_page(outline, key, _lang())
    if page is None:
        abort(404)
    return render_template("courses/lesson.html", course=course, page=page, lang=_lang())


@bp.route("/<slug>/lessons/<key>/read", methods=["POST"])
@login_required
def mark_read(slug: str, key: str) -> ResponseReturnValue:
    outline = _outline_or_404(slug)
    if key not in outline.entries:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.mark_read(current_person(), outline, key, now=utcnow())
    db.session.commit()
    following = outline.neighbours(key)[1]
    if following is not None:
        return redirect(url_for(".show_lesson", slug=slug, key=following.key))
    flash(_("You have read every lesson of this course."), "success")
    return redirect(url_for(".show_course", slug=slug))


@bp.route("/<slug>/media/<path:filename>")
@login_required
def media(slug: str, filename: str) -> ResponseReturnValue:
    """Only image files, only from this course's own folder, only for its audience."""
    if services.get_course_for(current_person(), slug) is None:
        abort(404)
    if Path(filename).suffix.lower() not in IMAGE_TYPES:
        abort(404)
    folder = Path(current_app.config["COURSES_DIR"]) / slug
    path = safe_join(str(folder), filename)
    if path is None or not Path(path).is_file():
        abort(404)
    return send_file(path, max_age=3600)
