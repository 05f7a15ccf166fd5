"""The home page (one per role), the language switch and the load balancer's health check."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from training.auth import throttle
from training.clock import today_vn
from training.courses.deadlines import deadline_sources, shelve
from training.courses.services import courses_for
from training.extensions import db
from training.forms import ConfirmForm
from training.org.access import current_person, current_scope, login_required, public
from training.org.models import Person, Role
from training.org.summary import scope_total, unit_rows
from training.reports.access import OutOfScope, filters_for
from training.reports.dashboard import HomeFigures, home_figures
from training.urls import safe_next

bp = Blueprint("site", __name__, template_folder="templates")


@bp.route("/")
@login_required
def home() -> ResponseReturnValue:
    """The learner's courses with progress, deadlines and certificates in force, the next one
    due first; or the manager's coverage today, their weakest units and the head-counts of
    their scope: each a fixed number of queries (tests/test_query_counts.py)."""
    person = current_person()  # the row itself: the page reads it often, the proxy costs each time
    if person.role == Role.LEARNER:
        today = today_vn()
        cards = courses_for(person, today=today, deadlines=deadline_sources(current_app))
        return render_template(
            "site/home_learner.html", person=person, shelves=shelve(cards), lang=str(get_locale())
        )
    rows = unit_rows(current_scope())
    return render_template(
        "site/home_manager.html",
        person=person,
        rows=rows,
        total=scope_total(rows),
        figures=_coverage_today(person),
    )


def _coverage_today(person: Person) -> HomeFigures | None:
    """The manager's first question, answered for their scope today: how far training has got,
    for everyone and for priority staff, against the targets; how much is late; which units
    lag. None only if the officer's unit does not stand today (a page, not an error)."""
    try:
        filters = filters_for(person, as_of=today_vn())
    except OutOfScope:
        return None
    return home_figures(filters)


@bp.route("/language/<lang>", methods=["POST"])
@public
def set_language(lang: str) -> ResponseReturnValue:
    """Signed-in people keep the choice on their record; visitors keep it in the session."""
    form = ConfirmForm()
    if form.validate_on_submit() and lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated:
            current_user.locale = lang
            db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("site.home"))


@bp.route("/healthz")
@public
def healthz() -> ResponseReturnValue:
    """503 when the database does not answer (nothing works without it); 200 but "degraded"
    when only the rate-limit storage is down, since sign-in then still works on per-process
    counters — an operator must hear of it, a load balancer must not drop the site for it."""
    limits = throttle.storage_status()
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return {"status": "unavailable", "database": "unreachable", "rate_limits": limits}, 503
    status = "ok" if limits == "ok" else "degraded"
    return {"status": status, "database": "ok", "rate_limits": limits}, 200
