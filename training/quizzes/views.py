"""Taking a quiz: start, answer, submit once, see why each answer was right or wrong."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from training.clock import today_vn, utcnow
from training.courses import services as course_services
from training.courses.models import Course
from training.extensions import db
from training.forms import ConfirmForm
from training.org.access import current_person, login_required
from training.quizzes import attempts as services
from training.quizzes.models import AttemptStatus

bp = Blueprint("quizzes", __name__, template_folder="templates")


def _lang() -> str:
    return str(get_locale())


@bp.route("/courses/<slug>/quiz", methods=["POST"])
@login_required
def start(slug: str) -> ResponseReturnValue:
    course = course_services.get_course_for(current_person(), slug)
    quiz = services.quiz_for(course) if course else None
    if course is None or quiz is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        attempt_id = _start_or_resume(course, quiz)
    except services.QuizRefused as err:
        db.session.commit()  # an attempt found overdue on the way is closed for good
        flash(err.message, "error")
        return redirect(url_for("courses.show_course", slug=slug))
    return redirect(url_for(".show_attempt", attempt_id=attempt_id))


def _start_or_resume(course: Course, quiz: services.Quiz) -> int:
    """A start that lost a race (two tabs, a double click, a script) finds the winner's attempt
    on the second try and resumes it; the database let only one of them in."""
    for _try in range(2):
        try:
            attempt_id = services.start_attempt(
                current_person(), course, quiz, now=utcnow(), today=today_vn()
            ).id  # read before the commit expires the object
            db.session.commit()
            return attempt_id
        except IntegrityError:
            db.session.rollback()
    raise services.QuizRefused(_("Another attempt was starting at the same moment. Try again."))


def _attempt_or_404(attempt_id: int) -> services.Attempt:
    attempt = services.get_attempt_for(current_person(), attempt_id)
    if attempt is None:
        abort(404)
    return attempt


@bp.route("/attempts/<int:attempt_id>")
@login_required
def show_attempt(attempt_id: int) -> ResponseReturnValue:
    attempt = _attempt_or_404(attempt_id)
    course = db.session.get(Course, attempt.course_id)
    if services.expire_if_overdue(attempt, utcnow()):
        db.session.commit()
    if attempt.status == AttemptStatus.OPEN:
        return render_template(
            "quizzes/attempt.html", attempt=attempt, course=course, lang=_lang(), form=ConfirmForm()
        )
    return render_template(
        "quizzes/result.html",
        attempt=attempt,
        course=course,
        lang=_lang(),
        completion=_completion_of(attempt),
    )


def _completion_of(attempt: services.Attempt) -> services.Completion | None:
    return db.session.scalar(
        db.select(services.Completion).where(services.Completion.attempt_id == attempt.id)
    )


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
        outcome = services.submit_attempt(attempt, answers, now=utcnow(), today=today_vn())
        db.session.commit()
    except services.AlreadySubmitted as err:
        db.session.rollback()
        flash(err.message, "info")
    except IntegrityError:
        db.session.rollback()  # another submit of this attempt was graded first
        flash(_("This attempt has already been submitted."), "info")
    except services.QuizRefused as err:
        db.session.commit()  # the attempt is now closed as expired
        flash(err.message, "error")
    else:
        if outcome.completion is not None:
            flash(
                _(
                    "Congratulations: you passed and completed the course. Your certificate "
                    "is ready."
                ),
                "success",
            )
    return redirect(url_for(".show_attempt", attempt_id=attempt_id))
