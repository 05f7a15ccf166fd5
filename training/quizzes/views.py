"""Taking a quiz: start, answer, submit once, see why each answer was right or wrong."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _

from training.clock import today_vn, utcnow
from training.courses import services as course_services
from training.courses.models import Course
from training.courses.panels import add_course_panel
from training.extensions import db
from training.forms import ConfirmForm
from training.org.access import current_person, login_required
from training.org.province import fill_text
from training.quizzes import attempts
from training.quizzes.models import Attempt, AttemptStatus, Quiz
from training.quizzes.panel import quiz_panel

bp = Blueprint("quizzes", __name__, template_folder="templates")


@bp.record_once
def _add_quiz_panel(state: BlueprintSetupState) -> None:
    """The course page shows the quiz without courses importing quizzes."""
    add_course_panel(state.app, quiz_panel)


@bp.app_template_filter("province")
def province_filter(text: str, lang: str) -> str:
    """A question's text with the province's published settings filled in."""
    return fill_text(text, lang)


def _lang() -> str:
    return str(get_locale())


@bp.route("/courses/<slug>/quiz", methods=["POST"])
@login_required
def start(slug: str) -> ResponseReturnValue:
    course = course_services.get_course_for(current_person(), slug)
    quiz = attempts.quiz_for(course) if course else None
    if course is None or quiz is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        attempt_id = _start_or_resume(course, quiz)
    except (attempts.QuizRefused, attempts.StartedElsewhere) as err:
        db.session.rollback()  # a refused start wrote nothing
        flash(err.message, "error")
        return redirect(url_for("courses.show_course", slug=slug))
    return redirect(url_for(".show_attempt", attempt_id=attempt_id))


def _start_or_resume(course: Course, quiz: Quiz) -> int:
    """A start that lost a race (two tabs, a double click, a script) finds the winner's attempt
    on the second try and resumes it; the database let only one of them in. Losing twice is
    reported to the learner."""
    try:
        return _start(course, quiz)
    except attempts.StartedElsewhere:
        db.session.rollback()
    return _start(course, quiz)


def _start(course: Course, quiz: Quiz) -> int:
    attempt = attempts.start_attempt(current_person(), course, quiz, now=utcnow(), today=today_vn())
    attempt_id = attempt.id  # read before the commit expires the object
    db.session.commit()
    return attempt_id


@bp.route("/attempts/<int:attempt_id>")
@login_required
def show_attempt(attempt_id: int) -> ResponseReturnValue:
    """Open, the questions; graded or out of time, the result. A page view never writes: an
    attempt past its deadline shows as expired without being closed here."""
    page = attempts.attempt_page(current_person(), attempt_id, now=utcnow())
    if page is None:
        abort(404)
    if page.status == AttemptStatus.OPEN:
        return render_template(
            "quizzes/attempt.html",
            attempt=page.attempt,
            course=page.course,
            lang=_lang(),
            form=ConfirmForm(),
        )
    return render_template(
        "quizzes/result.html",
        attempt=page.attempt,
        course=page.course,
        lang=_lang(),
        completion=page.completion,
    )


def _attempt_or_404(attempt_id: int) -> Attempt:
    attempt = attempts.get_attempt_for(current_person(), attempt_id)
    if attempt is None:
        abort(404)
    return attempt


@bp.route("/attempts/<int:attempt_id>", methods=["POST"])
@login_required
def submit(attempt_id: int) -> ResponseReturnValue:
    attempt = _attempt_or_404(attempt_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    answers = {
        q.position: [
            int(v)
            for v in request.form.getlist(f"q{q.position}")
            if v.isascii() and v.isdigit() and len(v) < 4
        ]
        for q in attempt.questions
    }
    try:
        outcome = attempts.submit_attempt(attempt, answers, now=utcnow(), today=today_vn())
        db.session.commit()
    except attempts.AlreadySubmitted as err:
        db.session.rollback()
        flash(err.message, "info")
    except attempts.QuizRefused as err:
        db.session.commit()  # the attempt is now closed as expired (a POST may write)
        flash(err.message, "error")
    else:
        if outcome.completion_id is not None:
            flash(
                _(
                    "Congratulations: you passed and completed the course. Your certificate "
                    "is ready."
                ),
                "success",
            )
    return redirect(url_for(".show_attempt", attempt_id=attempt_id))
